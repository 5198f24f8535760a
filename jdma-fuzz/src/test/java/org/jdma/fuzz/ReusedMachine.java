package org.jdma.fuzz;

import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.memory.RamRegion;

/**
 * One machine for a whole fuzzing run: built once, then before each input put back into the
 * state a new machine has ({@link Machine#reset()}: events, time, devices, remapping units, BARs)
 * with RAM as a new machine holds it. Building a machine per input (RAM mapping, PCI enumeration,
 * firmware tables) costs more than most inputs. By default every RAM region is zeroed, as a new
 * machine's anonymous memory is, which is cheap only because the targets give their machines
 * little of it (a few hundred KiB); a target that can prove less is enough passes its own
 * {@link RamRestore} ({@link IommuWindow#restore}: only the window, when the last input's check
 * proved the rest unchanged).
 *
 * <p>{@link ResetCompletenessTest} checks the promise: an input run on the reused machine after
 * another input gives the same outcome as on a new one.
 */
final class ReusedMachine implements AutoCloseable {

    /** How {@link #fresh()} brings a reset machine's RAM back to what a new machine holds. */
    @FunctionalInterface
    interface RamRestore {
        void restore(Machine m);
    }

    /** Every RAM region zeroed. */
    static final RamRestore ZERO_ALL = ReusedMachine::zeroAll;

    private final MachineConfig config;
    private final RamRestore ram;
    private Machine machine;

    /** A machine whose RAM is zeroed whole before each input. */
    ReusedMachine(MachineConfig config) {
        this(config, ZERO_ALL);
    }

    ReusedMachine(MachineConfig config, RamRestore ram) {
        this.config = config;
        this.ram = ram;
    }

    /** The machine, in its power-on state with RAM as new; built on the first call. */
    Machine fresh() {
        if (machine == null) {
            machine = new Machine(config);
            return machine;
        }
        machine.reset();
        ram.restore(machine);
        return machine;
    }

    static void zeroAll(Machine m) {
        for (RamRegion r : m.physicalMemory().ramRegions()) {
            r.memory().fill((byte) 0);
        }
    }

    @Override
    public void close() {
        if (machine != null) {
            machine.close();
            machine = null;
        }
    }
}
