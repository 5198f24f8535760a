package org.jdma.kernel.mm;

import java.util.Optional;

/**
 * Something that may still point at physical memory a buffer is about to give back: a ring with
 * in-flight descriptors, a mapping table. {@link DmaBuffer#close()} asks every tracker of its
 * {@link DmaMemory} before it frees frames: memory must never be freed while a transfer is in
 * progress, and must be unmapped before it is freed.
 */
@FunctionalInterface
public interface DmaUseTracker {
    /** A description of a use of any byte of physical [address, address + length), or empty. */
    Optional<String> useOf(long address, long length);
}
