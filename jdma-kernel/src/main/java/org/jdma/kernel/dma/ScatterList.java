package org.jdma.kernel.dma;

import java.util.ArrayList;
import java.util.List;

/**
 * A scatter-gather list (Linux {@code struct scatterlist} array): input segments of physical
 * memory, and after {@link DmaApi#mapSg} the device-side segments. Mapping may merge segments, so
 * the number of device segments (the count mapSg returned) can be smaller than the number of
 * input segments; a driver must program exactly that many, and must unmap with the original
 * number of input segments (dma-debug check "different entry count").
 */
public final class ScatterList {

    /** One input segment and, once mapped, the device segment stored at the same index. */
    public static final class Entry {
        private final long physical;
        private final long length;
        private long dmaAddress = DmaApi.DMA_MAPPING_ERROR;
        private long dmaLength;

        Entry(long physical, long length) {
            this.physical = physical;
            this.length = length;
        }

        public long physical() { return physical; }
        public long length() { return length; }
        /** Device address of output segment i (valid for i below the mapped count). */
        public long dmaAddress() { return dmaAddress; }
        public long dmaLength() { return dmaLength; }

        /** Set by the mapping layer. */
        public void setDma(long address, long len) {
            this.dmaAddress = address;
            this.dmaLength = len;
        }
    }

    private final List<Entry> entries = new ArrayList<>();

    /**
     * Appends [physical, physical + length).
     *
     * @throws IllegalArgumentException when length is not positive or the range wraps
     */
    public ScatterList add(long physical, long length) {
        if (length <= 0) {
            throw new IllegalArgumentException("scatterlist entry " + entries.size() + ": length must be positive, was " + length);
        }
        if (physical + length < physical && physical + length != 0) {
            throw new IllegalArgumentException(String.format("scatterlist entry %d: [%#x, +%#x) wraps past 2^64", entries.size(), physical, length));
        }
        entries.add(new Entry(physical, length));
        return this;
    }

    /** Forgets every entry (a list is reused for the next request). */
    public ScatterList clear() {
        entries.clear();
        return this;
    }

    public int size() { return entries.size(); }
    public Entry get(int i) { return entries.get(i); }
    public List<Entry> entries() { return List.copyOf(entries); }

    /** Bytes of the first {@code n} entries. */
    public long lengthOf(int n) {
        long total = 0;
        for (int i = 0; i < n; i++) {
            total += entries.get(i).length();
        }
        return total;
    }

    public long totalLength() {
        long t = 0;
        for (Entry e : entries) {
            t += e.length;
        }
        return t;
    }
}
