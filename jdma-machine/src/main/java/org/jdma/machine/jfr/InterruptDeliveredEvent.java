package org.jdma.machine.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * An interrupt reached its handler on a CPU (an MSI/MSI-X message or a legacy line): one per
 * count of the controller's dispatched interrupts; the duration is the handler's host time.
 */
@Name(InterruptDeliveredEvent.NAME)
@Label("Interrupt Delivered")
@Category({"jdma", "Interrupts"})
@Description("An interrupt dispatched to its handler: vector, CPU and source")
@StackTrace(false)
public final class InterruptDeliveredEvent extends jdk.jfr.Event {

    /** The event's name in a recording. */
    public static final String NAME = "org.jdma.InterruptDelivered";
    /** Asked before building an event: false while no recording wants this event. */
    public static final InterruptDeliveredEvent PROBE = new InterruptDeliveredEvent();

    @Label("Vector")
    public int vector;

    @Label("CPU")
    @Description("The index of the CPU that ran the handler")
    public int cpu;

    @Label("Source")
    @Description("The requester id of an MSI, or the legacy line")
    public String source;

    @Label("Modeled Time")
    @Description("The machine clock when the handler ran")
    @Timespan(Timespan.NANOSECONDS)
    public long modeledNs;

    /** A begun event when a recording wants it, else null (nothing allocated). */
    public static InterruptDeliveredEvent start() {
        if (!PROBE.isEnabled()) {
            return null;
        }
        InterruptDeliveredEvent e = new InterruptDeliveredEvent();
        e.begin();
        return e;
    }

    /** Fills in the interrupt and commits. */
    public void finish(int vector, int cpu, Object source, long modeledNs) {
        end();
        if (shouldCommit()) {
            this.vector = vector;
            this.cpu = cpu;
            this.source = String.valueOf(source);
            this.modeledNs = modeledNs;
            commit();
        }
    }
}
