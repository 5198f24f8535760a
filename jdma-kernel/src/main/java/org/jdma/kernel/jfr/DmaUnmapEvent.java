package org.jdma.kernel.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One streaming unmap call ({@code dma_unmap_single}, {@code dma_unmap_page}, or a whole
 * {@code dma_unmap_sg}) that released its mapping; its duration is host time in the layer, the
 * IOMMU's invalidation (strict) or queueing (lazy) included. A refused unmap (the mapping is held
 * by a descriptor in flight) records nothing.
 */
@Name(DmaUnmapEvent.NAME)
@Label("DMA Unmap")
@Category({"jdma", "DMA API"})
@Description("A streaming DMA unmapping: the device, bytes, direction and device address")
@StackTrace(false)
public final class DmaUnmapEvent extends jdk.jfr.Event {

    /** The event's name in a recording. */
    public static final String NAME = "org.jdma.DmaUnmap";
    /** Asked before building an event: false while no recording wants this event. */
    public static final DmaUnmapEvent PROBE = new DmaUnmapEvent();

    @Label("Device")
    public String device;

    @Label("Size")
    @DataAmount
    public long size;

    @Label("Direction")
    public String direction;

    @Label("Device Address")
    @MemoryAddress
    public long dmaAddress;

    @Label("Entries")
    @Description("Scatterlist entries unmapped by the call (1 for a single or page mapping)")
    public int entries;

    @Label("Backend")
    public String backend;

    /** A begun event when a recording wants it, else null (nothing allocated). */
    public static DmaUnmapEvent start() {
        if (!PROBE.isEnabled()) {
            return null;
        }
        DmaUnmapEvent e = new DmaUnmapEvent();
        e.begin();
        return e;
    }

    /** Fills in what the call released and commits. */
    public void finish(String device, long size, String direction, long dmaAddress, int entries, String backend) {
        end();
        if (shouldCommit()) {
            this.device = device;
            this.size = size;
            this.direction = direction;
            this.dmaAddress = dmaAddress;
            this.entries = entries;
            this.backend = backend;
            commit();
        }
    }
}
