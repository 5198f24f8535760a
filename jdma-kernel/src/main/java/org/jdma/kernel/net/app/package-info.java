/**
 * Applications over {@link org.jdma.kernel.net.NetDevice} that take modeled CPU time: ixy's
 * forwarder ({@link Forwarder}) and packet generator ({@link PacketGenerator}), run by a
 * {@link PollLoop} per CPU on the machine's clock.
 *
 * <p>Models: the CPU work of the driver, the DMA API and the IOMMU as cycles from a
 * {@link CpuCostModel}, charged per poll from counters the kernel keeps (packets the poll took and
 * sent, the mapping layer's map/unmap/sync calls, the IOMMU driver's invalidation requests), so a
 * poll's batch costs time and the next poll happens that much later. Does not model: caches and
 * memory stalls of the CPU beyond those parameters, nor time the application code itself takes.
 *
 * <p>Invariant: the polls of different CPUs never interleave (one waits while another's poll lets
 * the machine run), so each poll's counter deltas are its own work.
 */
package org.jdma.kernel.net.app;
