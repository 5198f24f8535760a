package org.jdma.kernel.testing;

import java.util.List;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.mm.BuddyFrameAllocator;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;

/** Small machines for kernel tests: 64 MiB below 4 GiB, 64 MiB above. */
public final class TestMachines {
    private TestMachines() { }

    public static final long MiB = 1L << 20;
    public static final long LOW_BASE = 0;
    public static final long HIGH_BASE = 4 * MachineConfig.GiB;

    public static MachineConfig small(int copyEngines) {
        return MachineConfig.defaults()
                .withRam(List.of(new MachineConfig.Ram("low", LOW_BASE, 64 * MiB), new MachineConfig.Ram("high", HIGH_BASE, 64 * MiB)))
                .withCopyEngines(copyEngines);
    }

    /** A machine with RAM only (no devices). */
    public static Machine ramOnly() {
        return new Machine(small(0));
    }

    public static DmaMemory dmaMemory(Machine m) {
        return new DmaMemory(m.cpu(), BuddyFrameAllocator.fromMemoryMap(m.memoryMap()));
    }
}
