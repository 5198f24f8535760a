package org.jdma.kernel.dmaengine;

/**
 * One transaction a client prepares on a channel (Linux's {@code device_prep_dma_*} calls and the
 * {@code dma_async_tx_descriptor} they return). Addresses are device addresses the client mapped
 * for the channel's device ({@link DmaChannel#dma()}); lengths in bytes.
 */
public sealed interface DmaTransfer {

    /** The capability a channel needs to run this transfer. */
    DmaCapability capability();

    /** Bytes the transfer covers (0 for {@link Interrupt}). */
    long length();

    /** Copies {@code length} bytes from {@code source} to {@code destination} (Linux {@code device_prep_dma_memcpy}). */
    record Memcpy(long destination, long source, long length) implements DmaTransfer {
        public Memcpy {
            checkLength(length);
        }

        @Override
        public DmaCapability capability() {
            return DmaCapability.MEMCPY;
        }
    }

    /**
     * Fills {@code length} bytes at {@code destination} with the 8-byte little-endian
     * {@code pattern} (Linux {@code device_prep_dma_memset} repeats one byte; give that byte eight
     * times for the same effect).
     */
    record Memset(long destination, long pattern, long length) implements DmaTransfer {
        public Memset {
            checkLength(length);
        }

        @Override
        public DmaCapability capability() {
            return DmaCapability.MEMSET;
        }
    }

    /** Compares {@code length} bytes at {@code first} and {@code second}; the result says whether and where they differ. */
    record Compare(long first, long second, long length) implements DmaTransfer {
        public Compare {
            checkLength(length);
        }

        @Override
        public DmaCapability capability() {
            return DmaCapability.COMPARE;
        }
    }

    /** Moves nothing; completes in order after what was submitted before it (Linux {@code device_prep_dma_interrupt}). */
    record Interrupt() implements DmaTransfer {
        @Override
        public DmaCapability capability() {
            return DmaCapability.INTERRUPT;
        }

        @Override
        public long length() {
            return 0;
        }
    }

    private static void checkLength(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("transfer length must not be negative, was " + length);
        }
    }
}
