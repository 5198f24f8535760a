package org.jdma.machine.bus;

import java.util.Objects;

/**
 * What an interrupt remapper made of a device's write into the interrupt range: the message to
 * deliver (the write as it was, or remapped), or a refusal with the remapper's reason. A refused
 * request delivers nothing; a posted one (VT-d posted interrupts) was recorded in memory and needs
 * no message now, its notification having been sent earlier or suppressed.
 *
 * @param address the message address to deliver (meaningless when refused)
 * @param data    the message data to deliver (meaningless when refused)
 * @param fault   null when delivered; else one of the {@link FaultReason#translation() translation} kinds
 * @param detail  the remapper's own reason (for VT-d the fault reason 0x20-0x27)
 */
public record InterruptRequest(long address, int data, FaultReason fault, FaultDetail detail) {

    public InterruptRequest {
        Objects.requireNonNull(detail, "detail");
        if (fault != null && !fault.translation()) {
            throw new IllegalArgumentException("an interrupt remapper cannot report the bus-level fault " + fault);
        }
    }

    public static InterruptRequest deliver(long address, int data) {
        return new InterruptRequest(address, data, null, FaultDetail.NONE);
    }

    /** Accepted and recorded by the remapper, with nothing to deliver now. */
    public static InterruptRequest posted() {
        return POSTED;
    }

    private static final long NO_MESSAGE = -1L;
    private static final InterruptRequest POSTED = new InterruptRequest(NO_MESSAGE, 0, null, FaultDetail.NONE);

    public static InterruptRequest refuse(FaultReason fault, FaultDetail detail) {
        return new InterruptRequest(0, 0, Objects.requireNonNull(fault, "fault"), detail);
    }

    public boolean refused() {
        return fault != null;
    }

    /** Whether there is a message to deliver (not refused, not only posted). */
    public boolean delivers() {
        return fault == null && address != NO_MESSAGE;
    }
}
