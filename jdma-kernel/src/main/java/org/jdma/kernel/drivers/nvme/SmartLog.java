package org.jdma.kernel.drivers.nvme;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.jdma.spec.nvme.SmartLogLayout;

/**
 * The SMART / Health Information log (02h) as the driver reads it; the 128-bit counters keep their
 * low 64 bits (a drive would need 2^64 commands to overflow them).
 *
 * @param criticalWarning  the warning bits ({@link SmartLogLayout#WARNING_SPARE}, ...)
 * @param temperatureK     composite temperature, kelvin
 * @param dataUnitsRead    thousands of 512-byte units read, rounded up
 * @param busyMinutes      controller busy time, minutes
 */
public record SmartLog(int criticalWarning, int temperatureK, int availableSpare, int spareThreshold, int percentageUsed,
                       long dataUnitsRead, long dataUnitsWritten, long hostReadCommands, long hostWriteCommands,
                       long busyMinutes, long powerCycles, long powerOnHours, long unsafeShutdowns, long mediaErrors,
                       long errorLogEntries) {

    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Decodes the 512-byte page. */
    public static SmartLog decode(byte[] page) {
        if (page.length < SmartLogLayout.SIZE) {
            throw new IllegalArgumentException("a SMART log is 512 bytes, got " + page.length);
        }
        MemorySegment b = MemorySegment.ofArray(page);
        return new SmartLog(u8(b, SmartLogLayout.CRITICAL_WARNING), b.get(LE_SHORT, SmartLogLayout.COMPOSITE_TEMPERATURE) & 0xFFFF,
                u8(b, SmartLogLayout.AVAILABLE_SPARE), u8(b, SmartLogLayout.AVAILABLE_SPARE_THRESHOLD),
                u8(b, SmartLogLayout.PERCENTAGE_USED), b.get(LE_LONG, SmartLogLayout.DATA_UNITS_READ),
                b.get(LE_LONG, SmartLogLayout.DATA_UNITS_WRITTEN), b.get(LE_LONG, SmartLogLayout.HOST_READ_COMMANDS),
                b.get(LE_LONG, SmartLogLayout.HOST_WRITE_COMMANDS), b.get(LE_LONG, SmartLogLayout.CONTROLLER_BUSY_TIME),
                b.get(LE_LONG, SmartLogLayout.POWER_CYCLES), b.get(LE_LONG, SmartLogLayout.POWER_ON_HOURS),
                b.get(LE_LONG, SmartLogLayout.UNSAFE_SHUTDOWNS), b.get(LE_LONG, SmartLogLayout.MEDIA_ERRORS),
                b.get(LE_LONG, SmartLogLayout.ERROR_LOG_ENTRIES));
    }

    private static int u8(MemorySegment b, int offset) {
        return b.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    /** Composite temperature in degrees Celsius. */
    public int temperatureC() {
        return temperatureK - 273;
    }
}
