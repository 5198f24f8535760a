package org.jdma.kernel.drivers.memcpy;

import org.jdma.spec.memcpy.CompletionStatus;

/**
 * A descriptor the device has finished, with what its completion record said.
 *
 * @param descriptor     the descriptor as submitted, with {@link Descriptor#DONE} set, and
 *                       {@link Descriptor#ERROR} too when the status is an error
 * @param status         the completion status; null only if the device wrote a code the datasheet
 *                       does not define (then {@link #statusByte} holds it and {@link #isError()} is true)
 * @param statusByte     the raw status byte (bit 7: the fault was on a write)
 * @param bytesCompleted bytes processed; for a COMPARE that differs, the offset of the first difference
 * @param result         COMPARE: 0 equal, 1 different; 0 for other opcodes
 * @param faultAddress   the address that faulted, for page-fault statuses; 0 otherwise
 * @param slot           the ring slot the descriptor occupied
 * @param sequence       the descriptor's submission number on its engine (0, 1, 2, ...)
 * @param chain          for a CHAIN that failed: the failed link and how far it got; {@link ChainProgress#NONE}
 *                       otherwise (then {@code bytesCompleted} counts the links that completed)
 */
public record CompletedDescriptor(Descriptor descriptor, CompletionStatus status, int statusByte, long bytesCompleted,
                                  int result, long faultAddress, int slot, long sequence, ChainProgress chain) {

    public CompletedDescriptor {
        java.util.Objects.requireNonNull(chain, "chain");
    }

    /** A completion of anything but a failed chain. */
    public CompletedDescriptor(Descriptor descriptor, CompletionStatus status, int statusByte, long bytesCompleted,
                               int result, long faultAddress, int slot, long sequence) {
        this(descriptor, status, statusByte, bytesCompleted, result, faultAddress, slot, sequence, ChainProgress.NONE);
    }

    public boolean isSuccess() {
        return status != null && !status.isError();
    }

    public boolean isError() {
        return !isSuccess();
    }

    /** For a COMPARE: whether the two buffers differed. */
    public boolean differs() {
        return result != 0;
    }

    /** Whether the fault recorded in the status byte happened on a write. */
    public boolean faultOnWrite() {
        return (statusByte & CompletionStatus.WRITE_FAULT_BIT) != 0;
    }
}
