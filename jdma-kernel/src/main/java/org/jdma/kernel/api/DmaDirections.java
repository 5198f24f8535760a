package org.jdma.kernel.api;

import java.util.Objects;
import org.jdma.kernel.dma.DmaDirection;

/** Direction checks shared by the API's classes. */
final class DmaDirections {
    private DmaDirections() { }

    /** Seed 004 knows three directions; NONE (a debugging value of Linux) cannot carry data. */
    static DmaDirection requireMappable(DmaDirection direction) {
        Objects.requireNonNull(direction, "direction");
        if (direction == DmaDirection.NONE) {
            throw new IllegalArgumentException("direction NONE cannot be used for DMA: use TO_DEVICE, FROM_DEVICE or BIDIRECTIONAL");
        }
        return direction;
    }
}
