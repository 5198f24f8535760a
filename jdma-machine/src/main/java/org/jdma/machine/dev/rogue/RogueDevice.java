package org.jdma.machine.dev.rogue;

import static org.jdma.machine.mmio.RegisterAccess.RO;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jdma.machine.bus.Access;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.bus.FaultReason;
import org.jdma.machine.dev.DeviceContext;
import org.jdma.machine.dev.DeviceKind;
import org.jdma.machine.dev.DeviceSpec;
import org.jdma.machine.mmio.Register;
import org.jdma.machine.mmio.RegisterFile;
import org.jdma.machine.pci.Bar;
import org.jdma.machine.pci.PciEndpoint;
import org.jdma.machine.pci.PciIds;
import org.jdma.spec.pci.RequesterId;

/**
 * A bus master that reads and writes any bus address it is told to (see the package description).
 * Every request goes through the device's own {@link DmaPort}: translated by the IOMMU unit that
 * covers its requester id, faults reported as results. Requests run at the event kernel's current
 * time, on the caller's thread (the thread driving the machine); the caller advances time.
 *
 * <p>A PCI endpoint with one 32-bit BAR ({@link RogueRegisters}) and no interrupts. By default it
 * ignores Command.Bus Master Enable (its DMA port stays open whatever software writes there):
 * bus-master gating is the device's own duty on PCI Express, and a hostile device does not honour
 * it. Made with {@link Options#HONOURS_BUS_MASTER_ENABLE}, it is a device whose hardware gates its
 * requests as the spec asks: with the bit clear every request ends in a master abort, which the
 * device records in its Status register (Received Master Abort).
 */
public final class RogueDevice extends PciEndpoint {

    /** Red Hat, Inc. (QEMU's emulated devices), as QEMU's test devices use. */
    public static final int VENDOR_ID = 0x1B36;
    /** Our model's own device id (no real device has it). */
    public static final int DEVICE_ID = 0x00BD;
    /** Base class 0xFF: "device does not fit any defined class" (PCI Code and ID Assignment Spec §1). */
    public static final int CLASS_CODE = 0xFF0000;
    /** Largest single read the device buffers; longer reads are refused as Unsupported Request. */
    public static final int MAX_READ_BYTES = 1 << 24;
    /** BAR0: the register file. */
    public static final long BAR_SIZE = 0x1_0000;

    /** The kind; it has no options. */
    public static final DeviceKind<Options> KIND = DeviceKind.pci("rogue", (o, ctx) -> new RogueDevice(ctx, o));
    /** Rogue device i of {@link #specs} sits at 00:(FIRST_DEVICE + i).0. */
    public static final int FIRST_DEVICE = 0x10;

    /** Whether the device's hardware honours Command.Bus Master Enable. */
    public enum Options {
        /** Hostile hardware: Bus Master Enable changes nothing, the device masters the bus regardless. */
        IGNORES_BUS_MASTER_ENABLE,
        /** Compliant hardware (PCIe Base 4.0 §7.5.1.1.3): with Bus Master Enable clear, every request is a master abort. */
        HONOURS_BUS_MASTER_ENABLE
    }

    /** The slot {@link #specs} gives rogue device {@code index}: 00:(0x10 + index).0. */
    public static RequesterId slot(int index) {
        return RequesterId.of(0, FIRST_DEVICE + index, 0);
    }

    /** Rogue device {@code index} ("rogue" + index) at {@link #slot}, ignoring Bus Master Enable. */
    public static DeviceSpec<Options> spec(int index) {
        return spec(index, Options.IGNORES_BUS_MASTER_ENABLE);
    }

    /** Rogue device {@code index} ("rogue" + index) at {@link #slot}, with {@code options}. */
    public static DeviceSpec<Options> spec(int index, Options options) {
        return DeviceSpec.pci("rogue" + index, KIND, options, slot(index));
    }

    /** {@code count} rogue devices, rogue0 at 00:10.0, rogue1 at 00:11.0, ... */
    public static List<DeviceSpec<?>> specs(int count) {
        List<DeviceSpec<?>> l = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            l.add(spec(i));
        }
        return List.copyOf(l);
    }

    /** What a read brought back: the result and the bytes moved before any fault ({@code result.bytes()} of them). */
    public record ReadOutcome(DmaResult result, byte[] data) {
        public boolean blocked() {
            return !result.isOk();
        }
    }

    private final DmaPort port;
    private final RegisterFile registers;

    private long attempts;
    private long blocked;
    private DmaResult lastFault;

    /** A rogue device that ignores Bus Master Enable. */
    public RogueDevice(DeviceContext.Pci ctx) {
        this(ctx, Options.IGNORES_BUS_MASTER_ENABLE);
    }

    public RogueDevice(DeviceContext.Pci ctx, Options options) {
        super(ctx, PciIds.of(VENDOR_ID, DEVICE_ID, CLASS_CODE));
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
        declareBar(Bar.memory32(0, BAR_SIZE), registers);
        if (options == Options.IGNORES_BUS_MASTER_ENABLE) {
            ignoreBusMasterEnable();
        }
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

    public long attempts() { return attempts; }
    public long blocked() { return blocked; }
    public Optional<DmaResult> lastFault() { return Optional.ofNullable(lastFault); }

    /** The register table, for reports and datasheet checks. */
    public List<Register> registerTable() { return registers.registers(); }

    /** Counters are the device's history, not state a reset clears; there is nothing else to reset. */
    @Override protected void resetFunction() { }
}
