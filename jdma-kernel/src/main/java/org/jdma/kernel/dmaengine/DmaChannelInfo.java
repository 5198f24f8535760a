package org.jdma.kernel.dmaengine;

import java.util.Optional;

/**
 * A registered channel as the allocator lists it.
 *
 * @param name         "memcpy0chan0"
 * @param device       the device it belongs to, "memcpy0"
 * @param capabilities what it can do
 * @param holder       the client holding it, empty when it is free
 */
public record DmaChannelInfo(String name, String device, DmaCapabilities capabilities, Optional<String> holder) {

    @Override
    public String toString() {
        return name + " " + capabilities + holder.map(h -> " held by '" + h + "'").orElse(" free");
    }
}
