package org.jdma.kernel.driver;

import org.jdma.platform.irq.LineTrigger;

/**
 * A legacy device's IRQ line, routed for its driver (Linux {@code request_irq} on an ISA IRQ): a
 * vector allocated, the driver's handler attached to it, then the interrupt controller input
 * unmasked with the trigger mode the driver asked for (ISA devices signal edges). The kernel
 * masks the line and frees the vector when the driver is removed or its probe fails.
 *
 * <p>The line goes to the boot CPU until {@link #setAffinity} routes it to another (the I/O APIC
 * entry's destination).
 */
public final class IrqLine {

    private final String owner;
    private final InterruptRouting routing;
    private final int line;
    private final int vector;
    private final LineTrigger trigger;
    private int cpu;
    private boolean released;

    IrqLine(String owner, InterruptRouting routing, int line, int vector, LineTrigger trigger) {
        this.owner = owner;
        this.routing = routing;
        this.line = line;
        this.vector = vector;
        this.trigger = trigger;
        routing.assign(vector, new InterruptRouting.Assignment() {
            @Override public String owner() { return owner; }
            @Override public String source() { return "IRQ " + line; }
            @Override public int cpu() { return cpu; }
            @Override public void moveTo(int to) { setAffinity(to); }
        });
    }

    /** The CPU the line is routed to. */
    public int cpu() {
        return cpu;
    }

    /**
     * Routes the line to CPU {@code cpu} from now on (same vector and trigger).
     *
     * @throws IllegalArgumentException naming the CPU when there is no such CPU
     */
    public void setAffinity(int to) {
        if (released) {
            throw new IllegalStateException(owner + ": IRQ " + line + " was released");
        }
        routing.routeLine(line, vector, trigger, routing.checkCpu(to, owner + " IRQ " + line));
        cpu = to;
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
        routing.unassign(vector);
        routing.free(vector);
    }

    @Override
    public String toString() {
        return String.format("IRQ %d (%s) -> vector %d on CPU %d", line, trigger, vector, cpu);
    }
}
