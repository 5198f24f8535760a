package org.jdma.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.memory.RamRegion;
import org.junit.jupiter.api.Test;

/**
 * The fuzz targets build their machine once and reset it per input ({@link ReusedMachine}); that is
 * sound only if the reset is complete. For every pair (A, B) of the target's inputs (its
 * checked-in ones and mutants of them), B run on the reused machine right after A must observe the
 * same (register reads, DMA results with their cost, fault records) and leave the same state (RAM,
 * device registers) as B run on a machine built for it.
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
            byte[] bytes = r.memory().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
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
                long bar0 = nvme.barAddress(org.jdma.spec.nvme.NvmeRegisters.REGISTER_BAR);
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
}
