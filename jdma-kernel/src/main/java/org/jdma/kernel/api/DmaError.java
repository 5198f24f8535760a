package org.jdma.kernel.api;

/**
 * Why a DMA allocation or mapping failed: seed 004's {@code DmaError} (plus the two constraint
 * errors its 0.8 successor added), as data. A {@link DmaException} carries one; callers that care
 * switch over it exhaustively:
 *
 * <pre>{@code
 * catch (DmaException e) {
 *     switch (e.error()) {
 *         case DmaError.NoMemory() -> retryLater();
 *         case DmaError.DmaMaskNotMatch(DmaAddr addr, long mask) -> log(addr, mask);
 *         default -> throw e;
 *     }
 * }
 * }</pre>
 */
public sealed interface DmaError {

    /** A message naming the values that were wrong. */
    String message();

    /** Whether the same call can succeed later (after memory or mapping space is freed). */
    default boolean retryable() {
        return false;
    }

    /** The platform had no memory or mapping space for the request (Rust {@code NoMemory}). */
    record NoMemory(String what) implements DmaError {
        @Override
        public String message() {
            return "DMA allocation failed: no memory for " + what;
        }

        @Override
        public boolean retryable() {
            return true;
        }
    }

    /** The element count, size or alignment does not make a valid layout. */
    record LayoutError(String reason) implements DmaError {
        @Override
        public String message() {
            return "invalid DMA layout: " + reason;
        }
    }

    /** The buffer the platform gave, [addr, addr + size), is not inside [0, mask]. */
    record DmaMaskNotMatch(DmaAddr addr, long mask) implements DmaError {
        @Override
        public String message() {
            return String.format("DMA address %s is outside the device's DMA mask %#x", addr, mask);
        }
    }

    /** The device address the platform gave is not a multiple of the alignment asked for. */
    record AlignMismatch(long required, DmaAddr address) implements DmaError {
        @Override
        public String message() {
            return "DMA address " + address + " is not aligned to " + required + " bytes";
        }
    }

    /** No buffer was given to map (Rust: a null pointer). */
    record NullPointer() implements DmaError {
        @Override
        public String message() {
            return "no buffer to map (null)";
        }
    }

    /** The buffer to map has no bytes; a device cannot be given an empty mapping. */
    record ZeroSizedBuffer() implements DmaError {
        @Override
        public String message() {
            return "a zero-sized buffer cannot be mapped for DMA";
        }
    }

    /** The buffer is larger than the device's largest segment (Linux {@code dma_get_max_seg_size}). */
    record SegmentTooLarge(long size, long maxSegmentSize) implements DmaError {
        @Override
        public String message() {
            return "DMA buffer of " + size + " bytes exceeds the device's maximum segment size of " + maxSegmentSize;
        }
    }

    /** [addr, addr + size) crosses a multiple of the device's segment boundary. */
    record BoundaryCross(DmaAddr addr, long size, long boundary) implements DmaError {
        @Override
        public String message() {
            return String.format("DMA buffer [%s, +%#x) crosses a %#x-byte boundary", addr, size, boundary);
        }
    }
}
