/**
 * The block-device API (Linux's {@code struct block_device} and {@code blk-mq} reduced to what a
 * benchmark and a file system's I/O path need): a {@link org.jdma.kernel.block.BlockDevice} takes
 * {@link org.jdma.kernel.block.BlockRequest}s (read, write, flush, discard of a range of logical
 * blocks, data in a scatter list of physical memory) on one of its hardware queues, and completes
 * each exactly once with a {@link org.jdma.kernel.block.BlockStatus}, through the request's
 * callback, from the queue's interrupt or from {@code poll}.
 *
 * <p>Does not model: request merging, I/O schedulers, partitions, plugging, the page cache.
 *
 * <p>Invariant: between {@code submit} and its completion the request's memory belongs to the
 * device (mapped for it); after the callback it is the caller's again, whatever the status.
 */
package org.jdma.kernel.block;
