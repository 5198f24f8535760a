package org.jdma.machine.bus;

/**
 * Outcome of one DMA request.
 *
 * @param bytes        bytes actually moved (the prefix before a fault, all of them on success)
 * @param costNs       modeled time the request occupied the bus, ns
 * @param reason       null on success, else why it failed, in generic terms
 * @param faultAddress the bus address of the first byte that faulted (valid when reason != null)
 * @param access       the direction of the faulting access
 * @param detail       the translator's own reason when {@code reason.translation()}, else
 *                     {@link FaultDetail#NONE}
 */
public record DmaResult(long bytes, long costNs, FaultReason reason, long faultAddress, Access access, FaultDetail detail) {

    public static DmaResult ok(long bytes, long costNs) {
        return new DmaResult(bytes, costNs, null, 0, null, FaultDetail.NONE);
    }

    /** A fault the bus decided alone (no translator reason). */
    public static DmaResult fault(long bytesBefore, long costNs, FaultReason reason, long address, Access access) {
        return new DmaResult(bytesBefore, costNs, reason, address, access, FaultDetail.NONE);
    }

    public static DmaResult fault(long bytesBefore, long costNs, FaultReason reason, long address, Access access,
                                  FaultDetail detail) {
        return new DmaResult(bytesBefore, costNs, reason, address, access, detail);
    }

    public boolean isOk() {
        return reason == null;
    }

    @Override
    public String toString() {
        return isOk() ? "ok(" + bytes + " B, " + costNs + " ns)"
                : String.format("fault(%s %s at %#x after %d B%s)", reason, access, faultAddress, bytes,
                        detail.isNone() ? "" : ", " + detail);
    }
}
