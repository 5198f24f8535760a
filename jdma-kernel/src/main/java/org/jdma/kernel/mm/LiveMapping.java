package org.jdma.kernel.mm;

/**
 * A live DMA mapping as the memory manager sees it: which physical bytes a device may still reach,
 * and through what. The mapping layer ({@code kernel.dma}) records one per map call (one per entry
 * of a scatterlist) in {@link DmaPins}.
 *
 * @param physical   first CPU-side byte the mapping covers
 * @param length     bytes covered
 * @param device     the device the memory is mapped for (the DMA layer's device object)
 * @param busAddress the first address the device was given for it (for a scatterlist entry, the
 *                   device segment of the same index; the list's first device address when the
 *                   list merged into fewer segments than entries)
 * @param busLength  bytes the device reaches from {@code busAddress} (0 for a scatterlist entry past
 *                   the merged segments)
 * @param direction  the DMA direction it was mapped with
 * @param kind       "streaming", "scatterlist" or "coherent"
 */
public record LiveMapping(long physical, long length, Object device, long busAddress, long busLength, Object direction, String kind) {

    /** Whether any byte of [address, address + len) lies in this mapping. */
    public boolean overlaps(long address, long len) {
        return address < physical + length && physical < address + len;
    }

    /** Whether bus address {@code address} lies in [busAddress, busAddress + busLength). */
    public boolean coversBus(long address) {
        return Long.compareUnsigned(address - busAddress, busLength) < 0;
    }

    @Override
    public String toString() {
        return String.format("%s mapping of [%#x, +%#x) for %s at bus address %#x, %s", kind, physical, length, device, busAddress, direction);
    }
}
