/**
 * The network-device API applications use, in the shape of ixy's (Linux's {@code net_device}
 * reduced to what a forwarder and a packet generator need): {@link org.jdma.kernel.net.NetDevice}
 * receives and sends batches of {@link org.jdma.kernel.net.PacketBuffer}s on a queue, either by
 * polling ({@code rxBatch}) or from the driver's NAPI poll ({@code onReceive}); a buffer comes
 * from a {@link org.jdma.kernel.net.PagePool}, which maps its memory for the receiving device once
 * when it grows and keeps the mapping across recycles (Linux {@code page_pool}, ixy's mempool).
 *
 * <p>Does not model: sockets, protocols, qdiscs, GRO, XDP, multi-buffer packets in the API.
 *
 * <p>Invariant: a buffer has one owner at a time: its pool (free), the device (posted on a
 * receive ring, or mapped on a transmit ring), or the application (between a receive or an
 * allocation and its {@code free} or {@code txBatch}); the CPU touches its bytes only while the
 * pool's mapping says the CPU owns them.
 */
package org.jdma.kernel.net;
