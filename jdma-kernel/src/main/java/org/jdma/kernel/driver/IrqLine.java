package org.jdma.kernel.driver;

import org.jdma.platform.irq.LineTrigger;

/**
 * A legacy device's IRQ line, routed for its driver (Linux {@code request_irq} on an ISA IRQ): a
 * vector allocated, the driver's handler attached to it, then the interrupt controller input
 * unmasked with the trigger mode the driver asked for (ISA devices signal edges). The kernel
 * masks the line and frees the vector when the driver is removed or its probe fails.
 */
public final class IrqLine {

    private final InterruptRouting routing;
    private final int line;
    private final int vector;
    private final LineTrigger trigger;
    private boolean released;

    IrqLine(InterruptRouting routing, int line, int vector, LineTrigger trigger) {
        this.routing = routing;
        this.line = line;
        this.vector = vector;
        this.trigger = trigger;
    }

    /** The interrupt controller input (ISA IRQ number). */
    public int line() {
        return line;
    }

    public int vector() {
        return vector;
    }

    public LineTrigger trigger() {
        return trigger;
    }

    /** Interrupts dispatched for this line so far. */
    public long dispatched() {
        return routing.dispatched(vector);
    }

    /** Masks the line, then frees the vector. Idempotent. */
    void release() {
        if (released) {
            return;
        }
        released = true;
        routing.unrouteLine(line);
        routing.free(vector);
    }

    @Override
    public String toString() {
        return String.format("IRQ %d (%s) -> vector %d", line, trigger, vector);
    }
}
