package org.jdma.machine.bus;

import java.util.Objects;
import org.jdma.spec.pci.RequesterId;

/**
 * Who a DMA request comes from, as the bus knows it.
 *
 * <p>A PCI function masters the bus itself and tags its requests with its own requester id. A
 * legacy (ISA/LPC) device has no requester id: its transfers run on a DMA channel of the legacy
 * bus, and reach memory as requests of the bridge that connects that bus to PCI, tagged with the
 * bridge's id. On Intel chipsets that bridge is the LPC bridge at 00:1f.0, so an IOMMU sees every
 * legacy DMA as 00:1f.0's and translates it in 00:1f.0's context (VT-d 4.1 §3.4.1: the source of a
 * request is its requester id; a DMAR device scope for legacy DMA names the LPC bridge).
 * {@link #requester()} is therefore what an IOMMU and a bus analyzer's id column see; the origin
 * itself tells the channel apart for monitors and traces.
 */
public sealed interface DmaOrigin {

    /** The requester id on the bus: the function's own, or the bridge's for a legacy channel. */
    RequesterId requester();

    /** A PCI function mastering the bus with its own requester id. */
    record PciRequester(RequesterId id) implements DmaOrigin {
        public PciRequester {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public RequesterId requester() {
            return id;
        }

        @Override
        public String toString() {
            return id.toString();
        }
    }

    /**
     * A legacy DMA channel (0..7; 0-3 on the first 8237A, 5-7 on the second, 4 cascades them on a
     * PC/AT) whose transfers the bridge {@code bridge} forwards with its own requester id.
     */
    record LegacyChannel(int channel, RequesterId bridge) implements DmaOrigin {
        /** Channels of the two cascaded 8237A controllers of a PC/AT. */
        public static final int CHANNELS = 8;

        public LegacyChannel {
            if (channel < 0 || channel >= CHANNELS) {
                throw new IllegalArgumentException("legacy DMA channel " + channel + " does not exist (channels 0..7)");
            }
            Objects.requireNonNull(bridge, "bridge");
        }

        @Override
        public RequesterId requester() {
            return bridge;
        }

        @Override
        public String toString() {
            return "DMA channel " + channel + " via " + bridge;
        }
    }

    static DmaOrigin pci(RequesterId id) {
        return new PciRequester(id);
    }
}
