package org.jdma.kernel.dma.debug;

import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaInFlight;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.kernel.mm.MappingHold;

/**
 * The checker's side of a refused unmap: the mapping layer refuses to unmap (or free) a mapping a
 * descriptor in flight holds ({@link DmaInFlight}). The checker asks first, before it forgets its
 * entry, and when the unmap will be refused reports {@link DmaDebugCategory#UNMAP_WHILE_IN_USE}
 * with the map site and the descriptor, and throws the layer's exception: the entry stays, as the
 * mapping does. Linux's dma-debug has no such check.
 *
 * <p>A hold placed between this question and the layer's unmap (a submit racing the unmap of the
 * same buffer on another thread) is still refused by the layer, which decides under its own lock;
 * the checker reports that refusal too, and keeps the entry, which it forgets only after the layer
 * has released the mapping.
 */
final class UnmapWhileInUse {
    private UnmapWhileInUse() { }

    /** The reference a scatterlist unmap is checked and reported by (its first device segment), or null for an empty list. */
    static MappingRef sgRef(DmaDevice device, ScatterList sg, int nents, DmaDirection direction) {
        return sg == null || sg.size() == 0 ? null
                : new MappingRef(device, sg.get(0).dmaAddress(), sg.get(0).dmaLength(), -1, DmaMappingType.SCATTER_GATHER, direction, nents);
    }

    /** Throws (after reporting) when an unmap of {@code count} mappings of {@code kind} at {@code dmaAddress} would be refused. */
    static void refuseIfHeld(CheckerState state, Object lock, DmaApi delegate, MappingRef ref, String kind, int count) {
        if (ref == null) {
            return;
        }
        MappingHold hold = delegate.memory().map(m -> m.pins().holdOn(ref.device(), ref.dmaAddress(), kind, count)).orElse(null);
        if (hold != null) {
            RuntimeException refusal = DmaInFlight.inUse(ref.device(), hold);
            report(state, lock, ref, refusal.getMessage());
            throw refusal;
        }
    }

    /** Runs the layer's unmap; a refusal the checker did not foresee (the race in the class comment) is reported too. */
    static void run(CheckerState state, Object lock, MappingRef ref, Runnable layerUnmap) {
        try {
            layerUnmap.run();
        } catch (DmaException e) {
            if (ref != null && e.error() instanceof DmaError.InUse) {
                report(state, lock, ref, e.getMessage());
            }
            throw e;
        }
    }

    private static void report(CheckerState state, Object lock, MappingRef ref, String message) {
        synchronized (lock) {
            if (state.disabled) {
                return;
            }
            DmaDevice device = ref.device();
            DebugEntry entry = state.table.findExact(ref);
            state.report(DmaDebugCategory.UNMAP_WHILE_IN_USE, device, entry, -1, String.format(
                    "device driver unmaps DMA memory a descriptor in flight still uses [device address=0x%016x] [size=%d bytes]"
                            + " [%s]: the unmap was refused; the mapping stays", ref.dmaAddress(), ref.size(), message));
        }
    }
}
