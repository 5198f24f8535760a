package org.jdma.machine.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** A request the remapping unit blocked (DMA or interrupt), recorded in a fault register or not. */
@Name(IommuFaultEvent.NAME)
@Label("IOMMU Fault")
@Category({"jdma", "IOMMU"})
@Description("A DMA or interrupt request the remapping unit blocked, with the VT-d fault reason")
@StackTrace(false)
public final class IommuFaultEvent extends jdk.jfr.Event {

    /** The event's name in a recording. */
    public static final String NAME = "org.jdma.IommuFault";
    /** Asked before building an event: false while no recording wants this event. */
    public static final IommuFaultEvent PROBE = new IommuFaultEvent();

    @Label("Unit")
    @Description("The remapping unit (DRHD) that blocked the request")
    public String unit;

    @Label("Requester")
    @Description("The source id of the request, as segment:bus:device.function")
    public String requester;

    @Label("Address")
    @Description("The IOVA of a DMA request, the MSI address of an interrupt request")
    @MemoryAddress
    public long address;

    @Label("Write")
    public boolean write;

    @Label("Interrupt")
    @Description("An interrupt request blocked by interrupt remapping")
    public boolean interrupt;

    @Label("Reason")
    @Description("The VT-d fault reason's name")
    public String reason;

    @Label("Reason Code")
    @Description("The VT-d fault reason code (VT-d spec Appendix A)")
    public int reasonCode;

    @Label("Recorded")
    @Description("Written to a fault recording register (false: suppressed by FPD, or the log overflowed)")
    public boolean recorded;

    @Label("Modeled Time")
    @Description("The machine clock when the request was blocked")
    @Timespan(Timespan.NANOSECONDS)
    public long modeledNs;

    /** Records a blocked request when a recording wants it. */
    public static void emit(String unit, Object requester, long address, boolean write, boolean interrupt, String reason,
                            int reasonCode, boolean recorded, long modeledNs) {
        if (!PROBE.isEnabled()) {
            return;
        }
        IommuFaultEvent e = new IommuFaultEvent();
        if (e.shouldCommit()) {
            e.unit = unit;
            e.requester = String.valueOf(requester);
            e.address = address;
            e.write = write;
            e.interrupt = interrupt;
            e.reason = reason;
            e.reasonCode = reasonCode;
            e.recorded = recorded;
            e.modeledNs = modeledNs;
            e.commit();
        }
    }
}
