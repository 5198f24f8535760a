package org.jdma.machine.dev.crc32;

import static org.jdma.machine.mmio.RegisterAccess.RO;
import static org.jdma.machine.mmio.RegisterAccess.RW;
import static org.jdma.machine.mmio.RegisterAccess.RW1C;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.CRC32;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.dev.DeviceContext;
import org.jdma.machine.dev.DeviceKind;
import org.jdma.machine.dev.DeviceSpec;
import org.jdma.machine.mmio.Register;
import org.jdma.machine.mmio.RegisterFile;
import org.jdma.machine.pci.Bar;
import org.jdma.machine.pci.PciEndpoint;
import org.jdma.machine.pci.PciIds;
import org.jdma.machine.time.EventKernel;
import org.jdma.machine.time.TraceRecorder;
import org.jdma.spec.crc32.Crc32Registers;
import org.jdma.spec.pci.RequesterId;

/**
 * The CRC-32 offload engine (see the package description and {@link Crc32Registers}). A
 * {@link PciEndpoint} does its configuration space, BAR decoding, MSI-X and bus-master gating;
 * this class declares BAR0 and the MSI-X capability and runs the one operation on the machine's
 * event kernel:
 *
 * <pre>
 * T0                      CONTROL.START written: STATUS = BUSY, addresses and LENGTH latched
 * T0 + setup              LENGTH checked; read chunk 0 (at most chunkBytes) through the DMA port
 * ... + read + checksum   read the next chunk, until LENGTH bytes are in
 * ... + read + checksum   write the 4-byte result to RESULT_ADDR
 * ... + write             STATUS = DONE (| error), then MSI-X entry 0 if CONTROL.IRQ_EN
 * </pre>
 *
 * A faulted read or write ends the operation early, after that request's cost, with the fault's
 * address in FAULT_ADDR. Each operation is traced as one slice on track {@link #name()}.
 *
 * <p>Thread use: the thread that drives the machine (MMIO and events alike).
 */
public final class Crc32Engine extends PciEndpoint {

    /** The kind: {@code builder.device("crc0", Crc32Engine.KIND, Crc32Config.DEFAULT, slot)} plugs one in. */
    public static final DeviceKind<Crc32Config> KIND = DeviceKind.pci("crc32", Crc32Engine::new);

    /** A CRC-32 engine called {@code name} in PCI slot {@code slot}, default timing. */
    public static DeviceSpec<Crc32Config> spec(String name, RequesterId slot) {
        return DeviceSpec.pci(name, KIND, Crc32Config.DEFAULT, slot);
    }

    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Crc32Config config;
    private final EventKernel kernel;
    private final RegisterFile registers;
    private final Register srcAddr;
    private final Register length;
    private final Register control;
    private final Register resultAddr;
    private final Register status;
    private final Register faultAddr;
    private final Register result;
    private final CRC32 crc = new CRC32();
    private final byte[] chunk;
    private final MemorySegment chunkSegment;
    private final MemorySegment resultSegment = MemorySegment.ofArray(new byte[Crc32Registers.RESULT_SIZE]);
    private final String setupLabel;
    private final String chunkLabel;
    private final String endLabel;

    /** An operation is running: STATUS.BUSY (never stored in the register, so software cannot clear it). */
    private boolean busy;
    /** Bumped by reset: events of an abandoned operation do nothing. */
    private long generation;
    private long opSource;
    private long opLength;
    private long opResultAddress;
    private long opRead;
    private long opStartNs;

    private long operations;
    private long failedOperations;
    private long bytesChecksummed;

    public Crc32Engine(Crc32Config config, DeviceContext.Pci ctx) {
        super(ctx, PciIds.of(Crc32Registers.VENDOR_ID, Crc32Registers.DEVICE_ID, Crc32Registers.CLASS_CODE));
        this.config = config;
        this.kernel = ctx.kernel();
        this.chunk = new byte[config.chunkBytes()];
        this.chunkSegment = MemorySegment.ofArray(chunk);
        this.setupLabel = ctx.name() + " setup";
        this.chunkLabel = ctx.name() + " chunk";
        this.endLabel = ctx.name() + " end";
        this.registers = new RegisterFile(ctx.name());
        registers.add(new Register("VERSION", Crc32Registers.VERSION, 4, RO, Crc32Registers.VERSION_MASK, Crc32Registers.VERSION_VALUE));
        srcAddr = registers.add(Register.of("SRC_ADDR", Crc32Registers.SRC_ADDR, 8, RW, -1L));
        length = registers.add(Register.of("LENGTH", Crc32Registers.LENGTH, 4, RW, 0xFFFF_FFFFL));
        control = registers.add(Register.of("CONTROL", Crc32Registers.CONTROL, 4, RW, Crc32Registers.CONTROL_MASK));
        resultAddr = registers.add(Register.of("RESULT_ADDR", Crc32Registers.RESULT_ADDR, 8, RW, -1L));
        status = registers.add(Register.of("STATUS", Crc32Registers.STATUS, 4, RW1C, Crc32Registers.STATUS_MASK));
        faultAddr = registers.add(Register.of("FAULT_ADDR", Crc32Registers.FAULT_ADDR, 8, RO, -1L));
        result = registers.add(Register.of("RESULT", Crc32Registers.RESULT, 4, RO, 0xFFFF_FFFFL));
        registers.onRead(status, (r, stored) -> busy ? stored | Crc32Registers.STATUS_BUSY : stored);
        registers.onWrite(control, (r, now, written) -> controlWritten(now, written));

        declareBar(Bar.memory32(0, Crc32Registers.BAR_SIZE), registers);
        declareMsix(Crc32Registers.MSIX_ENTRIES, 0, Crc32Registers.MSIX_TABLE, 0, Crc32Registers.MSIX_PBA);
    }

    public Crc32Config config() { return config; }

    /** The register table (name, offset, width, access, mask, reset), for reports and datasheet checks. */
    public List<Register> registerTable() { return registers.registers(); }

    /** Whether an operation is running (STATUS.BUSY). */
    public boolean busy() { return busy; }

    /** Operations started since the machine was built (a reset does not clear the count). */
    public long operations() { return operations; }

    /** Operations that ended with an error bit. */
    public long failedOperations() { return failedOperations; }

    /** Input bytes read and folded into a checksum. */
    public long bytesChecksummed() { return bytesChecksummed; }

    /** Register accesses no register answered (wrong offset or size). */
    public long unclaimedAccesses() { return registers.unclaimedAccesses(); }

    // ---------------------------------------------------------------- the operation

    private void controlWritten(long now, long written) {
        registers.set(control, now & ~Crc32Registers.CONTROL_START); // START is an action, not state
        if ((written & Crc32Registers.CONTROL_START) != 0 && !busy) {
            start();
        }
    }

    private void start() {
        busy = true;
        registers.set(status, 0);
        registers.set(faultAddr, 0);
        opSource = registers.get(srcAddr);
        opLength = registers.get(length);
        opResultAddress = registers.get(resultAddr);
        opRead = 0;
        opStartNs = kernel.now();
        crc.reset();
        operations++;
        long op = generation;
        kernel.schedule(config.setupLatencyNs(), setupLabel, () -> {
            if (op == generation) {
                afterSetup();
            }
        });
    }

    private void afterSetup() {
        if (!Crc32Registers.validLength(opLength)) {
            end(Crc32Registers.STATUS_BAD_LENGTH, 0);
            return;
        }
        readChunk();
    }

    /** Reads and folds in the next chunk; then, after its bus and checksum time, the next step. */
    private void readChunk() {
        int n = (int) Math.min(chunk.length, opLength - opRead);
        DmaResult r = port().read(opSource + opRead, chunkSegment, 0, n);
        if (!r.isOk()) {
            endLater(r.costNs(), Crc32Registers.STATUS_READ_FAULT, r.faultAddress());
            return;
        }
        crc.update(chunk, 0, n);
        opRead += n;
        bytesChecksummed += n;
        long op = generation;
        kernel.schedule(r.costNs() + config.checksumNs(n), chunkLabel, () -> {
            if (op != generation) {
                return;
            }
            if (opRead < opLength) {
                readChunk();
            } else {
                writeResult();
            }
        });
    }

    private void writeResult() {
        int value = (int) crc.getValue();
        resultSegment.set(LE_INT, 0, value);
        DmaResult r = port().write(opResultAddress, resultSegment, 0, Crc32Registers.RESULT_SIZE);
        if (r.isOk()) {
            registers.set(result, value & 0xFFFF_FFFFL);
            endLater(r.costNs(), 0, 0);
        } else {
            endLater(r.costNs(), Crc32Registers.STATUS_WRITE_FAULT, r.faultAddress());
        }
    }

    private void endLater(long delayNs, int error, long faultAddress) {
        long op = generation;
        kernel.schedule(delayNs, endLabel, () -> {
            if (op == generation) {
                end(error, faultAddress);
            }
        });
    }

    /** DONE (with the error, if any) first, then the interrupt: a handler sees the outcome. */
    private void end(int error, long faultAddress) {
        busy = false;
        if (error != 0) {
            failedOperations++;
            registers.set(faultAddr, faultAddress);
        }
        registers.set(status, Crc32Registers.STATUS_DONE | error);
        TraceRecorder trace = kernel.trace();
        if (trace.enabled()) {
            trace.slice(name(), "CRC32", opStartNs, kernel.now() - opStartNs, TraceRecorder.args(
                    "length", opLength, "status", Integer.toHexString(Crc32Registers.STATUS_DONE | error)));
        }
        if ((registers.get(control) & Crc32Registers.CONTROL_IRQ_EN) != 0) {
            signalInterrupt(Crc32Registers.MSIX_DONE_ENTRY);
        }
    }

    /** Abandons an operation in flight (no result write, no interrupt); every register to its reset value. */
    @Override
    protected void resetFunction() {
        generation++;
        busy = false;
        crc.reset();
        registers.reset();
    }
}
