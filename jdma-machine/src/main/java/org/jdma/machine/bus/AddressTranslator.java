package org.jdma.machine.bus;

import org.jdma.spec.pci.RequesterId;

/**
 * Turns a bus address into a physical address for one requester. The identity translator is used
 * when no IOMMU covers a device; the VT-d unit implements this interface.
 */
public interface AddressTranslator {

    /**
     * A translated run: [physical, physical + length) is contiguous and allowed. {@code costNs} is the
     * modeled time the lookup took (IOTLB hit or page walk). A refused request has a {@code fault}
     * (one of the {@link FaultReason#translation() translation} kinds) and the translator's own
     * {@code detail}; its physical address and length mean nothing.
     */
    record Translation(long physical, long length, long costNs, FaultReason fault, FaultDetail detail) {
        public Translation {
            if (fault != null && !fault.translation()) {
                throw new IllegalArgumentException("a translator cannot report the bus-level fault " + fault);
            }
        }

        /** An allowed run. */
        public Translation(long physical, long length, long costNs) {
            this(physical, length, costNs, null, FaultDetail.NONE);
        }

        public boolean faulted() {
            return fault != null;
        }

        public static Translation fault(FaultReason fault, FaultDetail detail, long costNs) {
            return new Translation(0, 0, costNs, java.util.Objects.requireNonNull(fault, "fault"), detail);
        }
    }

    /**
     * Where {@link #translateInto} puts its answer: a {@link Translation}'s fields, overwritten by
     * each call. The caller owns it (a {@link DmaPort} has one), so that the bus translates every
     * request without a result object per request.
     */
    final class Result {
        long physical;
        long length;
        long costNs;
        /** null when allowed. */
        FaultReason fault;
        FaultDetail detail = FaultDetail.NONE;

        /** An allowed run. */
        public void allow(long physical, long length, long costNs) {
            this.physical = physical;
            this.length = length;
            this.costNs = costNs;
            this.fault = null;
            this.detail = FaultDetail.NONE;
        }

        /** What {@code t} says. */
        public void set(Translation t) {
            this.physical = t.physical();
            this.length = t.length();
            this.costNs = t.costNs();
            this.fault = t.fault();
            this.detail = t.detail();
        }

        public boolean faulted() {
            return fault != null;
        }

        public long costNs() {
            return costNs;
        }

        public Translation toTranslation() {
            return new Translation(physical, length, costNs, fault, detail);
        }
    }

    /**
     * Translates the start of [busAddress, busAddress + length). The result may cover fewer bytes
     * (a page boundary); the caller asks again for the rest. A faulted translation blocks the access.
     */
    Translation translate(RequesterId requester, long busAddress, long length, Access access);

    /**
     * As {@link #translate}, the answer put into {@code out}. A translator on the hot path (an
     * IOMMU) overrides it to answer without making a {@link Translation}.
     */
    default void translateInto(RequesterId requester, long busAddress, long length, Access access, Result out) {
        out.set(translate(requester, busAddress, length, access));
    }

    /**
     * True when {@link #translate} would answer identity, at no cost, for every request of
     * {@code requester} right now (an IOMMU whose translation is disabled, the reset state). Lets the
     * bus skip the call and its result object on the hot path; false is always a correct answer.
     */
    default boolean passesThrough(RequesterId requester) {
        return false;
    }

    /**
     * True when the translator remaps (or may refuse) {@code requester}'s interrupt requests now:
     * its unit has interrupt remapping enabled. When false the bus delivers a write into the
     * interrupt range as it is, without calling {@link #remapInterrupt}.
     */
    default boolean remapsInterrupts(RequesterId requester) {
        return false;
    }

    /**
     * Decodes {@code requester}'s 32-bit write of {@code data} to {@code address} (in the interrupt
     * range) as an interrupt request: the message to deliver, or a refusal. Without interrupt
     * remapping, the write as it is.
     */
    default InterruptRequest remapInterrupt(RequesterId requester, long address, int data) {
        return InterruptRequest.deliver(address, data);
    }

    AddressTranslator IDENTITY = new AddressTranslator() {
        @Override
        public Translation translate(RequesterId requester, long busAddress, long length, Access access) {
            return new Translation(busAddress, length, 0);
        }

        @Override
        public boolean passesThrough(RequesterId requester) {
            return true;
        }
    };
}
