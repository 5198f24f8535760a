package org.jdma.kernel.dmaengine;

import java.util.EnumSet;
import java.util.Objects;

/**
 * A set of {@link DmaCapability capabilities} (Linux {@code dma_cap_mask_t}): what a channel
 * offers, or what a client asks of one. Immutable.
 */
public final class DmaCapabilities {

    private final EnumSet<DmaCapability> bits;

    private DmaCapabilities(EnumSet<DmaCapability> bits) {
        this.bits = bits;
    }

    /** The set of {@code capabilities} (Linux {@code dma_cap_zero} then {@code dma_cap_set} for each). */
    public static DmaCapabilities of(DmaCapability... capabilities) {
        EnumSet<DmaCapability> s = EnumSet.noneOf(DmaCapability.class);
        for (DmaCapability c : capabilities) {
            s.add(Objects.requireNonNull(c, "capability"));
        }
        return new DmaCapabilities(s);
    }

    /** Whether {@code capability} is in the set (Linux {@code dma_has_cap}). */
    public boolean has(DmaCapability capability) {
        return bits.contains(capability);
    }

    /** Whether every capability of {@code wanted} is in this set (what a channel must offer to be handed out). */
    public boolean containsAll(DmaCapabilities wanted) {
        return bits.containsAll(wanted.bits);
    }

    /** The capabilities of {@code wanted} this set lacks. */
    public DmaCapabilities missing(DmaCapabilities wanted) {
        EnumSet<DmaCapability> m = EnumSet.noneOf(DmaCapability.class);
        m.addAll(wanted.bits);
        m.removeAll(bits);
        return new DmaCapabilities(m);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DmaCapabilities c && bits.equals(c.bits);
    }

    @Override
    public int hashCode() {
        return bits.hashCode();
    }

    /** "[MEMCPY, MEMSET]". */
    @Override
    public String toString() {
        return bits.toString();
    }
}
