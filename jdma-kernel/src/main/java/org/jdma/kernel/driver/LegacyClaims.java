package org.jdma.kernel.driver;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which legacy device holds which ports, IRQ line and DMA channels (Linux's {@code ioport_resource}
 * tree and its {@code request_region}, {@code request_irq} without IRQF_SHARED, {@code request_dma}):
 * a resource is held by at most one device. ISA IRQs are edge-triggered and cannot be shared.
 */
final class LegacyClaims {

    private final Map<String, LegacyResources> holders = new LinkedHashMap<>();

    /** Why {@code wanted} cannot be claimed (naming the holder), or empty when it can. */
    Optional<String> conflict(LegacyResources wanted) {
        for (Map.Entry<String, LegacyResources> e : holders.entrySet()) {
            LegacyResources held = e.getValue();
            for (PortRange w : wanted.ports()) {
                for (PortRange h : held.ports()) {
                    if (w.overlaps(h)) {
                        return Optional.of(w + " overlap " + h + ", which " + e.getKey() + " holds");
                    }
                }
            }
            if (wanted.irqLine().isPresent() && wanted.irqLine().equals(held.irqLine())) {
                return Optional.of("IRQ " + wanted.irqLine().getAsInt() + " is held by " + e.getKey() + " (ISA lines are not shared)");
            }
            for (int c : wanted.dmaChannels()) {
                if (held.dmaChannels().contains(c)) {
                    return Optional.of("DMA channel " + c + " is held by " + e.getKey());
                }
            }
        }
        return Optional.empty();
    }

    void claim(String holder, LegacyResources resources) {
        holders.put(holder, resources);
    }

    void release(String holder) {
        holders.remove(holder);
    }
}
