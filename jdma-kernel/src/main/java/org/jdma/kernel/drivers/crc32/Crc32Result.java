package org.jdma.kernel.drivers.crc32;

/**
 * How one checksum operation ended: what the engine reported in STATUS (or that it never
 * finished), the checksum when it succeeded, and for a faulted DMA the bus address of the first
 * byte it could not move (FAULT_ADDR). Device-reported errors are results, not exceptions.
 *
 * @param checksum     the CRC-32 (meaningful only when {@link #succeeded()})
 * @param faultAddress FAULT_ADDR for {@link Outcome#READ_FAULT} and {@link Outcome#WRITE_FAULT}, else 0
 */
public record Crc32Result(Outcome outcome, int checksum, long faultAddress) {

    /** STATUS after the operation, as one value. */
    public enum Outcome {
        /** DONE, no error bit: the checksum is in memory and in RESULT. */
        SUCCESS,
        /** READ_FAULT: a DMA read of the input failed (not mapped for the device, or bus mastering off). */
        READ_FAULT,
        /** WRITE_FAULT: the DMA write of the result failed. */
        WRITE_FAULT,
        /** BAD_LENGTH: LENGTH was 0 or above the engine's maximum; nothing was read. */
        BAD_LENGTH,
        /** No completion interrupt within the driver's timeout. */
        TIMED_OUT
    }

    public boolean succeeded() {
        return outcome == Outcome.SUCCESS;
    }

    @Override
    public String toString() {
        return switch (outcome) {
            case SUCCESS -> String.format("SUCCESS crc32 %#010x", checksum);
            case READ_FAULT, WRITE_FAULT -> String.format("%s at %#x", outcome, faultAddress);
            default -> outcome.name();
        };
    }
}
