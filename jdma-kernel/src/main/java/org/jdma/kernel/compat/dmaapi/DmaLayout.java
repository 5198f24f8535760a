package org.jdma.kernel.compat.dmaapi;

import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;

/**
 * Size and alignment of a DMA allocation or mapping (Rust {@code core::alloc::Layout}): size in
 * bytes (0 allowed), alignment a power of two. Built through {@link #of(long, long)} when the values
 * come from a caller (bad values become {@link DmaError.LayoutError}); the constructor itself
 * rejects them with {@link IllegalArgumentException}.
 */
public record DmaLayout(long size, long align) {

    public DmaLayout {
        if (size < 0) {
            throw new IllegalArgumentException("layout size must not be negative, was " + size);
        }
        if (align <= 0 || Long.bitCount(align) != 1) {
            throw new IllegalArgumentException("layout alignment must be a power of two, was " + align);
        }
        // Rust's rule: the size rounded up to the alignment must not overflow.
        if (size > Long.MAX_VALUE - (align - 1)) {
            throw new IllegalArgumentException("layout size " + size + " rounded up to " + align + " overflows");
        }
    }

    /** A layout, or {@link DmaError.LayoutError} naming what was wrong. */
    public static DmaLayout of(long size, long align) throws DmaException {
        try {
            return new DmaLayout(size, align);
        } catch (IllegalArgumentException e) {
            throw new DmaException(new DmaError.LayoutError(e.getMessage()));
        }
    }

    /**
     * {@code count} elements of {@code type}, aligned to the larger of {@code align} and the
     * element's natural alignment (the {@code dma-api} crate: {@code max(align, align_of::<T>())}).
     */
    public static DmaLayout array(DmaType<?> type, long count, long align) throws DmaException {
        if (count < 0) {
            throw new DmaException(new DmaError.LayoutError("element count must not be negative, was " + count));
        }
        if (align <= 0 || Long.bitCount(align) != 1) {
            throw new DmaException(new DmaError.LayoutError("alignment must be a power of two, was " + align));
        }
        long size;
        try {
            size = Math.multiplyExact(count, type.byteSize());
        } catch (ArithmeticException e) {
            // The crate multiplies unchecked; a wrapped size would allocate a buffer too small.
            throw new DmaException(new DmaError.LayoutError(
                    count + " elements of " + type.byteSize() + " bytes overflow a 64-bit size"));
        }
        return of(size, Math.max(align, type.alignment()));
    }
}
