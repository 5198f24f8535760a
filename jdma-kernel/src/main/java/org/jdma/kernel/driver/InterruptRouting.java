package org.jdma.kernel.driver;

import org.jdma.platform.irq.InterruptHandler;
import org.jdma.platform.irq.Interrupts;
import org.jdma.platform.irq.LineTrigger;
import org.jdma.platform.irq.MsiMessage;

/**
 * The one place where a device's interrupt becomes a CPU vector: every vector a driver gets is
 * allocated here, every MSI/MSI-X message is composed here, and every legacy line is routed here
 * (Linux's irq domain hierarchy, collapsed to one level). Interrupt remapping belongs here when it
 * comes: {@link #message} would then allocate an Interrupt Remapping Table Entry for the device and
 * return a remappable-format message naming it (VT-d 4.1 §5.1.2), and {@link #routeLine} would
 * point the I/O APIC entry at one; drivers would not change.
 */
final class InterruptRouting {

    private final Interrupts interrupts;

    InterruptRouting(Interrupts interrupts) {
        this.interrupts = interrupts;
    }

    /** A free vector for {@code owner}; a {@link ProbeException} naming it when none is left. */
    int allocate(String owner) {
        try {
            return interrupts.allocateVector();
        } catch (IllegalStateException e) {
            throw new ProbeException(owner + ": no free interrupt vector (" + e.getMessage() + ")", e);
        }
    }

    /** What a device writes to raise {@code vector} (compatibility format: the vector in the data). */
    MsiMessage message(int vector) {
        return interrupts.messageFor(vector);
    }

    void register(int vector, InterruptHandler handler) {
        interrupts.register(vector, handler);
    }

    void free(int vector) {
        interrupts.freeVector(vector);
    }

    void routeLine(int line, int vector, LineTrigger trigger) {
        interrupts.routeLine(line, vector, trigger);
    }

    void unrouteLine(int line) {
        interrupts.unrouteLine(line);
    }

    long dispatched(int vector) {
        return interrupts.dispatched(vector);
    }

    int legacyLines() {
        return interrupts.legacyLines();
    }
}
