package org.jdma.kernel.mm;

/**
 * An allocator that cuts memory it got from the kernel into smaller pieces (a DMA pool's pages):
 * registered with {@link DmaMemory#addSubAllocator}, it answers for the bytes of its range.
 * Called with other locks held (the checker's): must not block or call back into the DMA API.
 */
@FunctionalInterface
public interface SubAllocator {
    /** The piece (live or free) that contains {@code physical}, which lies in the registered range. */
    MemoryOwner ownerAt(long physical);
}
