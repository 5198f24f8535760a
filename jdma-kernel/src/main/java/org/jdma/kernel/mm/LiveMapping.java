package org.jdma.kernel.mm;

/**
 * A live DMA mapping as the memory manager sees it: which physical bytes a device may still reach,
 * and through what. The mapping layer ({@code kernel.dma}) records one per map call (one per entry
 * of a scatterlist) in {@link DmaPins}.
 *
 * @param physical   first CPU-side byte the mapping covers
 * @param length     bytes covered
 * @param device     the device the memory is mapped for (the DMA layer's device object)
 * @param busAddress the address the device was given (a scatterlist's first device address): what
 *                   the driver unmaps by
 * @param busFirst   the first bus address the device reaches through this pin (for a scatterlist
 *                   entry, the device segment of the same index)
 * @param busLength  bytes the device reaches from {@code busFirst} (0 for a scatterlist entry past
 *                   the segments a merged list has)
 * @param direction  the DMA direction it was mapped with
 * @param kind       "streaming", "scatterlist" or "coherent"
 */
public record LiveMapping(long physical, long length, Object device, long busAddress, long busFirst, long busLength, Object direction, String kind) {

    /** Whether any byte of [address, address + len) lies in this mapping. */
    public boolean overlaps(long address, long len) {
        return address < physical + length && physical < address + len;
    }

    /** Whether bus address {@code address} lies in [busFirst, busFirst + busLength). */
    public boolean coversBus(long address) {
        return Long.compareUnsigned(address - busFirst, busLength) < 0;
    }

    @Override
    public String toString() {
        String segment = busFirst == busAddress || busLength == 0 ? "" : String.format(" (this entry's device segment [%#x, +%#x))", busFirst, busLength);
        return String.format("%s mapping of [%#x, +%#x) for %s at bus address %#x%s, %s", kind, physical, length, device, busAddress,
                segment, direction);
    }
}
