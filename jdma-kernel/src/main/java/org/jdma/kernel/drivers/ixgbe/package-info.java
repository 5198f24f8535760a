/**
 * The driver of the Intel 82599 10 GbE port (Linux {@code ixgbe}, as small as ixy's): bound to
 * 8086:10FB through the driver registry, it runs the datasheet's init sequence, keeps N queue
 * pairs (one per CPU by default) with rings in coherent DMA memory, receives into buffers of a
 * {@link org.jdma.kernel.net.PagePool} per queue whose mappings survive recycling, maps each
 * transmitted buffer with the streaming API and unmaps it when its descriptor is cleaned (in
 * batches, on DD), and offers the device to applications as a
 * {@link org.jdma.kernel.net.NetDevice}, polled or through NAPI over one MSI-X vector per queue
 * pair on that queue's CPU. What a descriptor in flight names is held ({@code RingHolds}), so
 * it cannot be unmapped under the card; a reset re-runs the init sequence and keeps the pools.
 *
 * Frames over several buffers are {@link org.jdma.kernel.net.PacketBuffer} chains both ways;
 * an MTU above 1500 turns on jumbo frames (JUMBOEN, MAXFRS); RSS spreads flows over the queue
 * pairs with a seeded key; link-status-change interrupts keep the carrier that
 * {@link org.jdma.kernel.net.NetDevice#link()} reports and that gates sending.
 *
 * <p>Does not: offloads (checksums, TSO, VLAN), header split, adaptive interrupt moderation.
 *
 * <p>Invariant: a buffer is on a ring only while mapped for this device, and a received byte is
 * read by the CPU only after the pool synced it for the CPU.
 */
package org.jdma.kernel.drivers.ixgbe;
