package org.jdma.fuzz;

import static org.jdma.fuzz.Harness.check;
import static org.jdma.fuzz.Harness.mmioWrite;
import static org.jdma.spec.memcpy.CopyEngineRegisters.*;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.bus.Access;
import org.jdma.machine.bus.AddressTranslator;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.InterruptRequest;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.machine.dev.memcpy.CopyEngineConfig;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.jdma.machine.time.EventKernel;
import org.jdma.platform.Cpu;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.Opcode;
import org.jdma.spec.pci.EcamLayout;
import org.jdma.spec.pci.MsixCapabilityLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * "An engine given garbage completes what it fetched with a status and keeps running", for two
 * copy engines behind VT-d: the tables map a window of {@value IommuWindow#PAGES} pages
 * ({@link IommuWindow}) to both, each engine is enabled with a ring of {@value #RING_SLOTS} slots
 * in the window (engine e's in page e) and four MSI-X entries programmed, and the fuzz bytes then
 * <ul>
 *   <li>write an engine register (ring base mostly in the window, ring size, doorbell, control,
 *       error, page response, interrupt handle, MSI-X entries) with any width and value, or any
 *       offset of its BAR;</li>
 *   <li>write bytes anywhere in the window: data, completion records, descriptors;</li>
 *   <li>put a descriptor at an engine's ring tail and ring its doorbell: any opcode (the seven it
 *       knows mostly, CHAIN and BATCH included), flags, record address, source, destination and
 *       length (addresses mostly in the window, or just below or at its end so that the length
 *       crosses it, or anything), interrupt handle, a reserved byte;</li>
 *   <li>put a descriptor anywhere in the window, 64-aligned, as a batch member or a chain link
 *       (its next-link address mostly in the window);</li>
 *   <li>read a register; let virtual time run.</li>
 * </ul>
 * Then the machine runs until no event is pending. No exception may escape; no byte of RAM outside
 * the window may change; every descriptor an engine fetched has completed (record written when
 * asked, with a status the model could count: an undefined one would throw) unless a reset
 * abandoned it, and an engine still enabled has no work left and waits for no page response; and
 * every access the IOMMU refused is a fault the unit recorded, dropped or suppressed.
 *
 * <p>Engine 0 has the defaults (no alignment, 16 MSI-X entries); engine 1 requires 8-byte aligned
 * data and has 4 entries, so ADDR_ALIGN and INT_HANDLE_INVAL are reachable. Rings are at most
 * 2^{@value #MAX_RING_SHIFT} slots and a page request waits {@value #FAULT_WAIT_NS} ns, so that
 * one input stays short. The machine is built once and reset per input ({@link ReusedMachine}).
 *
 * <p>Input: {@link FuzzBytes} fields; each operation is a byte choosing a case of the switch
 * ({@code seeds/copyengine_seeds.py} writes them). Regression inputs:
 * {@code src/test/resources/org/jdma/fuzz/CopyEngineFuzzTestInputs/<method>/}.
 */
class CopyEngineFuzzTest {

    static final long RAM_SIZE = 512L << 10;
    static final int ENGINES = 2;
    static final int MAX_RING_SHIFT = 8;
    static final long FAULT_WAIT_NS = 100_000;
    static final int RING_SLOTS = 64;
    static final int MSIX_PROGRAMMED = 4;
    /** The vector the programmed MSI-X entries name (no handler: a delivery counts as spurious). */
    static final int VECTOR = 0x40;
    private static final long PAGE = IommuWindow.PAGE;
    private static final long IOVA = IommuWindow.IOVA;
    private static final long BYTES = IommuWindow.BYTES;
    /** Completion records: window page 2, 32 bytes apart. */
    static final long RECORDS = IOVA + 2 * PAGE;
    private static final int MAX_OPS = 48;
    private static final long MAX_STEP_NS = 1L << 16;
    /** How long the machine may stay busy after the last operation; longer is a finding. */
    private static final long QUIESCE_LIMIT_NS = 10_000_000_000L;
    private static final int[] WIDTHS = {1, 2, 4, 8};
    private static final int[] OPCODES = {Opcode.NOOP.code(), Opcode.BATCH.code(), Opcode.DRAIN.code(), Opcode.MEMMOVE.code(),
            Opcode.MEMFILL.code(), Opcode.COMPARE.code(), Opcode.CHAIN.code()};
    private static final int[] REGISTERS = {CONTROL, RING_BASE, RING_SIZE, ERROR, SUBMIT_INDEX, ERR_INT_HANDLE, PAGE_RESPONSE,
            RING_BASE + 4, STATUS, MSIX_TABLE + MSIX_ADDR_LO, MSIX_TABLE + MSIX_DATA, MSIX_TABLE + MSIX_VECTOR_CONTROL,
            MSIX_TABLE + MSIX_ENTRY_SIZE + MSIX_VECTOR_CONTROL};
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static MachineConfig config() {
        CopyEngineConfig base = CopyEngineConfig.DEFAULT.withMaxRingShift(MAX_RING_SHIFT).withFaultWaitTimeoutNs(FAULT_WAIT_NS);
        return MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("ram", 0, RAM_SIZE)))
                .withDevices(List.of(CopyEngine.spec(0, base), CopyEngine.spec(1, base.withAlignmentShift(3).withMsixEntries(MSIX_PROGRAMMED))));
    }

    private static final ReusedMachine MACHINE = new ReusedMachine(config());
    private static final IommuWindow SANDBOX = new IommuWindow(RAM_SIZE);

    @FuzzTest(maxDuration = "10m")
    void garbageDescriptorsCompleteWithAStatusAndStayInTheWindow(byte[] input) {
        run(MACHINE.fresh(), input, Outcome.IGNORED);
    }

    /** What the harness knows of one engine during an input; counters are the model's, which go on over resets. */
    private record Engine(CopyEngine device, long bar, BlockCounter blocks, long fetched, long completed, long abandoned,
                          long msixSent) {
        static Engine of(CopyEngine device, long bar) {
            return new Engine(device, bar, BlockCounter.on(device.port()), device.descriptorsFetched(),
                    device.descriptorsCompleted(), device.descriptorsAbandoned(), device.msix().sent());
        }
    }

    /** Runs one input on {@code m} (new or reset), telling {@code out} what it observed. */
    static void run(Machine m, byte[] input, Outcome out) {
        FuzzBytes data = new FuzzBytes(input);
        Cpu cpu = m.cpu();
        MemorySegment ram = VtdUnitFuzzTest.ramOf(m);
        VtdUnit unit = m.remappingUnits().getFirst();
        long unitFaultsBefore = unit.faultsRecorded() + unit.faultsDropped() + unit.faultsSuppressed();
        Engine[] engines = bringUp(m, cpu);
        SANDBOX.snapshot(ram);
        int[] tails = new int[ENGINES];
        for (int op = 0; op < MAX_OPS && !data.exhausted(); op++) {
            switch (data.choice(7)) {
                case 0 -> {
                    Engine e = engines[data.choice(ENGINES)];
                    int reg = REGISTERS[data.choice(REGISTERS.length)];
                    long value = data.choice(2) == 0 ? plausible(reg, data.u16()) : data.u64();
                    mmioWrite(cpu, e.bar + reg, WIDTHS[data.choice(WIDTHS.length)], value);
                }
                case 1 -> mmioWrite(cpu, engines[data.choice(ENGINES)].bar + data.u16() % CopyEngine.BAR_SIZE,
                        WIDTHS[data.choice(WIDTHS.length)], data.u64());
                case 2 -> SANDBOX.write(ram, IommuWindow.WINDOW + data.u16() % BYTES, data.bytes(64));
                case 3 -> {
                    int e = data.choice(ENGINES);
                    SANDBOX.write(ram, IommuWindow.WINDOW + e * PAGE + (long) tails[e] * CopyDescriptorLayout.SIZE,
                            descriptor(data, false));
                    tails[e] = (tails[e] + 1) % RING_SLOTS;
                    cpu.write32(engines[e].bar + SUBMIT_INDEX, tails[e]);
                }
                case 4 -> SANDBOX.write(ram, IommuWindow.WINDOW + data.u16() % (BYTES / CopyDescriptorLayout.SIZE)
                        * CopyDescriptorLayout.SIZE, descriptor(data, true));
                case 5 -> out.add("read", cpu.read32(engines[data.choice(ENGINES)].bar + (data.u16() % 0x2000 & ~3L)));
                default -> m.eventKernel().runFor(data.u16() % MAX_STEP_NS * 16);
            }
        }
        EventKernel kernel = m.eventKernel();
        boolean quiet = kernel.runUntil(() -> kernel.pendingEvents() == 0, kernel.now() + QUIESCE_LIMIT_NS);
        check(quiet, () -> kernel.pendingEvents() + " events still pending " + QUIESCE_LIMIT_NS + " ns after the input");
        SANDBOX.checkNothingOutsideChanged(ram);
        long blocked = 0;
        for (int i = 0; i < ENGINES; i++) {
            checkEngine(cpu, engines[i], out);
            blocked += engines[i].blocks.blocked;
        }
        long unitFaults = unit.faultsRecorded() + unit.faultsDropped() + unit.faultsSuppressed() - unitFaultsBefore;
        long refused = blocked;
        check(unitFaults == refused, () -> "the IOMMU refused " + refused + " accesses of the engines but accounted "
                + unitFaults + " faults (recorded, dropped or suppressed)");
        out.add("unit faults", unitFaults);
        out.add("now", kernel.now());
    }

    /** Every descriptor fetched completed or was abandoned by a reset; an enabled engine is idle, not waiting. */
    private static void checkEngine(Cpu cpu, Engine e, Outcome out) {
        CopyEngine d = e.device;
        long fetched = d.descriptorsFetched() - e.fetched;
        long completed = d.descriptorsCompleted() - e.completed;
        long abandoned = d.descriptorsAbandoned() - e.abandoned;
        long status = cpu.read32(e.bar + STATUS) & 0xFFFF_FFFFL;
        check(fetched == completed + abandoned, () -> d.name() + " fetched " + fetched + " descriptors, completed "
                + completed + ", a reset abandoned " + abandoned + "; STATUS " + Long.toHexString(status));
        long state = status & STATUS_STATE_MASK;
        check(state != STATE_RUNNING || (status & STATUS_IDLE) != 0, () -> d.name() + " is running with work left but the"
                + " machine is quiet: FETCH_INDEX " + cpu.read32(e.bar + FETCH_INDEX) + ", SUBMIT_INDEX " + cpu.read32(e.bar + SUBMIT_INDEX));
        check((status & STATUS_FAULT_WAIT) == 0, () -> d.name() + " still waits for a page response, past its timeout");
        check(state != 3, () -> d.name() + " reports the undefined state 3");
        out.add(d.name() + " fetched/completed/abandoned", fetched + "/" + completed + "/" + abandoned);
        out.add(d.name() + " STATUS/ERROR/COMPLETED", Long.toHexString(status) + "/" + Integer.toHexString(cpu.read32(e.bar + ERROR))
                + "/" + cpu.read64(e.bar + COMPLETED));
        out.add(d.name() + " msi-x sent", d.msix().sent() - e.msixSent);
        out.add(d.name() + " refused", e.blocks.blocked);
    }

    /**
     * What a driver does first, per engine: Memory Space and Bus Master Enable, the window mapped
     * ({@link IommuWindow}), MSI-X enabled with its first entries naming {@link #VECTOR}, a ring of
     * {@value #RING_SLOTS} slots in window page e, the error interrupt on entry 1, ENABLE.
     */
    private static Engine[] bringUp(Machine m, Cpu cpu) {
        List<CopyEngine> devices = m.devices(CopyEngine.class);
        long[] bars = IommuWindow.enable(m, cpu, devices.stream().map(CopyEngine::requester).toList(), 0);
        MsiMessage message = m.interrupts().messageFor(VECTOR);
        Engine[] engines = new Engine[ENGINES];
        for (int i = 0; i < ENGINES; i++) {
            CopyEngine d = devices.get(i);
            long bar = bars[i];
            long cfg = m.config().pci().ecamBase() + EcamLayout.offset(d.requester(), 0);
            cpu.write16(cfg + d.msixCapabilityOffset().orElseThrow() + MsixCapabilityLayout.MESSAGE_CONTROL,
                    MsixCapabilityLayout.CONTROL_ENABLE);
            for (int entry = 0; entry < MSIX_PROGRAMMED; entry++) {
                long at = bar + MSIX_TABLE + (long) entry * MSIX_ENTRY_SIZE;
                cpu.write64(at + MSIX_ADDR_LO, message.address());
                cpu.write32(at + MSIX_DATA, message.data());
                cpu.write32(at + MSIX_VECTOR_CONTROL, 0);
            }
            cpu.write64(bar + RING_BASE, IOVA + i * PAGE);
            cpu.write32(bar + RING_SIZE, RING_SLOTS);
            cpu.write32(bar + ERR_INT_HANDLE, 1);
            cpu.write32(bar + CONTROL, CONTROL_ENABLE | CONTROL_ERR_INT_EN);
            check(cpu.read32(bar + STATUS) == (STATE_RUNNING | STATUS_IDLE), () -> d.name() + " not running after bring-up");
            engines[i] = Engine.of(d, bar);
        }
        return engines;
    }

    /** A value a driver might write to {@code reg}, from 16 fuzz bits. */
    private static long plausible(int reg, int bits) {
        return switch (reg) {
            case RING_BASE -> IOVA + bits % (BYTES / RING_BASE_ALIGN) * RING_BASE_ALIGN;
            case RING_SIZE -> 1L << (bits % (MAX_RING_SHIFT + 2));
            case CONTROL -> bits & (CONTROL_ENABLE | CONTROL_RESET | CONTROL_ERR_INT_EN);
            case SUBMIT_INDEX -> bits % (1 << MAX_RING_SHIFT);
            case PAGE_RESPONSE -> bits & PAGE_RESPONSE_CODE_MASK;
            default -> bits;
        };
    }

    /**
     * A descriptor of 64 bytes: opcode, flags, record address, source, destination, size,
     * interrupt handle from the input, then (a link) the next link's address, then maybe one byte
     * anywhere in it replaced (a reserved byte, mostly).
     */
    static byte[] descriptor(FuzzBytes data, boolean link) {
        byte[] bytes = new byte[CopyDescriptorLayout.SIZE];
        MemorySegment d = MemorySegment.ofArray(bytes);
        int opcode = data.choice(4) == 0 ? data.u8() : OPCODES[data.choice(OPCODES.length)];
        int flags = data.choice(4) == 0 ? data.u8() | data.u16() << 8 : flags(data.u8());
        d.set(LE_INT, CopyDescriptorLayout.FLAGS_OPCODE, CopyDescriptorLayout.flagsOpcode(flags, opcode));
        d.set(LE_LONG, CopyDescriptorLayout.COMPLETION_ADDR,
                data.choice(2) == 0 ? RECORDS + (long) data.u8() * 32 % PAGE : data.u64());
        d.set(LE_LONG, CopyDescriptorLayout.SRC_ADDR, address(data));
        d.set(LE_LONG, CopyDescriptorLayout.DST_ADDR, address(data));
        d.set(LE_INT, CopyDescriptorLayout.XFER_SIZE, data.choice(2) == 0 ? data.u16() : (int) data.u64());
        d.set(LE_SHORT, CopyDescriptorLayout.INT_HANDLE, (short) data.u8());
        if (link) {
            d.set(LE_LONG, CopyDescriptorLayout.NEXT_LINK, data.choice(2) == 0
                    ? IOVA + data.u16() % (BYTES / CopyDescriptorLayout.SIZE) * CopyDescriptorLayout.SIZE : data.u64());
        }
        if (data.choice(8) == 0) {
            bytes[data.u8() % CopyDescriptorLayout.SIZE] = (byte) data.u8();
        }
        return bytes;
    }

    /** Flags a driver uses, one bit of {@code bits} each: FENCE, BOF, CRAV, RCR, RCI, CC, LINK_LAST. */
    private static int flags(int bits) {
        int f = bits & (CopyDescriptorLayout.FLAG_FENCE | CopyDescriptorLayout.FLAG_BOF | CopyDescriptorLayout.FLAG_CRAV
                | CopyDescriptorLayout.FLAG_RCR | CopyDescriptorLayout.FLAG_RCI);
        f |= (bits & 0x20) != 0 ? CopyDescriptorLayout.FLAG_CC : 0;
        f |= (bits & 0x40) != 0 ? CopyDescriptorLayout.FLAG_LINK_LAST : 0;
        return f;
    }

    /** An address in the window, just below it or near its end (a length then crosses it), or anything. */
    private static long address(FuzzBytes data) {
        return switch (data.choice(4)) {
            case 0 -> IOVA + data.u16() % BYTES;
            case 1 -> IOVA + BYTES - 1 - data.u8();
            case 2 -> IOVA - 1 - data.u8();
            default -> data.u64();
        };
    }

    /**
     * An engine port's view of the VT-d unit that counts the accesses the unit refuses: each must
     * be a fault the unit recorded, dropped or suppressed. Put on a port once (it stays over
     * machine resets, as the port's translator does) and zeroed per input.
     */
    static final class BlockCounter implements AddressTranslator {
        private final AddressTranslator unit;
        long blocked;

        private BlockCounter(AddressTranslator unit) {
            this.unit = unit;
        }

        static BlockCounter on(DmaPort port) {
            if (port.translator() instanceof BlockCounter c) {
                c.blocked = 0;
                return c;
            }
            BlockCounter c = new BlockCounter(port.translator());
            port.translator(c);
            return c;
        }

        @Override
        public Translation translate(RequesterId requester, long busAddress, long length, Access access) {
            Translation t = unit.translate(requester, busAddress, length, access);
            if (t.faulted()) {
                blocked++;
            }
            return t;
        }

        @Override public boolean passesThrough(RequesterId requester) { return unit.passesThrough(requester); }
        @Override public boolean remapsInterrupts(RequesterId requester) { return unit.remapsInterrupts(requester); }

        @Override
        public InterruptRequest remapInterrupt(RequesterId requester, long address, int data) {
            return unit.remapInterrupt(requester, address, data);
        }
    }

    /** The engines' registers, each as wide as it is: the state {@link ResetCompletenessTest} compares. */
    static List<String> state(Machine m) {
        return m.devices(CopyEngine.class).stream().flatMap(d -> d.registerTable().stream().map(r -> {
            long at = d.barAddress(0) + r.offset();
            long v = r.width() == 8 ? m.cpu().read64(at) : m.cpu().read32(at) & 0xFFFF_FFFFL;
            return d.name() + " " + r.name() + "=" + Long.toHexString(v);
        })).toList();
    }
}
