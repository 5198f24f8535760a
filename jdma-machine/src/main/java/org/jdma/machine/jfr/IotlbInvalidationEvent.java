package org.jdma.machine.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** An IOTLB invalidation the unit performed (register or queued interface); the duration is host time. */
@Name(IotlbInvalidationEvent.NAME)
@Label("IOTLB Invalidation")
@Category({"jdma", "IOMMU"})
@Description("An IOTLB invalidation: its granularity, domain, address range and the entries it dropped")
@StackTrace(false)
public final class IotlbInvalidationEvent extends jdk.jfr.Event {

    /** The event's name in a recording. */
    public static final String NAME = "org.jdma.IotlbInvalidation";
    /** Asked before building an event: false while no recording wants this event. */
    public static final IotlbInvalidationEvent PROBE = new IotlbInvalidationEvent();

    @Label("Unit")
    public String unit;

    @Label("Via")
    @Description("register (IOTLB/IVA registers) or queue (invalidation queue descriptor)")
    public String via;

    @Label("Granularity")
    @Description("global, domain or page: what the unit did")
    public String granularity;

    @Label("Requested Granularity")
    @Description("global, domain or page: what software asked for (a page request may be done domain-wide)")
    public String requested;

    @Label("Domain")
    public int domainId;

    @Label("Address")
    @Description("Start of a page-selective invalidation")
    @MemoryAddress
    public long address;

    @Label("Span")
    @Description("Bytes a page-selective invalidation covers (4 KiB << AM); 0 for the other granularities")
    @DataAmount
    public long span;

    @Label("Entries Dropped")
    public int dropped;

    /** A begun event when a recording wants it, else null (nothing allocated). */
    public static IotlbInvalidationEvent start() {
        if (!PROBE.isEnabled()) {
            return null;
        }
        IotlbInvalidationEvent e = new IotlbInvalidationEvent();
        e.begin();
        return e;
    }

    /** Fills in what was invalidated and commits. */
    public void finish(String unit, String via, String granularity, String requested, int domainId, long address, long span,
                       int dropped) {
        end();
        if (shouldCommit()) {
            this.unit = unit;
            this.via = via;
            this.granularity = granularity;
            this.requested = requested;
            this.domainId = domainId;
            this.address = address;
            this.span = span;
            this.dropped = dropped;
            commit();
        }
    }
}
