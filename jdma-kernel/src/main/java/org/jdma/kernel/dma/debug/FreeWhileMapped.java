package org.jdma.kernel.dma.debug;

import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.mm.LiveMapping;
import org.jdma.kernel.mm.MemoryInUseException;

/**
 * The checker's side of a refused free: the memory manager refused to free memory a live mapping
 * covers ({@link MemoryInUseException}); the checker reports it as
 * {@link DmaDebugCategory#FREE_WHILE_MAPPED}, naming the mapping and the stack of the call that
 * made it (its entry, found by device and device address). Linux's dma-debug has no such check.
 */
final class FreeWhileMapped {
    private FreeWhileMapped() { }

    /** Whether {@code dmaAddress} of {@code device} is a coherent allocation the checker knows. */
    static boolean isCoherentAllocation(CheckerState state, Object lock, DmaDevice device, long dmaAddress) {
        synchronized (lock) {
            return state.table.entriesAt(device, dmaAddress).stream().anyMatch(e -> e.type == DmaMappingType.COHERENT);
        }
    }

    /** A free the memory manager refused: reported with the site of the map that holds the memory. */
    static void refused(CheckerState state, Object lock, MemoryInUseException e) {
        if (e.mapping().isEmpty() || !(e.mapping().get().device() instanceof DmaDevice device)) {
            return;
        }
        synchronized (lock) {
            if (!state.disabled) {
                report(state, device, e);
            }
        }
    }

    /** Lock held. */
    static void report(CheckerState state, DmaDevice device, MemoryInUseException e) {
        LiveMapping m = e.mapping().orElseThrow();
        DebugEntry entry = null;
        for (DebugEntry candidate : state.table.entriesAt(device, m.busAddress())) {
            entry = candidate;
            break;
        }
        state.report(DmaDebugCategory.FREE_WHILE_MAPPED, device, entry, -1, String.format(
                "device driver frees memory that is still DMA-mapped [range=[0x%x, +0x%x)] [%s mapping of [0x%x, +0x%x)]"
                        + " [device address=0x%016x] [mapped with %s]: the free was refused; unmap first",
                e.address(), e.length(), m.kind(), m.physical(), m.length(), m.busAddress(), m.direction()));
    }
}
