package org.jdma.kernel.engine;

import java.util.Optional;

/**
 * Something that may still point at physical memory a buffer is about to give back: a ring with
 * in-flight descriptors, a mapping table. {@link DmaBuffer#close()} asks every tracker of its
 * {@link DmaMemory} before it frees frames (seed 000 Buffer.md: "never free while a transfer is in
 * progress; always unmap before freeing").
 */
@FunctionalInterface
public interface DmaUseTracker {
    /** A description of a use of any byte of physical [address, address + length), or empty. */
    Optional<String> useOf(long address, long length);
}
