package org.jdma.machine.dev.nvme;

import static org.jdma.spec.nvme.NvmeCommands.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import org.jdma.spec.nvme.ErrorLogEntryLayout;
import org.jdma.spec.nvme.FirmwareSlotLogLayout;
import org.jdma.spec.nvme.NvmeStatus;
import org.jdma.spec.nvme.SmartLogLayout;

/**
 * What the controller remembers for its log pages (NVMe base spec 2.0 §5.16.1): the last
 * {@link #ERROR_ENTRIES} failed commands (Error Information, 01h), the SMART / Health counters and
 * state (02h), and its one firmware slot (03h). It watches every command's completion, counts I/O
 * as the SMART log defines it, and raises a SMART / Health asynchronous event when a critical
 * warning appears that Asynchronous Event Configuration (Feature 0Bh) enables.
 */
final class HealthLog {

    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Error Information entries kept (Identify ELPE + 1). */
    static final int ERROR_ENTRIES = 64;
    /** Composite temperature at power on, kelvin (50 °C, as QEMU's controller reports). */
    static final int DEFAULT_TEMPERATURE_K = 323;
    /** Over-temperature threshold at reset, kelvin (70 °C). */
    static final int DEFAULT_OVER_THRESHOLD_K = 343;
    /** Under-temperature threshold at reset, kelvin (0 = none). */
    static final int DEFAULT_UNDER_THRESHOLD_K = 0;
    /** Available Spare Threshold, percent. */
    static final int SPARE_THRESHOLD = 10;
    private static final long NS_PER_MINUTE = 60_000_000_000L;
    private static final long NS_PER_HOUR = 60 * NS_PER_MINUTE;

    private final NvmeConfig config;
    private final LongSupplier now;
    private final IntConsumer events;
    private final byte[][] errors = new byte[ERROR_ENTRIES][];
    private long errorCount;
    private long units512Read;
    private long units512Written;
    private long hostReads;
    private long hostWrites;
    private long mediaErrors;
    private long unsafeShutdowns;
    private long busyNs;
    private long busySince;
    private int ioInFlight;
    private int availableSpare = 100;
    private int temperature = DEFAULT_TEMPERATURE_K;
    private int overThreshold;
    private int underThreshold;
    private int eventConfig;
    private int warningsSeen;

    HealthLog(NvmeConfig config, LongSupplier now, IntConsumer events) {
        this.config = config;
        this.now = now;
        this.events = events;
        resetFeatures();
    }

    /** Features back to their defaults (controller reset); counters and errors are kept. */
    void resetFeatures() {
        overThreshold = DEFAULT_OVER_THRESHOLD_K;
        underThreshold = DEFAULT_UNDER_THRESHOLD_K;
        eventConfig = 0;
        if (ioInFlight > 0) { // the reset dropped them: busy until now
            busyNs += now.getAsLong() - busySince;
            ioInFlight = 0;
        }
    }

    // ---------------------------------------------------------------- what happens to commands

    /** An I/O command was fetched: the controller is busy from now until none is outstanding. */
    void ioStarted() {
        if (ioInFlight++ == 0) {
            busySince = now.getAsLong();
        }
    }

    /** {@code c} completed with {@code status}: counts it, and logs it if it failed. */
    void completed(Command c, int status, int blockSize) {
        if (!c.admin() && ioInFlight > 0 && --ioInFlight == 0) {
            busyNs += now.getAsLong() - busySince;
        }
        if (status == NvmeStatus.SUCCESS) {
            countIo(c, blockSize);
        } else if (status != NvmeStatus.ABORTED_BY_REQUEST && status != NvmeStatus.ABORTED_SQ_DELETED) {
            logError(c, status);
        }
    }

    private void countIo(Command c, int blockSize) {
        if (c.admin() || blockSize == 0) {
            return;
        }
        long units = ((c.cdw(12) & NLB_MASK) + 1L) * blockSize / 512;
        if (c.opcode() == NVM_READ) {
            hostReads++;
            units512Read += units;
        } else if (c.opcode() == NVM_WRITE) {
            hostWrites++;
            units512Written += units;
        }
    }

    private void logError(Command c, int status) {
        if (NvmeStatus.sct(status) == NvmeStatus.SCT_MEDIA) {
            mediaErrors++;
        }
        MemorySegment e = MemorySegment.ofArray(errors[(int) (errorCount % ERROR_ENTRIES)] = new byte[ErrorLogEntryLayout.SIZE]);
        errorCount++;
        e.set(LE_LONG, ErrorLogEntryLayout.ERROR_COUNT, errorCount);
        e.set(LE_SHORT, ErrorLogEntryLayout.SQID, (short) c.sq.id);
        e.set(LE_SHORT, ErrorLogEntryLayout.CID, (short) c.cid());
        e.set(LE_SHORT, ErrorLogEntryLayout.STATUS_FIELD, (short) ErrorLogEntryLayout.statusField(status, true));
        e.set(LE_SHORT, ErrorLogEntryLayout.PARAMETER_ERROR_LOCATION, (short) ErrorLogEntryLayout.NO_LOCATION);
        if (!c.admin()) {
            e.set(LE_LONG, ErrorLogEntryLayout.LBA, c.cdw10and11());
        }
        e.set(LE_INT, ErrorLogEntryLayout.NAMESPACE, c.nsid());
    }

    /** CC.EN cleared without a completed shutdown notification. */
    void unsafeShutdown() {
        unsafeShutdowns++;
    }

    long errorCount() { return errorCount; }

    // ---------------------------------------------------------------- health state and events

    /** Test hook: the media wore out to {@code percent} spare. */
    void availableSpare(int percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("available spare must be 0..100 percent, was " + percent);
        }
        availableSpare = percent;
        checkWarnings();
    }

    /** Test hook: the composite temperature is now {@code kelvin}. */
    void temperature(int kelvin) {
        if (kelvin <= 0 || kelvin > 0xFFFF) {
            throw new IllegalArgumentException("temperature must be 1..65535 K, was " + kelvin);
        }
        temperature = kelvin;
        checkWarnings();
    }

    /** Temperature Threshold (Feature 04h) CDW11: sets the over or under threshold of the composite sensor. */
    void temperatureThreshold(int cdw11) {
        if ((cdw11 >>> THSEL_SHIFT & 0x3) == THSEL_UNDER) {
            underThreshold = cdw11 & TMPTH_MASK;
        } else {
            overThreshold = cdw11 & TMPTH_MASK;
        }
    }

    int temperatureThreshold(boolean under) {
        return under ? underThreshold | THSEL_UNDER << THSEL_SHIFT : overThreshold;
    }

    /** Asynchronous Event Configuration (Feature 0Bh): which critical warnings raise events. */
    void eventConfig(int cdw11) {
        eventConfig = cdw11 & AEC_SMART_MASK;
    }

    int eventConfig() { return eventConfig; }

    int criticalWarning() {
        int w = availableSpare < SPARE_THRESHOLD ? SmartLogLayout.WARNING_SPARE : 0;
        if (temperature > overThreshold || temperature < underThreshold) {
            w |= SmartLogLayout.WARNING_TEMPERATURE;
        }
        return w;
    }

    /** Raises one event per enabled warning that appeared since the last look (after a feature changed, too). */
    void checkWarnings() {
        int w = criticalWarning();
        int appeared = w & ~warningsSeen & eventConfig;
        warningsSeen = w & (eventConfig | warningsSeen);
        if ((appeared & SmartLogLayout.WARNING_SPARE) != 0) {
            events.accept(asyncEvent(AER_TYPE_SMART, AER_SMART_SPARE, LOG_SMART));
        }
        if ((appeared & SmartLogLayout.WARNING_TEMPERATURE) != 0) {
            events.accept(asyncEvent(AER_TYPE_SMART, AER_SMART_TEMPERATURE, LOG_SMART));
        }
    }

    // ---------------------------------------------------------------- the pages

    /** Error Information: the kept entries, most recent first, then unused (zero) entries. */
    MemorySegment errorPage() {
        byte[] page = new byte[ERROR_ENTRIES * ErrorLogEntryLayout.SIZE];
        int kept = (int) Math.min(errorCount, ERROR_ENTRIES);
        for (int i = 0; i < kept; i++) {
            byte[] e = errors[(int) ((errorCount - 1 - i) % ERROR_ENTRIES)];
            System.arraycopy(e, 0, page, ErrorLogEntryLayout.entry(i), e.length);
        }
        return MemorySegment.ofArray(page);
    }

    MemorySegment smartPage() {
        MemorySegment b = MemorySegment.ofArray(new byte[SmartLogLayout.SIZE]);
        long t = now.getAsLong();
        long busy = busyNs + (ioInFlight > 0 ? t - busySince : 0);
        b.set(ValueLayout.JAVA_BYTE, SmartLogLayout.CRITICAL_WARNING, (byte) criticalWarning());
        b.set(LE_SHORT, SmartLogLayout.COMPOSITE_TEMPERATURE, (short) temperature);
        b.set(ValueLayout.JAVA_BYTE, SmartLogLayout.AVAILABLE_SPARE, (byte) availableSpare);
        b.set(ValueLayout.JAVA_BYTE, SmartLogLayout.AVAILABLE_SPARE_THRESHOLD, (byte) SPARE_THRESHOLD);
        b.set(ValueLayout.JAVA_BYTE, SmartLogLayout.PERCENTAGE_USED, (byte) Math.min(255, 100 - availableSpare));
        b.set(LE_LONG, SmartLogLayout.DATA_UNITS_READ, SmartLogLayout.dataUnits(units512Read));
        b.set(LE_LONG, SmartLogLayout.DATA_UNITS_WRITTEN, SmartLogLayout.dataUnits(units512Written));
        b.set(LE_LONG, SmartLogLayout.HOST_READ_COMMANDS, hostReads);
        b.set(LE_LONG, SmartLogLayout.HOST_WRITE_COMMANDS, hostWrites);
        b.set(LE_LONG, SmartLogLayout.CONTROLLER_BUSY_TIME, busy / NS_PER_MINUTE);
        b.set(LE_LONG, SmartLogLayout.POWER_CYCLES, 1);
        b.set(LE_LONG, SmartLogLayout.POWER_ON_HOURS, t / NS_PER_HOUR);
        b.set(LE_LONG, SmartLogLayout.UNSAFE_SHUTDOWNS, unsafeShutdowns);
        b.set(LE_LONG, SmartLogLayout.MEDIA_ERRORS, mediaErrors);
        b.set(LE_LONG, SmartLogLayout.ERROR_LOG_ENTRIES, errorCount);
        b.set(LE_SHORT, SmartLogLayout.TEMPERATURE_SENSOR_1, (short) temperature);
        return b;
    }

    /** Firmware Slot Information: slot 1 active, holding the revision Identify reports. */
    MemorySegment firmwareSlotPage() {
        MemorySegment b = MemorySegment.ofArray(new byte[FirmwareSlotLogLayout.SIZE]);
        b.set(ValueLayout.JAVA_BYTE, FirmwareSlotLogLayout.AFI, (byte) FirmwareSlotLogLayout.afi(1, 0));
        byte[] rev = IdentifyData.FIRMWARE.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < FirmwareSlotLogLayout.FRS_LENGTH; i++) {
            b.set(ValueLayout.JAVA_BYTE, FirmwareSlotLogLayout.frs(1) + i, i < rev.length ? rev[i] : (byte) ' ');
        }
        return b;
    }
}
