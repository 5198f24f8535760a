package org.jdma.machine.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A translation the IOTLB could not answer at any page size, and the second-level page walk it
 * caused; the JFR duration is the walk's host time, {@link #modeledNs} what the unit charged.
 */
@Name(IotlbMissEvent.NAME)
@Label("IOTLB Miss")
@Category({"jdma", "IOMMU"})
@Description("An IOTLB miss and the page walk it caused")
@StackTrace(false)
public final class IotlbMissEvent extends jdk.jfr.Event {

    /** The event's name in a recording. */
    public static final String NAME = "org.jdma.IotlbMiss";
    /** Asked before building an event: false while no recording wants this event. */
    public static final IotlbMissEvent PROBE = new IotlbMissEvent();

    @Label("Unit")
    public String unit;

    @Label("Domain")
    @Description("The domain id of the requester's context entry")
    public int domainId;

    @Label("IOVA")
    @MemoryAddress
    public long iova;

    @Label("Write")
    public boolean write;

    @Label("Walk Steps")
    @Description("Table entries read for the translation (root and context entries included when fetched)")
    public int steps;

    @Label("Faulted")
    @Description("The walk ended in a fault instead of a leaf")
    public boolean faulted;

    @Label("Modeled Cost")
    @Description("What the translation cost in modeled time")
    @Timespan(Timespan.NANOSECONDS)
    public long modeledNs;

    /** A begun event when a recording wants it, else null (nothing allocated). */
    public static IotlbMissEvent start() {
        if (!PROBE.isEnabled()) {
            return null;
        }
        IotlbMissEvent e = new IotlbMissEvent();
        e.begin();
        return e;
    }

    /** Fills in the walk's outcome and commits. */
    public void finish(String unit, int domainId, long iova, boolean write, int steps, boolean faulted, long modeledNs) {
        end();
        if (shouldCommit()) {
            this.unit = unit;
            this.domainId = domainId;
            this.iova = iova;
            this.write = write;
            this.steps = steps;
            this.faulted = faulted;
            this.modeledNs = modeledNs;
            commit();
        }
    }
}
