/**
 * The DMA channel allocator, in the shape of Linux's dmaengine ({@code include/linux/dmaengine.h},
 * {@code drivers/dma/dmaengine.c}): DMA-engine drivers register channels with a capability set
 * ({@link org.jdma.kernel.dmaengine.DmaCapabilities}, Linux {@code dma_cap_mask_t}); clients
 * request one by capability ({@link org.jdma.kernel.dmaengine.DmaChannelAllocator#request}), use
 * it alone (submit transfers for cookies, issue them, wait or poll), and release it.
 *
 * <p>Models: exclusive channels, capability matching, cookies per channel, results per
 * transaction (Linux {@code dmaengine_result}), channels that disappear with their device. Does
 * not model: shared (public) channels and Linux's async_tx offload, slave (device-to-memory)
 * transfers, completion callbacks, channel filters by name or device tree; a transfer's buffers are
 * device addresses the client mapped for the channel's device, never CPU addresses.
 *
 * <p>Invariant: a registered channel is held by at most one client; a channel that was
 * unregistered is never handed out and never driven again through a handle that held it.
 */
package org.jdma.kernel.dmaengine;
