package org.jdma.kernel.dma.debug;

import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;

/** A lookup key: what an unmap, free or sync call says about the mapping it means. */
record MappingRef(DmaDevice device, long dmaAddress, long size, long physical, DmaMappingType type,
                  DmaDirection direction, int sgCallEntries) { }
