package org.jdma.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.memory.RamRegion;
import org.jdma.spec.nvme.NvmeRegisters;
import org.junit.jupiter.api.Test;

/**
 * The fuzz targets build their machine once and reset it per input ({@link ReusedMachine}); that is
 * sound only if the reset is complete. For every pair (A, B) of the target's inputs (its
 * checked-in ones and mutants of them), B run on the reused machine right after A must observe the
 * same (register reads, DMA results with their cost, fault records) and leave the same state (RAM,
 * device registers) as B run on a machine built for it. The reused machine is the target's own
 * (the {@code nvme} and {@code ixgbe} targets zero only the IOMMU window after a passed check,
 * {@link IommuWindow#restore}); the tests at the end check that restore on its own.
 */
class ResetCompletenessTest {

    /** A target's way to run one input on a given machine and to describe the state it left. */
    interface Target {
        MachineConfig config();

        void run(Machine m, byte[] input, Outcome out);

        /** Device state the outcome does not show: register values, queue positions. */
        List<String> state(Machine m);

        /** The reused machine as the target's fuzzing path builds it (RAM restored its way). */
        default ReusedMachine reusedMachine() {
            return new ReusedMachine(config());
        }
    }

    private static final int MUTANTS = 6;

    static void assertResetComplete(Target target, Path inputs) {
        assertResetComplete(target, inputs, MUTANTS);
    }

    /** With {@code mutants} per checked-in input: fewer for a target whose runs are slow (every pair runs three times). */
    static void assertResetComplete(Target target, Path inputs, int mutants) {
        List<byte[]> corpus = corpus(inputs, mutants);
        try (ReusedMachine reused = target.reusedMachine()) {
            for (byte[] a : corpus) {
                for (byte[] b : corpus) {
                    target.run(reused.fresh(), a, Outcome.IGNORED);
                    Machine m = reused.fresh();
                    Outcome afterA = new Outcome();
                    target.run(m, b, afterA);
                    List<String> stateAfterA = state(target, m);
                    try (Machine fresh = new Machine(target.config())) {
                        Outcome alone = new Outcome();
                        target.run(fresh, b, alone);
                        assertEquals(alone.observed(), afterA.observed(), "what B observed after A");
                        assertEquals(state(target, fresh), stateAfterA, "the state B left after A");
                    }
                }
            }
        }
    }

    private static List<String> state(Target target, Machine m) {
        List<String> s = new ArrayList<>(target.state(m));
        for (RamRegion r : m.physicalMemory().ramRegions()) {
            byte[] bytes = r.memory().toArray(ValueLayout.JAVA_BYTE);
            s.add(r.name() + " " + java.util.Arrays.hashCode(bytes));
        }
        return s;
    }

    /** The checked-in inputs, each with a few mutants (bytes replaced at random, seeded). */
    static List<byte[]> corpus(Path dir, int mutants) {
        List<byte[]> seeds = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                seeds.add(Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SplittableRandom random = new SplittableRandom(18);
        List<byte[]> corpus = new ArrayList<>(seeds);
        for (byte[] seed : seeds) {
            for (int i = 0; i < mutants && seed.length > 0; i++) {
                byte[] mutant = seed.clone();
                for (int k = 0; k < 1 + seed.length / 16; k++) {
                    mutant[random.nextInt(mutant.length)] = (byte) random.nextInt(256);
                }
                corpus.add(mutant);
            }
        }
        return corpus;
    }

    static Path inputs(String targetClass, String method) {
        return Path.of("src/test/resources/org/jdma/fuzz", targetClass + "Inputs", method);
    }

    @Test
    void vtdTargetSeesTheSameAfterAnyInputAsOnANewMachine() {
        assertResetComplete(new Target() {
            @Override public MachineConfig config() { return VtdUnitFuzzTest.config(); }
            @Override public void run(Machine m, byte[] input, Outcome out) { VtdUnitFuzzTest.run(m, input, out); }
            @Override public List<String> state(Machine m) {
                var unit = m.remappingUnits().getFirst();
                return unit.registers().stream().map(r -> r.name() + "=" + Long.toHexString(unit.register(r))).toList();
            }
        }, inputs("VtdUnitFuzzTest", "softwareNeverCrashesTheRemappingUnit"));
    }

    @Test
    void isaDmaTargetSeesTheSameAfterAnyInputAsOnANewMachine() {
        assertResetComplete(new Target() {
            @Override public MachineConfig config() { return IsaDmaFuzzTest.config(); }
            @Override public void run(Machine m, byte[] input, Outcome out) { IsaDmaFuzzTest.run(m, input, out); }
            @Override public List<String> state(Machine m) {
                byte[] medium = m.devices(org.jdma.machine.dev.isablock.IsaBlockDevice.class).getFirst().medium();
                return List.of("medium " + java.util.Arrays.hashCode(medium), "now " + m.clock().now());
            }
        }, inputs("IsaDmaFuzzTest", "portWritesAndDreqNeverCrashTheControllers"));
    }

    @Test
    void nvmeTargetSeesTheSameAfterAnyInputAsOnANewMachine() {
        assertResetComplete(new Target() {
            @Override public MachineConfig config() { return NvmeFuzzTest.config(); }
            @Override public void run(Machine m, byte[] input, Outcome out) { NvmeFuzzTest.run(m, input, out); }
            @Override public ReusedMachine reusedMachine() { return NvmeFuzzTest.reusedMachine(); }
            @Override public List<String> state(Machine m) {
                var nvme = (org.jdma.machine.dev.nvme.NvmeController) m.device("nvme0");
                long bar0 = nvme.barAddress(NvmeRegisters.REGISTER_BAR);
                return nvme.registerTable().stream().map(r -> r.name() + "=" + Long.toHexString(r.width() == 8 ? m.cpu().read64(bar0 + r.offset()) : m.cpu().read32(bar0 + r.offset()))).toList();
            }
        }, inputs("NvmeFuzzTest", "garbageCommandsCompleteOrFailTheControllerAndStayInTheWindow"), 2);
    }

    @Test
    void ixgbeTargetSeesTheSameAfterAnyInputAsOnANewMachine() {
        assertResetComplete(new Target() {
            @Override public MachineConfig config() { return IxgbeFuzzTest.config(); }
            @Override public void run(Machine m, byte[] input, Outcome out) { IxgbeFuzzTest.run(m, input, out); }
            @Override public ReusedMachine reusedMachine() { return IxgbeFuzzTest.reusedMachine(); }
            @Override public List<String> state(Machine m) {
                var port = (org.jdma.machine.dev.ixgbe.IxgbePort) m.device("eth0");
                long bar0 = port.barAddress(org.jdma.spec.ixgbe.IxgbeRegisters.CSR_BAR);
                return java.util.stream.IntStream.of(org.jdma.spec.ixgbe.IxgbeRegisters.rdh(0), org.jdma.spec.ixgbe.IxgbeRegisters.rdt(0),
                                org.jdma.spec.ixgbe.IxgbeRegisters.tdh(0), org.jdma.spec.ixgbe.IxgbeRegisters.tdt(0),
                                org.jdma.spec.ixgbe.IxgbeRegisters.RXCTRL, org.jdma.spec.ixgbe.IxgbeRegisters.EICR)
                        .mapToObj(r -> Integer.toHexString(r) + "=" + Integer.toHexString(m.cpu().read32(bar0 + r))).toList();
            }
        }, inputs("IxgbeFuzzTest", "garbageDescriptorsAndFramesAreCountedAndStayInTheWindow"), 2);
    }

    @Test
    void copyEngineTargetSeesTheSameAfterAnyInputAsOnANewMachine() {
        assertResetComplete(new Target() {
            @Override public MachineConfig config() { return CopyEngineFuzzTest.config(); }
            @Override public void run(Machine m, byte[] input, Outcome out) { CopyEngineFuzzTest.run(m, input, out); }
            @Override public List<String> state(Machine m) { return CopyEngineFuzzTest.state(m); }
        }, inputs("CopyEngineFuzzTest", "garbageDescriptorsCompleteWithAStatusAndStayInTheWindow"), 2);
    }

    @Test
    void irTargetSeesTheSameAfterAnyInputAsOnANewMachine() {
        assertResetComplete(new Target() {
            @Override public MachineConfig config() { return VtdUnitFuzzTest.config(); }
            @Override public void run(Machine m, byte[] input, Outcome out) { IrFuzzTest.run(m, input, out); }
            @Override public List<String> state(Machine m) {
                var unit = m.remappingUnits().getFirst();
                return unit.registers().stream().map(r -> r.name() + "=" + Long.toHexString(unit.register(r))).toList();
            }
        }, inputs("IrFuzzTest", "blockedInterruptsAreFaultRecordedWithAReason"));
    }

    // ---------------------------------------------------------------- the window's RAM restore

    private static final long RAM_SIZE = NvmeFuzzTest.RAM_SIZE;

    /** A machine with the NVMe target's configuration, its window enabled and the snapshot taken. */
    private static Machine windowed(IommuWindow window) {
        Machine m = new Machine(NvmeFuzzTest.config());
        bringUp(m, window);
        return m;
    }

    private static void bringUp(Machine m, IommuWindow window) {
        IommuWindow.enable(m, m.cpu(), NvmeFuzzTest.SLOT, NvmeRegisters.REGISTER_BAR);
        window.snapshot(m, VtdUnitFuzzTest.ramOf(m));
    }

    private static long firstNonZero(Machine m) {
        return MemorySegment.mismatch(VtdUnitFuzzTest.ramOf(m), 0, RAM_SIZE,
                Arena.ofAuto().allocate(RAM_SIZE), 0, RAM_SIZE);
    }

    @Test
    void windowRestoreAfterAPassedCheckLeavesRamAsANewMachineHasAfterBringUp() {
        IommuWindow window = new IommuWindow(RAM_SIZE);
        try (Machine m = windowed(window); Machine reference = new Machine(NvmeFuzzTest.config())) {
            MemorySegment ram = VtdUnitFuzzTest.ramOf(m);
            window.write(ram, IommuWindow.WINDOW + 0x100, new byte[] {1, 2, 3});
            ram.set(ValueLayout.JAVA_LONG, IommuWindow.WINDOW + IommuWindow.BYTES - 8, -1L); // a device's write
            window.checkNothingOutsideChanged(m, ram);
            m.reset();
            window.restore(m);
            assertEquals(-1, MemorySegment.mismatch(ram, IommuWindow.WINDOW, IommuWindow.WINDOW + IommuWindow.BYTES,
                    Arena.ofAuto().allocate(IommuWindow.BYTES), 0, IommuWindow.BYTES), "the window is zeroed");
            bringUp(m, window);
            IommuWindow.enable(reference, reference.cpu(), NvmeFuzzTest.SLOT, NvmeRegisters.REGISTER_BAR);

            assertEquals(-1, ram.mismatch(VtdUnitFuzzTest.ramOf(reference)),
                    "RAM after restore and bring-up against a new machine's");
        }
    }

    @Test
    void windowRestoreZeroesAllRamAfterAFailedCheck() {
        IommuWindow window = new IommuWindow(RAM_SIZE);
        try (Machine m = windowed(window)) {
            MemorySegment ram = VtdUnitFuzzTest.ramOf(m);
            ram.set(ValueLayout.JAVA_BYTE, 0x1234, (byte) 7);
            AssertionError e = assertThrows(AssertionError.class,
                    () -> window.checkNothingOutsideChanged(m, ram));
            assertEquals("RAM at 1234, below the IOMMU window, changed", e.getMessage());
            m.reset();
            window.restore(m);

            assertEquals(-1, firstNonZero(m), "first byte not zero");
        }
    }

    @Test
    void windowRestoreZeroesAllRamOfAMachineOtherThanTheOneWhoseCheckPassed() {
        IommuWindow window = new IommuWindow(RAM_SIZE);
        try (Machine other = windowed(window); Machine m = windowed(window)) {
            window.checkNothingOutsideChanged(m, VtdUnitFuzzTest.ramOf(m));
            other.reset();
            window.restore(other);

            assertEquals(-1, firstNonZero(other), "first byte not zero");
        }
    }

    @Test
    void keptSnapshotStillFailsAWriteOutsideTheWindow() {
        IommuWindow window = new IommuWindow(RAM_SIZE);
        for (long outside : new long[] {0x3FFFF, 0x60000, 0x70000, 0x7FFFF}) { // zero pages and the root table's page
            try (Machine m = windowed(window)) {
                MemorySegment ram = VtdUnitFuzzTest.ramOf(m);
                window.checkNothingOutsideChanged(m, ram);
                m.reset();
                window.restore(m);
                bringUp(m, window); // keeps the snapshot
                ram.set(ValueLayout.JAVA_BYTE, outside, (byte) (ram.get(ValueLayout.JAVA_BYTE, outside) ^ 0x5A));

                AssertionError e = assertThrows(AssertionError.class,
                        () -> window.checkNothingOutsideChanged(m, ram));
                assertEquals("RAM at " + Long.toHexString(outside) + ", " + (outside < IommuWindow.WINDOW ? "below" : "above")
                        + " the IOMMU window, changed", e.getMessage());
            }
        }
    }
}
