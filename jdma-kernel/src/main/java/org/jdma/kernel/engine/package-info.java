/**
 * The seed-000 DMA engine: {@link org.jdma.kernel.engine.DmaEngine} with its descriptor ring in DMA
 * memory, {@link org.jdma.kernel.mm.DmaBuffer}, {@link org.jdma.kernel.drivers.memcpy.Descriptor} and
 * the virtual-to-physical {@link org.jdma.kernel.engine.MappingTable}.
 *
 * <p>Models: a single-producer/single-consumer ring of N (power of two) slots in frames below
 * 4 GiB, each slot a 64-byte descriptor and a 32-byte completion record in the copy engine's
 * format, published by one release-ordered doorbell per batch and reaped by acquire-reading each
 * completion status; DMA buffers that are real contiguous frames from the frame allocator, with a
 * direct-map virtual address distinct from the physical one; a 64-entry mapping table; free-safety
 * (a buffer with a descriptor in flight or a live mapping refuses to be freed). Does not model:
 * IOMMU mapping (physical addressing only until the IOMMU work plugs a
 * {@link org.jdma.kernel.engine.DeviceAddressing} in), cache maintenance, multiple producers,
 * descriptor chains.
 *
 * <p>Invariant: the ring holds at most capacity - 1 descriptors (full when (head + 1) % N == tail,
 * empty when head == tail); descriptors drain in submission order, each once, with the status the
 * device wrote for them.
 */
package org.jdma.kernel.engine;
