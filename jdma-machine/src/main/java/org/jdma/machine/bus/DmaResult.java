package org.jdma.machine.bus;

/**
 * Outcome of one DMA request.
 *
 * @param bytes        bytes actually moved (the prefix before a fault, all of them on success)
 * @param costNs       modeled time the request occupied the bus, ns
 * @param reason       null on success, else why it failed
 * @param faultAddress the bus address of the first byte that faulted (valid when reason != null)
 * @param access       the direction of the faulting access
 * @param vtdReason    the IOMMU's fault reason code when reason is TRANSLATION, else 0
 */
public record DmaResult(long bytes, long costNs, FaultReason reason, long faultAddress, Access access, int vtdReason) {

    public static DmaResult ok(long bytes, long costNs) {
        return new DmaResult(bytes, costNs, null, 0, null, 0);
    }

    public static DmaResult fault(long bytesBefore, long costNs, FaultReason reason, long address, Access access, int vtdReason) {
        return new DmaResult(bytesBefore, costNs, reason, address, access, vtdReason);
    }

    public boolean isOk() {
        return reason == null;
    }

    @Override
    public String toString() {
        return isOk() ? "ok(" + bytes + " B, " + costNs + " ns)"
                : String.format("fault(%s %s at %#x after %d B%s)", reason, access, faultAddress, bytes,
                        vtdReason != 0 ? ", VT-d reason " + vtdReason : "");
    }
}
