package org.jdma.kernel.dmaengine;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * What a transaction came to (Linux {@code struct dmaengine_result}, with the channel's status and
 * a compare's answer). A device-reported error is a result, never an exception.
 *
 * @param cookie     the transaction
 * @param status     COMPLETE, ERROR, or IN_PROGRESS when a wait gave up before it finished
 * @param outcome    how the transfer went (Linux {@code enum dmaengine_tx_result})
 * @param residue    bytes the transfer did not process (0 when it completed without error)
 * @param mismatchAt for a {@link DmaTransfer.Compare} whose buffers differ, the offset of the
 *                   first difference; empty otherwise
 * @param detail     the device's own words: its status name, the faulting address, the engine state
 */
public record DmaTxResult(DmaCookie cookie, DmaStatus status, Outcome outcome, long residue, OptionalLong mismatchAt, String detail) {

    /** How a transfer went (Linux {@code enum dmaengine_tx_result}, and NOT_DONE for a wait that gave up). */
    public enum Outcome {
        NOERROR,
        /** The device could not read a source (an IOMMU fault, a master abort). */
        READ_FAILED,
        /** The device could not write the destination. */
        WRITE_FAILED,
        /** The device refused or stopped the transfer for another reason (bad length, alignment, a halted engine). */
        ABORTED,
        /** Not finished when the wait gave up; the transaction is still in flight. */
        NOT_DONE
    }

    public DmaTxResult {
        Objects.requireNonNull(cookie, "cookie");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(mismatchAt, "mismatchAt");
        Objects.requireNonNull(detail, "detail");
        if ((status == DmaStatus.COMPLETE) != (outcome == Outcome.NOERROR)
                || (status == DmaStatus.IN_PROGRESS) != (outcome == Outcome.NOT_DONE)) {
            throw new IllegalArgumentException("status " + status + " does not go with outcome " + outcome);
        }
    }

    /** A transaction that was not finished when a wait for it gave up. */
    public static DmaTxResult notDone(DmaCookie cookie, String detail) {
        return new DmaTxResult(cookie, DmaStatus.IN_PROGRESS, Outcome.NOT_DONE, 0, OptionalLong.empty(), detail);
    }

    public boolean isSuccess() {
        return status == DmaStatus.COMPLETE;
    }
}
