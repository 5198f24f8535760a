/**
 * The descriptor-ring protocol every ring driver shares: indexes, wrap, full and empty, batch
 * submission with one release and one doorbell, and completion reaping in order without
 * allocation. {@link org.jdma.kernel.ring.SubmissionRing} is a ring the driver fills (a copy
 * engine's descriptors, 82599 TX and RX descriptors, an NVMe submission queue) from one producer
 * thread and reaps from one consumer thread; {@link org.jdma.kernel.ring.MpmcSubmissionRing} is
 * the same ring, as the device sees it, filled and reaped by several threads at once (slots
 * claimed by compare-and-set, published in claim order, freed in order), and
 * {@link org.jdma.kernel.ring.SubmissionProtocol} is what both offer a driver;
 * {@link org.jdma.kernel.ring.CompletionQueue} is one the device fills (an NVMe completion
 * queue); {@link org.jdma.kernel.ring.RingMemory} is their shared memory, a coherent allocation
 * from the DMA API, with accessors named for their memory ordering; and
 * {@link org.jdma.kernel.ring.CompletionTest} is each format's "is this entry complete" (a status
 * byte, a done bit, a phase tag).
 *
 * <p>Models: 64-bit sequence numbers indexed by mask (no wrap flags), one slot kept free to tell
 * full from empty, a cached view of the other side's index, release before the doorbell and
 * acquire after the completion marker. Does not model: the formats themselves (one layout class
 * per device, in the device's driver package, e.g. {@code drivers.memcpy}), interrupt moderation,
 * head write-back.
 *
 * <p>Invariant: the device is told of a slot only once it is whole, and told of slots in sequence
 * order; an entry is handed to one reaper once, only after the device completed it, and one reap
 * call gets its entries in submission order; a slot is written again only after its entry was
 * reaped or retired, and on a shared ring after every entry before it was too.
 */
package org.jdma.kernel.ring;
