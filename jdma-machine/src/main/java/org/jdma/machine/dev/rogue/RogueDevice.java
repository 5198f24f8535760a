package org.jdma.machine.dev.rogue;

import static org.jdma.machine.mmio.RegisterAccess.RO;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jdma.machine.bus.Access;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.bus.FaultReason;
import org.jdma.machine.dev.Device;
import org.jdma.machine.dev.DeviceContext;
import org.jdma.machine.mmio.MmioHandler;
import org.jdma.machine.mmio.Register;
import org.jdma.machine.mmio.RegisterFile;
import org.jdma.platform.pci.PciFunction;
import org.jdma.spec.pci.RequesterId;

/**
 * A bus master that reads and writes any bus address it is told to (see the package description).
 * Every request goes through the device's own {@link DmaPort}: translated by the IOMMU unit that
 * covers its requester id, faults reported as results. Requests run at the event kernel's current
 * time, on the caller's thread (the thread driving the machine); the caller advances time.
 *
 * <p>Registers: {@link RogueRegisters}.
 */
public final class RogueDevice implements Device {

    /** Red Hat, Inc. (QEMU's emulated devices), as QEMU's test devices use. */
    public static final int VENDOR_ID = 0x1B36;
    /** Our model's own device id (no real device has it). */
    public static final int DEVICE_ID = 0x00BD;
    /** Base class 0xFF: "device does not fit any defined class" (PCI Code and ID Assignment Spec §1). */
    public static final int CLASS_CODE = 0xFF0000;
    /** Largest single read the device buffers; longer reads are refused as Unsupported Request. */
    public static final int MAX_READ_BYTES = 1 << 24;

    /** What a read brought back: the result and the bytes moved before any fault ({@code result.bytes()} of them). */
    public record ReadOutcome(DmaResult result, byte[] data) {
        public boolean blocked() {
            return !result.isOk();
        }
    }

    private final DeviceContext ctx;
    private final DmaPort port;
    private final RegisterFile registers;

    private long attempts;
    private long blocked;
    private DmaResult lastFault;

    public RogueDevice(DeviceContext ctx) {
        this.ctx = ctx;
        this.port = ctx.port();
        this.registers = new RegisterFile(ctx.name());
        registers.add(new Register("ID", RogueRegisters.ID, 4, RO, 0xFFFF_FFFFL,
                VENDOR_ID | (long) DEVICE_ID << RogueRegisters.ID_DEVICE_SHIFT));
        Register attemptsReg = registers.add(Register.of("ATTEMPTS", RogueRegisters.ATTEMPTS, 8, RO, -1L));
        Register blockedReg = registers.add(Register.of("BLOCKED", RogueRegisters.BLOCKED, 8, RO, -1L));
        Register faultAddressReg = registers.add(Register.of("LAST_FAULT_ADDRESS", RogueRegisters.LAST_FAULT_ADDRESS, 8, RO, -1L));
        Register faultReg = registers.add(Register.of("LAST_FAULT", RogueRegisters.LAST_FAULT, 4, RO,
                RogueRegisters.LAST_FAULT_BUS_REASON_MASK | RogueRegisters.LAST_FAULT_VTD_REASON_MASK
                        | RogueRegisters.LAST_FAULT_WRITE));
        registers.onRead(attemptsReg, (r, v) -> attempts);
        registers.onRead(blockedReg, (r, v) -> blocked);
        registers.onRead(faultAddressReg, (r, v) -> lastFault == null ? 0 : lastFault.faultAddress());
        registers.onRead(faultReg, (r, v) -> lastFaultWord());
    }

    /** Reads [bus, bus + length). A blocked read returns only the bytes before the faulting one. */
    public ReadOutcome read(long bus, long length) {
        if (length < 0 || length > MAX_READ_BYTES) {
            return new ReadOutcome(record(DmaResult.fault(0, 0, FaultReason.UNSUPPORTED_REQUEST, bus, Access.READ)),
                    new byte[0]);
        }
        byte[] buf = new byte[(int) length];
        DmaResult r = record(port.read(bus, MemorySegment.ofArray(buf), 0, length));
        return new ReadOutcome(r, r.isOk() ? buf : Arrays.copyOf(buf, (int) r.bytes()));
    }

    /** Writes {@code data} to [bus, bus + data.length). A 4-byte aligned write into the interrupt range is an MSI. */
    public DmaResult write(long bus, byte[] data) {
        return record(port.write(bus, MemorySegment.ofArray(data), 0, data.length));
    }

    /** Writes {@code length} bytes of the repeated little-endian 8-byte {@code pattern} from {@code bus}. */
    public DmaResult fill(long bus, long length, long pattern) {
        return record(port.fill(bus, length, pattern));
    }

    private DmaResult record(DmaResult r) {
        attempts++;
        if (!r.isOk()) {
            blocked++;
            lastFault = r;
        }
        return r;
    }

    private long lastFaultWord() {
        if (lastFault == null) {
            return 0;
        }
        return (lastFault.reason().ordinal() + 1)
                | ((long) lastFault.detail().code() << RogueRegisters.LAST_FAULT_VTD_REASON_SHIFT & RogueRegisters.LAST_FAULT_VTD_REASON_MASK)
                | (lastFault.access() == Access.WRITE ? RogueRegisters.LAST_FAULT_WRITE : 0);
    }

    public RequesterId requester() { return ctx.requester(); }
    public DmaPort port() { return port; }
    public long attempts() { return attempts; }
    public long blocked() { return blocked; }
    public Optional<DmaResult> lastFault() { return Optional.ofNullable(lastFault); }

    @Override public String name() { return ctx.name(); }

    @Override
    public PciFunction pciFunction() {
        return new PciFunction(ctx.name(), ctx.requester(), VENDOR_ID, DEVICE_ID, CLASS_CODE, ctx.barBase(), ctx.barSize());
    }

    @Override public MmioHandler registers() { return registers; }

    /** The register table, for reports and datasheet checks. */
    public List<Register> registerTable() { return registers.registers(); }

    /** Counters are the device's history, not state a reset clears; there is nothing else to reset. */
    @Override public void reset() { }
}
