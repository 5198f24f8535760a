/**
 * The CPU cache: the only path by which the CPU loads and stores RAM.
 *
 * <p>Models (now): a coherent cache, which on x86 is indistinguishable from pass-through for DMA
 * purposes (device accesses snoop it). The interface already carries what a non-coherent,
 * write-back cache needs: line size, clean / invalidate / clean+invalidate by range, and the
 * snoop hooks the bus calls for device accesses. Does not model (yet): a non-coherent cache,
 * speculative refills, eviction; those come with the DMA-mapping layer.
 *
 * <p>Invariant: on a coherent machine a device always observes the CPU's latest stores and the
 * CPU always observes the device's latest writes, without any maintenance operation.
 */
package org.jdma.machine.cache;
