package org.jdma.kernel.driver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.function.Function;
import org.jdma.kernel.iommu.InterruptRemapper;
import org.jdma.platform.irq.InterruptHandler;
import org.jdma.platform.irq.Interrupts;
import org.jdma.platform.irq.LineTrigger;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.pci.RequesterId;

/**
 * The one place where a device's interrupt becomes a CPU vector: every vector a driver gets is
 * allocated here, every MSI/MSI-X message is composed here, and every legacy line is routed here
 * (Linux's irq domain hierarchy, collapsed to one level). Interrupt remapping plugs in here: when
 * the IOMMU unit that covers a device remaps interrupts ({@link #remapperFor}), its vectors get a
 * block of remapping entries, each pointed at the vector and CPU the compatibility message would
 * name, and the device is programmed with remappable-format messages naming only the entries
 * (VT-d §5.1.2); drivers do not change. Legacy lines are routed by the interrupt controller, not
 * by messages a device writes: they are not remapped (this machine has no I/OxAPIC that sends
 * messages through a unit).
 *
 * <p>It also knows which CPU each driver-held vector goes to and how to move it ({@link #assign},
 * {@link #setAffinity}): the kernel's affinity table.
 */
final class InterruptRouting {

    /** A vector a driver holds: who, through what, on which CPU, and how to aim it at another. */
    interface Assignment {
        String owner();

        /** "MSI-X 0", "MSI", "IRQ 4". */
        String source();

        int cpu();

        /** Reprograms the source to send to {@code cpu} (Linux {@code irq_set_affinity}). */
        void moveTo(int cpu);
    }

    private final Interrupts interrupts;
    private final int cpus;
    private final Map<Integer, Assignment> assignments = new TreeMap<>();

    /** CPUs running deferred work ({@link DriverContext#raiseSoftirq}) now: such work does not nest on a CPU. */
    private final boolean[] inSoftirq;
    /** Per CPU: the end of the modeled CPU time its deferred work spends ({@link DriverContext#raiseTimedSoftirq}). */
    private final long[] busyUntilNs;

    /** The interrupt remapper of the unit covering a device, when it remaps interrupts. */
    private final Function<RequesterId, Optional<InterruptRemapper>> remappers;

    InterruptRouting(Interrupts interrupts, int cpus) {
        this(interrupts, cpus, rid -> Optional.empty());
    }

    InterruptRouting(Interrupts interrupts, int cpus, Function<RequesterId, Optional<InterruptRemapper>> remappers) {
        this.interrupts = interrupts;
        this.cpus = cpus;
        this.inSoftirq = new boolean[cpus];
        this.busyUntilNs = new long[cpus];
        this.remappers = remappers;
    }

    /** The interrupt remapper for {@code device}'s vectors, when its unit remaps interrupts. */
    Optional<InterruptRemapper> remapperFor(RequesterId device) {
        return remappers.apply(device);
    }

    /** Marks CPU {@code cpu} as running deferred work; false when it already is. */
    boolean enterSoftirq(int cpu) {
        if (inSoftirq[cpu]) {
            return false;
        }
        inSoftirq[cpu] = true;
        return true;
    }

    void exitSoftirq(int cpu) {
        inSoftirq[cpu] = false;
    }

    /** CPU {@code cpu}'s deferred work spends modeled CPU time until {@code timeNs} (then it ends). */
    void busyUntil(int cpu, long timeNs) {
        busyUntilNs[cpu] = timeNs;
    }

    /** Until when CPU {@code cpu}'s deferred work was last known to spend modeled CPU time, ns (0: never). */
    long busyUntil(int cpu) {
        return busyUntilNs[cpu];
    }

    /** The platform's CPUs. */
    int cpus() {
        return cpus;
    }

    /** As {@link #checkCpu(int, String)} for {@code who + " " + what}, joined only for the exception. */
    int checkCpu(int cpu, String who, String what) {
        return cpu >= 0 && cpu < cpus ? cpu : checkCpu(cpu, who + " " + what);
    }

    /** CPU {@code cpu} exists, or an IllegalArgumentException naming it and {@code what} it was asked for. */
    int checkCpu(int cpu, String what) {
        if (cpu < 0 || cpu >= cpus) {
            throw new IllegalArgumentException(String.format("%s: CPU %d does not exist (CPUs 0..%d)", what, cpu, cpus - 1));
        }
        return cpu;
    }

    void assign(int vector, Assignment a) {
        assignments.put(vector, a);
    }

    void unassign(int vector) {
        assignments.remove(vector);
    }

    /** Every vector drivers hold, by vector, with its counts per CPU (Linux {@code /proc/interrupts}). */
    List<InterruptAssignment> assignments() {
        List<InterruptAssignment> out = new ArrayList<>(assignments.size());
        assignments.forEach((vector, a) -> {
            List<Long> perCpu = new ArrayList<>(cpus);
            for (int c = 0; c < cpus; c++) {
                perCpu.add(interrupts.dispatched(vector, c));
            }
            out.add(new InterruptAssignment(vector, a.owner(), a.source(), a.cpu(), perCpu));
        });
        return out;
    }

    /** Aims the driver-held {@code vector} at {@code cpu} (Linux {@code /proc/irq/N/smp_affinity_list}). */
    void setAffinity(int vector, int cpu) {
        Assignment a = assignments.get(vector);
        if (a == null) {
            throw new IllegalArgumentException("vector " + vector + " is held by no driver (held: " + assignments.keySet() + ")");
        }
        a.moveTo(checkCpu(cpu, "vector " + vector + " of " + a.owner()));
    }

    /** A free vector for {@code owner}; a {@link ProbeException} naming it when none is left. */
    int allocate(String owner) {
        try {
            return interrupts.allocateVector();
        } catch (IllegalStateException e) {
            throw new ProbeException(owner + ": no free interrupt vector (" + e.getMessage() + ")", e);
        }
    }

    /**
     * What a device writes to raise {@code vector} on CPU {@code cpu} (compatibility format: the
     * vector in the data, the CPU's APIC id as physical destination).
     */
    MsiMessage message(int vector, int cpu) {
        return interrupts.messageFor(vector, cpu);
    }

    void register(int vector, InterruptHandler handler) {
        interrupts.register(vector, handler);
    }

    void free(int vector) {
        interrupts.freeVector(vector);
    }

    void routeLine(int line, int vector, LineTrigger trigger, int cpu) {
        interrupts.routeLine(line, vector, trigger, cpu);
    }

    void unrouteLine(int line) {
        interrupts.unrouteLine(line);
    }

    long dispatched(int vector) {
        return interrupts.dispatched(vector);
    }

    long dispatched(int vector, int cpu) {
        return interrupts.dispatched(vector, cpu);
    }

    int legacyLines() {
        return interrupts.legacyLines();
    }
}
