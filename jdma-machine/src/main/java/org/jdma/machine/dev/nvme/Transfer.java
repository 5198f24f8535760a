package org.jdma.machine.dev.nvme;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;

/**
 * Where a command's data lives in host memory: the runs a PRP or SGL walk found, in order, each an
 * address and a length; a bit bucket (SGL) is a run whose read data is discarded. Moved through
 * the controller's {@link DmaPort}, so the IOMMU translates every run.
 */
final class Transfer {

    private static final long BUCKET = -1;

    // Most transfers are one or two runs (PRP1 and PRP2); a list grows them.
    private long[] address = new long[2];
    private long[] length = new long[2];
    private int runs;
    private long bytes;

    void clear() {
        runs = 0;
        bytes = 0;
    }

    void add(long addr, long len) {
        if (len == 0) {
            return;
        }
        if (runs == address.length) {
            address = Arrays.copyOf(address, runs * 2);
            length = Arrays.copyOf(length, runs * 2);
        }
        address[runs] = addr;
        length[runs] = len;
        runs++;
        bytes += len;
    }

    void addBucket(long len) {
        add(BUCKET, len);
    }

    long bytes() { return bytes; }

    int runs() { return runs; }

    long address(int i) { return address[i]; }

    long length(int i) { return length[i]; }

    boolean isBucket(int i) { return address[i] == BUCKET; }

    /** Device writes {@code src} (of {@link #bytes()} bytes) into the runs: a Read's data. Null when every byte moved. */
    DmaResult toHost(DmaPort port, MemorySegment src) {
        return toHost(port, src, 0);
    }

    /** As {@link #toHost(DmaPort, MemorySegment)} from {@code src} at {@code srcOffset}. */
    DmaResult toHost(DmaPort port, MemorySegment src, long srcOffset) {
        long at = srcOffset;
        for (int i = 0; i < runs; i++) {
            if (address[i] != BUCKET) {
                DmaResult r = port.write(address[i], src, at, length[i]);
                if (!r.isOk()) {
                    return r;
                }
            }
            at += length[i];
        }
        return null;
    }

    /** Device reads the runs into {@code dst}: a Write's data. Null when every byte moved. */
    DmaResult fromHost(DmaPort port, MemorySegment dst) {
        long at = 0;
        for (int i = 0; i < runs; i++) {
            if (address[i] != BUCKET) {
                DmaResult r = port.read(address[i], dst, at, length[i]);
                if (!r.isOk()) {
                    return r;
                }
            }
            at += length[i];
        }
        return null;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Transfer[");
        for (int i = 0; i < runs; i++) {
            b.append(i == 0 ? "" : ", ").append(address[i] == BUCKET ? "bucket" : String.format("%#x", address[i]))
                    .append('+').append(length[i]);
        }
        return b.append(']').toString();
    }
}
