package org.jdma.fuzz;

import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.memory.RamRegion;

/**
 * One machine for a whole fuzzing run: built once, then before each input put back into the
 * state a new machine has ({@link Machine#reset()}: events, time, devices, remapping units, BARs)
 * with every RAM region zeroed, as a new machine's anonymous memory is. Building a machine per
 * input (RAM mapping, PCI enumeration, firmware tables) costs more than most inputs; zeroing RAM is
 * cheap only because the targets give their machines little of it (a few hundred KiB).
 *
 * <p>{@link ResetCompletenessTest} checks the promise: an input run on the reused machine after
 * another input gives the same outcome as on a new one.
 */
final class ReusedMachine implements AutoCloseable {

    private final MachineConfig config;
    private Machine machine;

    ReusedMachine(MachineConfig config) {
        this.config = config;
    }

    /** The machine, in its power-on state with zeroed RAM; built on the first call. */
    Machine fresh() {
        if (machine == null) {
            machine = new Machine(config);
            return machine;
        }
        machine.reset();
        for (RamRegion r : machine.physicalMemory().ramRegions()) {
            r.memory().fill((byte) 0);
        }
        return machine;
    }

    @Override
    public void close() {
        if (machine != null) {
            machine.close();
            machine = null;
        }
    }
}
