/**
 * The seed-000 DMA engine: {@code DmaEngine} with its descriptor ring in DMA memory,
 * {@code DmaBuffer}, {@code Descriptor} and the virtual-to-physical {@code MappingTable}.
 *
 * <p>Invariant: the ring holds at most capacity - 1 descriptors (full when (head + 1) % N == tail,
 * empty when head == tail); descriptors drain in submission order with the status the device
 * wrote for them.
 */
package org.jdma.kernel.engine;
