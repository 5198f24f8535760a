/**
 * JDK Flight Recorder events of the kernel's DMA subsystem, named {@code org.jdma.*} in the
 * {@code jdma} category: a streaming DMA map and unmap with its device, size, direction, device
 * address (the IOVA when an IOMMU translates) and how long the call took on the host.
 *
 * <p>Cheap when nothing records: a caller asks a static probe instance ({@code PROBE.isEnabled()})
 * before it builds an event, so a run without a recording allocates nothing and builds no string.
 * Events register themselves when their class is loaded and a recording is (or later gets)
 * started; the JVM starts no Flight Recorder machinery for them before that.
 *
 * <p>Does not record: coherent allocations, cache syncs, the checker's findings (the trace and
 * the checker report those).
 */
package org.jdma.kernel.jfr;
