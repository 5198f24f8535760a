package org.jdma.kernel.dma;

/**
 * Why a DMA request failed, as data: the kind a {@link DmaException} carries. The kinds of the
 * {@code dma-api} crate's {@code DmaError} (NoMemory, LayoutError, DmaMaskNotMatch, AlignMismatch,
 * NullPointer, ZeroSizedBuffer, and the two constraint errors of its 0.8 successor,
 * SegmentTooLarge and BoundaryCross), plus what a descriptor ring reports ({@link RingFull}), a
 * mapping the DMA API or an IOMMU could not make ({@link MappingFailed}), a descriptor naming an
 * address the device has no fitting mapping for ({@link NotMapped}), and an unmap refused because
 * a descriptor in flight still uses the mapping ({@link InUse}). Callers that care
 * switch over it exhaustively:
 *
 * <pre>{@code
 * catch (DmaException e) {
 *     switch (e.error()) {
 *         case DmaError.NoMemory n -> retryLater();
 *         case DmaError.DmaMaskNotMatch(long address, DmaMask mask) -> log(address, mask);
 *         default -> throw e;
 *     }
 * }
 * }</pre>
 *
 * Records compare by value, so a test asserts {@code new DmaMaskNotMatch(0x1000, mask)} exactly.
 * Addresses are device addresses unless the record says otherwise.
 */
public sealed interface DmaError {

    /** A message naming the values that were wrong. */
    String message();

    /** Whether the same call can succeed later (after memory, mapping space or ring slots are freed). */
    default boolean retryable() {
        return false;
    }

    /** No memory, or no mapping or bounce space, for the request. */
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

    /** The memory the platform gave, starting at device address {@code address}, is not inside the mask. */
    record DmaMaskNotMatch(long address, DmaMask mask) implements DmaError {
        @Override
        public String message() {
            return String.format("DMA address %#x is outside the device's DMA mask %s", address, mask);
        }
    }

    /** A device address is not a multiple of the alignment that was asked for. */
    record AlignMismatch(long required, long address) implements DmaError {
        @Override
        public String message() {
            return String.format("DMA address %#x is not aligned to %d bytes", address, required);
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

    /** [address, address + size) crosses a multiple of the device's segment boundary. */
    record BoundaryCross(long address, long size, long boundary) implements DmaError {
        @Override
        public String message() {
            return String.format("DMA buffer [%#x, +%#x) crosses a %#x-byte boundary", address, size, boundary);
        }
    }

    /** Every usable slot of a descriptor ring holds a descriptor: reap completions, then retry. */
    record RingFull(int usableSlots) implements DmaError {
        @Override
        public String message() {
            return "all " + usableSlots + " usable slots of the ring hold descriptors; drain completions and retry";
        }

        @Override
        public boolean retryable() {
            return true;
        }
    }

    /** No device address could be made for the memory (no IOVA space, no mapping slot). */
    record MappingFailed(String what) implements DmaError {
        @Override
        public String message() {
            return "DMA mapping failed: " + what;
        }

        @Override
        public boolean retryable() {
            return true;
        }
    }

    /**
     * A descriptor was refused before the device saw it: its {@code field} names device addresses
     * [address, address + length) that no live mapping of the device covers for the access
     * ({@code reason} says which: not mapped, mapped for the other direction, past the end of a
     * mapping). A driver bug: the same descriptor fails again.
     */
    record NotMapped(String device, String field, long address, long length, String reason) implements DmaError {
        @Override
        public String message() {
            return String.format("%s: descriptor refused: %s [%#x, +%#x) %s", device, field, address, length, reason);
        }
    }

    /**
     * An unmap (or coherent free) was refused and nothing changed: {@code use} (a descriptor in
     * flight, and which of its addresses) still names [address, address + length) of the mapping
     * at {@code mapping}. Retryable: after the descriptor's completion is reaped (or the device is
     * reset), the same unmap succeeds.
     */
    record InUse(String device, long mapping, String use, long address, long length) implements DmaError {
        @Override
        public String message() {
            return String.format("%s: cannot unmap the mapping at device address %#x: %s names [%#x, +%#x) of it and is"
                    + " still in flight; reap its completion (or reset the device), then unmap", device, mapping, use, address, length);
        }

        @Override
        public boolean retryable() {
            return true;
        }
    }
}
