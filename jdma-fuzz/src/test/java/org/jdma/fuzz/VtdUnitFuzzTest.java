package org.jdma.fuzz;

import static org.jdma.fuzz.Harness.check;
import static org.jdma.fuzz.Harness.mmioWrite;

import org.jdma.machine.dev.rogue.RogueDevice;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.jdma.platform.Cpu;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.jdma.spec.vtd.VtdRegisterLayout;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.jdma.machine.memory.RamRegion;

/**
 * "Nothing software writes crashes the machine", for the VT-d remapping unit: the fuzz bytes
 * drive a small machine (one copy engine, one rogue device, {@value #RAM_SIZE} bytes of RAM at 0,
 * built once and reset before each input: {@link ReusedMachine}) through a sequence of
 * <ul>
 *   <li>MMIO writes and reads of any width (1, 2, 4, 8) at any offset of the unit's register page,
 *       through the CPU, as a driver would issue them;</li>
 *   <li>bytes written into RAM at a cursor that starts at RTADDR or IQA and can follow a pointer
 *       read from RAM (root entry, context entry, page-table entry), so random bytes land in the
 *       tables the unit walks and the queue it fetches;</li>
 *   <li>DMA reads and writes of any bus address and length through a device's {@link DmaPort}.</li>
 * </ul>
 * No exception may escape. After each DMA: a write that faulted after {@code b} bytes changed at
 * most {@code b} bytes of RAM (a blocked access moved no data); a read that faulted left the
 * destination untouched from byte {@code b} on; and a translation fault the unit reports with a
 * reason was recorded, dropped on overflow, or suppressed by FPD, never lost.
 *
 * <p>Input: {@link FuzzBytes} fields; each operation is a byte choosing one of the cases of the
 * switch below, followed by its fields. Regression inputs:
 * {@code src/test/resources/org/jdma/fuzz/VtdUnitFuzzTestInputs/<method>/}, the hand-made ones
 * written by {@code jdma-fuzz/seeds/vtd_seeds.py} (tables that translate for the copy engine,
 * corrupted tables under a cached translation, an invalidation queue with bad descriptors).
 * Fuzzing mode as for {@link DmarParserFuzzTest}.
 */
class VtdUnitFuzzTest {

    /**
     * Small, so that random pointers land in RAM, and the snapshot for the moved-bytes check and
     * the zeroing between inputs are cheap; the seeds' tables and queue sit below 0x32000.
     */
    static final long RAM_SIZE = 256L << 10;
    private static final long PAGE = 4096;
    private static final int MAX_OPS = 64;
    private static final int MAX_RAM_WRITE = 64;
    private static final int MAX_DMA = 2 * (int) PAGE;
    private static final int[] WIDTHS = {1, 2, 4, 8};
    /** Registers a driver writes, so the fuzzer need not guess their offsets. */
    private static final int[] REGISTERS = {VtdRegisterLayout.GCMD, VtdRegisterLayout.RTADDR, VtdRegisterLayout.CCMD,
            VtdRegisterLayout.FSTS, VtdRegisterLayout.FECTL, VtdRegisterLayout.FEDATA, VtdRegisterLayout.FEADDR,
            VtdRegisterLayout.IQT, VtdRegisterLayout.IQA, VtdRegisterLayout.ICS, VtdRegisterLayout.IECTL,
            VtdRegisterLayout.DEFAULT_IRO * 16 + VtdRegisterLayout.IOTLB_FROM_IRO,
            VtdRegisterLayout.DEFAULT_IRO * 16 + VtdRegisterLayout.IVA_FROM_IRO,
            VtdRegisterLayout.DEFAULT_FRO * 16, VtdRegisterLayout.DEFAULT_FRO * 16 + 8};

    static MachineConfig config() {
        return MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("ram", 0, RAM_SIZE))).withDevice(RogueDevice.spec(0));
    }

    private static final ReusedMachine MACHINE = new ReusedMachine(config());
    private static final MemorySegment SNAPSHOT = Arena.ofAuto().allocate(RAM_SIZE);
    private static final MemorySegment BUFFER = Arena.ofAuto().allocate(MAX_DMA);
    /** What a read's destination holds before the read: past a fault it must still hold it. */
    private static final MemorySegment UNTOUCHED = Arena.ofAuto().allocate(MAX_DMA).fill((byte) 0xA5);

    @FuzzTest(maxDuration = "10m")
    void softwareNeverCrashesTheRemappingUnit(byte[] input) {
        run(MACHINE.fresh(), input, Outcome.IGNORED);
    }

    /** Runs one input on {@code m} (new or reset), telling {@code out} what it observed. */
    static void run(Machine m, byte[] input, Outcome out) {
        FuzzBytes data = new FuzzBytes(input);
        Cpu cpu = m.cpu();
        VtdUnit unit = m.remappingUnits().getFirst();
        long base = unit.registerBase();
        List<DmaPort> ports = m.dmaPorts();
        ports.forEach(p -> p.busMasterEnabled(true)); // as their drivers would: the unit, not Bus Master Enable, is under test
        MemorySegment ram = ramOf(m);
        long cursor = 0;
        long faultsBefore = faultsAccounted(unit); // counters go on over resets: the outcome is the change
        for (int op = 0; op < MAX_OPS && !data.exhausted(); op++) {
            switch (data.choice(7)) {
                case 0 -> { // MMIO write to a known register
                    int reg = REGISTERS[data.choice(REGISTERS.length)];
                    mmioWrite(cpu, base + reg, WIDTHS[data.choice(WIDTHS.length)], data.u64());
                }
                case 1 -> // MMIO write anywhere on the page, any width, aligned or not
                    mmioWrite(cpu, base + data.u16() % VtdRegisterLayout.REGISTER_SET_SIZE,
                            WIDTHS[data.choice(WIDTHS.length)], data.u64());
                case 2 -> out.add("mmio read", mmioRead(cpu, base + data.u16() % VtdRegisterLayout.REGISTER_SET_SIZE,
                        WIDTHS[data.choice(WIDTHS.length)]));
                case 3 -> { // point the cursor at the root table or the invalidation queue
                    long reg = data.choice(2) == 0 ? VtdRegisterLayout.RTADDR : VtdRegisterLayout.IQA;
                    cursor = inRam(cpu.read64(base + reg) & ~(PAGE - 1));
                }
                case 4 -> { // follow a pointer in the table under the cursor (root -> context -> page tables)
                    long entry = inRam(cursor + 8L * (data.u16() % (PAGE / 8)));
                    cursor = inRam(cpu.read64(entry) & ~(PAGE - 1));
                }
                case 5 -> { // random bytes where the cursor points
                    long at = inRam(cursor + data.u16() % PAGE);
                    byte[] bytes = data.bytes(MAX_RAM_WRITE);
                    int n = (int) Math.min(bytes.length, RAM_SIZE - at);
                    MemorySegment.copy(MemorySegment.ofArray(bytes), 0, ram, at, n);
                }
                default -> out.add("dma", dma(data, ports.get(data.choice(ports.size())), unit, ram, SNAPSHOT, BUFFER));
            }
        }
        out.add("faults", faultsAccounted(unit) - faultsBefore);
        out.add("pending fault records", unit.pendingFaultRecords());
    }

    private static DmaResult dma(FuzzBytes data, DmaPort port, VtdUnit unit, MemorySegment ram,
            MemorySegment snapshot, MemorySegment buffer) {
        boolean write = data.choice(2) == 0;
        // Mostly addresses a driver could map (inside the 39-bit space), sometimes anything at all.
        long bus = data.choice(2) == 0 ? data.u64() & ((1L << 39) - 1) : data.u64();
        int len = data.u16() % (MAX_DMA + 1);
        long accounted = faultsAccounted(unit);
        DmaResult r;
        if (write) {
            buffer.fill((byte) 0x5A);
            MemorySegment.copy(ram, 0, snapshot, 0, RAM_SIZE);
            DmaResult w = port.write(bus, buffer, 0, len);
            long changed = changedBytes(snapshot, ram);
            check(w.bytes() >= 0 && w.bytes() <= len, () -> "write " + w + " of " + len + " bytes");
            check(changed <= w.bytes(), () -> "write " + w + " changed " + changed + " bytes of RAM");
            r = w;
        } else {
            buffer.fill((byte) 0xA5);
            DmaResult rd = port.read(bus, buffer, 0, len);
            check(rd.bytes() >= 0 && rd.bytes() <= len, () -> "read " + rd + " of " + len + " bytes");
            if (!rd.isOk() && rd.bytes() < len) {
                long past = MemorySegment.mismatch(buffer, rd.bytes(), len, UNTOUCHED, 0, len - rd.bytes());
                check(past < 0, () -> "read " + rd + " wrote the destination at " + (rd.bytes() + past) + ", past the fault");
            }
            r = rd;
        }
        DmaResult result = r;
        if (!result.isOk() && result.reason().translation() && !result.detail().isNone()) {
            long now = faultsAccounted(unit);
            check(now > accounted, () -> "fault " + result + " was neither recorded, dropped nor suppressed");
        }
        return result;
    }

    private static long faultsAccounted(VtdUnit unit) {
        return unit.faultsRecorded() + unit.faultsDropped() + unit.faultsSuppressed();
    }

    private static long changedBytes(MemorySegment before, MemorySegment after) {
        long changed = 0;
        long from = 0;
        while (from < RAM_SIZE) {
            long i = MemorySegment.mismatch(before, from, RAM_SIZE, after, from, RAM_SIZE);
            if (i < 0) {
                break;
            }
            changed++;
            from = from + i + 1;
        }
        return changed;
    }

    private static long mmioRead(Cpu cpu, long address, int width) {
        return switch (width) {
            case 1 -> cpu.read8(address);
            case 2 -> cpu.read16(address);
            case 4 -> cpu.read32(address);
            default -> cpu.read64(address);
        };
    }

    private static long inRam(long address) {
        return Math.floorMod(address, RAM_SIZE);
    }

    static MemorySegment ramOf(Machine m) {
        RamRegion r = m.physicalMemory().ramAt(0);
        return r.memory();
    }

    /** The message is built only on failure: building it per check cost more than the checks. */
}
