package org.jdma.kernel.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One streaming map call ({@code dma_map_single}, {@code dma_map_page}, or a whole
 * {@code dma_map_sg}): begun before the backend ran and committed when the device address was
 * known; its duration is host time spent in the DMA-mapping layer.
 */
@Name(DmaMapEvent.NAME)
@Label("DMA Map")
@Category({"jdma", "DMA API"})
@Description("A streaming DMA mapping: the device, bytes, direction and the device address (IOVA when translated)")
@StackTrace(false)
public final class DmaMapEvent extends jdk.jfr.Event {

    /** The event's name in a recording. */
    public static final String NAME = "org.jdma.DmaMap";
    /** Asked before building an event: false while no recording wants this event. */
    public static final DmaMapEvent PROBE = new DmaMapEvent();

    @Label("Device")
    @Description("The device the mapping is for, as the DMA-mapping layer names it")
    public String device;

    @Label("Size")
    @DataAmount
    public long size;

    @Label("Direction")
    @Description("TO_DEVICE, FROM_DEVICE or BIDIRECTIONAL")
    public String direction;

    @Label("Physical Address")
    @MemoryAddress
    public long physical;

    @Label("Device Address")
    @Description("The address the device uses: an IOVA when an IOMMU translates, else the bus address; "
            + "DMA_MAPPING_ERROR (all ones) when the map failed")
    @MemoryAddress
    public long dmaAddress;

    @Label("Entries")
    @Description("Scatterlist entries mapped by the call (1 for a single or page mapping)")
    public int entries;

    @Label("Backend")
    @Description("direct, direct (swiotlb=force) or iommu")
    public String backend;

    @Label("Failed")
    @Description("The map returned a mapping error")
    public boolean failed;

    /** A begun event when a recording wants it, else null (nothing allocated). */
    public static DmaMapEvent start() {
        if (!PROBE.isEnabled()) {
            return null;
        }
        DmaMapEvent e = new DmaMapEvent();
        e.begin();
        return e;
    }

    /** Fills in what the call did and commits. */
    public void finish(String device, long size, String direction, long physical, long dmaAddress, int entries,
                       String backend, boolean failed) {
        end();
        if (shouldCommit()) {
            this.device = device;
            this.size = size;
            this.direction = direction;
            this.physical = physical;
            this.dmaAddress = dmaAddress;
            this.entries = entries;
            this.backend = backend;
            this.failed = failed;
            commit();
        }
    }
}
