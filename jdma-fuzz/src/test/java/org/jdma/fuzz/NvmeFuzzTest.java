package org.jdma.fuzz;

import static org.jdma.fuzz.Harness.check;
import static org.jdma.fuzz.Harness.mmioWrite;
import static org.jdma.spec.nvme.NvmeRegisters.*;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.nvme.NamespaceSpec;
import org.jdma.machine.dev.nvme.NvmeConfig;
import org.jdma.machine.dev.nvme.NvmeController;
import org.jdma.platform.Cpu;
import org.jdma.spec.nvme.SubmissionEntryLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * "A controller given garbage sets an error status and keeps running", for the NVMe controller
 * behind VT-d: the tables map a window of {@value #WINDOW_PAGES} pages of RAM (admin queues in its
 * first two pages) and nothing else, the controller is enabled, and the fuzz bytes then
 * <ul>
 *   <li>write any BAR0 register or doorbell with any width and value (CC, AQA, ASQ, ACQ, NSSR
 *       included: the input may disable, reset or re-point the controller);</li>
 *   <li>write bytes anywhere in the window: submission entries, PRP lists, SGL segments, data;</li>
 *   <li>submit an entry (opcode from the admin and NVM sets or any byte, pointers inside the window
 *       or anywhere) at the admin queue's tail and ring its doorbell;</li>
 *   <li>let virtual time run.</li>
 * </ul>
 * No exception may escape; no byte of RAM outside the window may change (the device wrote nothing
 * the IOMMU did not allow); and unless the input touched CC or NSSR, once the controller is quiet
 * every command it fetched has completed or waits for room in a full completion queue (the
 * input never moves a queue's head unless it writes that doorbell), but for the Asynchronous Event
 * Requests the controller may hold,
 * or CSTS.CFS is set. The machine is built once and reset
 * per input ({@link ReusedMachine}); the namespace, which a reset keeps, is erased per input.
 *
 * <p>Input: {@link FuzzBytes} fields; each operation is a byte choosing a case of the switch.
 * Regression inputs: {@code src/test/resources/org/jdma/fuzz/NvmeFuzzTestInputs/<method>/}.
 */
class NvmeFuzzTest {

    static final long RAM_SIZE = 512L << 10;
    static final RequesterId SLOT = RequesterId.of(0, 6, 0);
    private static final long PAGE = IommuWindow.PAGE;
    static final int WINDOW_PAGES = IommuWindow.PAGES;
    static final long WINDOW = IommuWindow.WINDOW;
    static final long WINDOW_BYTES = IommuWindow.BYTES;
    static final long IOVA = IommuWindow.IOVA;
    static final int ADMIN_ENTRIES = 16;
    private static final int MAX_OPS = 48;
    /** Virtual time one operation may let pass, and what the end of an input lets pass to quiesce. */
    private static final long MAX_STEP_NS = 1L << 20;
    private static final long QUIESCE_NS = 50_000_000;
    private static final int[] WIDTHS = {1, 2, 4, 8};
    private static final int[] REGISTERS = {CC, AQA, ASQ, ACQ, INTMS, INTMC, NSSR, CSTS};
    private static final int[] OPCODES = {0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x08, 0x09, 0x0A, 0x0C, 0x08, 0x09};
    /** Asynchronous Event Requests the controller may hold without completing (Identify AERL 3, 0's based). */
    private static final int EVENT_REQUESTS_HELD = 4;
    private static final long BAR0_SPAN = 0x2000;
    /** A small namespace, so that erasing it per input is cheap. */
    static final NvmeConfig NVME = NvmeConfig.DEFAULT.withNamespaces(NamespaceSpec.memory(512, 256)).withIoQueuePairs(2)
            .withMaxQueueEntries(64);

    static MachineConfig config() {
        return MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("ram", 0, RAM_SIZE)))
                .withDevice(NvmeController.spec("nvme0", SLOT, NVME));
    }

    private static final IommuWindow SANDBOX = new IommuWindow(RAM_SIZE);
    private static final ReusedMachine MACHINE = reusedMachine();

    /** A machine for this target's inputs, whose RAM is restored per input as {@link IommuWindow#restore} says. */
    static ReusedMachine reusedMachine() {
        return new ReusedMachine(config(), SANDBOX::restore);
    }

    @FuzzTest(maxDuration = "10m")
    void garbageCommandsCompleteOrFailTheControllerAndStayInTheWindow(byte[] input) {
        run(MACHINE.fresh(), input, Outcome.IGNORED);
    }

    /** Runs one input on {@code m} (new or reset), telling {@code out} what it observed. */
    static void run(Machine m, byte[] input, Outcome out) {
        FuzzBytes data = new FuzzBytes(input);
        Cpu cpu = m.cpu();
        NvmeController nvme = (NvmeController) m.device("nvme0");
        nvme.eraseNamespaces();
        long bar0 = bringUp(m, cpu);
        MemorySegment ram = VtdUnitFuzzTest.ramOf(m);
        SANDBOX.snapshot(m, ram);
        long fetchedBefore = nvme.commandsFetched();
        long completedBefore = nvme.completionsPosted();
        long faultsBefore = m.remappingUnits().getFirst().faultsRecorded(); // counters go on over resets
        boolean controlTouched = false;
        int adminTail = 0;
        for (int op = 0; op < MAX_OPS && !data.exhausted(); op++) {
            switch (data.choice(6)) {
                case 0 -> { // a known register, any width; ASQ/ACQ mostly inside the window
                    int reg = REGISTERS[data.choice(REGISTERS.length)];
                    long value = data.choice(2) == 0 ? IOVA + (data.u16() % WINDOW_PAGES) * PAGE : data.u64();
                    controlTouched |= reg != INTMS && reg != INTMC && reg != CSTS;
                    mmioWrite(cpu, bar0 + reg, WIDTHS[data.choice(WIDTHS.length)], value);
                }
                case 1 -> { // anywhere in BAR0 (doorbells included), any width
                    long offset = data.u16() % BAR0_SPAN;
                    controlTouched |= offset < DOORBELLS;
                    mmioWrite(cpu, bar0 + offset, WIDTHS[data.choice(WIDTHS.length)], data.u64());
                }
                case 2 -> { // bytes in the window: entries, PRP lists, SGL segments, data
                    long at = WINDOW + data.u16() % WINDOW_BYTES;
                    SANDBOX.write(ram, at, data.bytes(64));
                }
                case 3 -> { // a command at the admin tail, then its doorbell
                    submit(data, ram, adminTail);
                    adminTail = (adminTail + 1) % ADMIN_ENTRIES;
                    cpu.write32(bar0 + sqTailDoorbell(0, NVME.doorbellStride()), adminTail);
                }
                case 4 -> out.add("read", cpu.read32(bar0 + (data.u16() % BAR0_SPAN & ~3L)));
                default -> m.clock().runFor(data.u16() % MAX_STEP_NS * 16);
            }
        }
        m.clock().runFor(QUIESCE_NS);
        SANDBOX.checkNothingOutsideChanged(m, ram);
        int csts = cpu.read32(bar0 + CSTS);
        long fetched = nvme.commandsFetched() - fetchedBefore;
        long completed = nvme.completionsPosted() - completedBefore;
        long waiting = nvme.completionsWaiting();
        if (!controlTouched && (csts & CSTS_CFS) == 0) {
            check(fetched - completed - waiting <= EVENT_REQUESTS_HELD, () -> fetched + " commands fetched but "
                    + completed + " completed and " + waiting + " waiting for room, CSTS " + Integer.toHexString(csts));
        }
        out.add("csts", Integer.toHexString(csts));
        out.add("fetched/completed/waiting", fetched + "/" + completed + "/" + waiting);
        out.add("faults", m.remappingUnits().getFirst().faultsRecorded() - faultsBefore);
    }

    /** An entry with an opcode a driver sends (or any byte), CDWs from the input, pointers mostly in the window. */
    private static void submit(FuzzBytes data, MemorySegment ram, int tail) {
        byte[] sqe = new byte[SubmissionEntryLayout.SIZE];
        MemorySegment e = MemorySegment.ofArray(sqe);
        int opcode = data.choice(4) == 0 ? data.u8() : OPCODES[data.choice(OPCODES.length)];
        e.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0, opcode | data.u8() << 8 | data.u16() << 16);
        e.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 4, data.choice(3)); // NSID 0, 1 or 2
        for (int ptr = 24; ptr <= 32; ptr += 8) { // PRP1, PRP2 (or the SGL descriptor)
            long p = data.choice(2) == 0 ? IOVA + data.u16() % WINDOW_BYTES : data.u64();
            e.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, ptr, p);
        }
        for (int dw = 40; dw < SubmissionEntryLayout.SIZE; dw += 4) { // CDW10..15
            e.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, dw, data.choice(2) == 0 ? data.u8() : (int) data.u64());
        }
        MemorySegment.copy(e, 0, ram, WINDOW + (long) tail * SubmissionEntryLayout.SIZE, SubmissionEntryLayout.SIZE);
    }

    /**
     * What a driver does first: Memory Space and Bus Master Enable, VT-d tables mapping the window
     * for the controller only, translation on ({@link IommuWindow}), admin queues in the window,
     * CC.EN, wait for RDY.
     */
    private static long bringUp(Machine m, Cpu cpu) {
        long bar0 = IommuWindow.enable(m, cpu, SLOT, REGISTER_BAR);
        cpu.write32(bar0 + AQA, aqa(ADMIN_ENTRIES, ADMIN_ENTRIES));
        cpu.write64(bar0 + ASQ, IOVA);
        cpu.write64(bar0 + ACQ, IOVA + PAGE);
        cpu.write32(bar0 + CC, ccEnable(0));
        m.eventKernel().runUntil(() -> (cpu.read32(bar0 + CSTS) & (CSTS_RDY | CSTS_CFS)) != 0, m.eventKernel().now() + 1_000_000_000L);
        check((cpu.read32(bar0 + CSTS) & CSTS_RDY) != 0, () -> "controller not ready after bring-up");
        return bar0;
    }
}
