package org.jdma.machine.dev.nvme;

import java.util.List;
import java.util.Objects;

/**
 * Options of one NVMe controller: its size, its capabilities and its named timings.
 *
 * @param ioQueuePairs      I/O submission and completion queues it can create, 1..{@link #MAX_IO_QUEUES}
 *                          (queue ids 1..n); MSI-X has one more entry than this, for the admin CQ
 * @param maxQueueEntries   entries an I/O queue may have (CAP.MQES + 1), 2..65536
 * @param doorbellStride    CAP.DSTRD: doorbells are {@code 4 << doorbellStride} bytes apart, 0..6
 * @param readyTimeout      CAP.TO, in 500 ms units (the longest a driver must wait for CSTS.RDY), 1..255
 * @param enableNs          time from CC.EN changing until CSTS.RDY follows it, ns; at most CAP.TO
 * @param shutdownNs        time from CC.SHN until CSTS.SHST reads complete, ns
 * @param mdts              Identify MDTS: the largest transfer is 2^mdts pages of 4 KiB; 0 = no limit
 * @param sgls              whether the controller takes SGLs for I/O commands (Identify SGLS)
 * @param fetchNs           time from a tail doorbell until the controller has fetched an entry, ns
 * @param namespaces        namespace 1, 2, ... in order; at least one
 * @param media             the modeled flash
 * @param serial            the serial number Identify reports (at most 20 ASCII characters)
 */
public record NvmeConfig(int ioQueuePairs, int maxQueueEntries, int doorbellStride, int readyTimeout, long enableNs,
                         long shutdownNs, int mdts, boolean sgls, long fetchNs, List<NamespaceSpec> namespaces,
                         MediaTiming media, String serial) {

    /** The most I/O queue pairs this model has (MSI-X entries 0..64). */
    public static final int MAX_IO_QUEUES = 64;

    /**
     * 16 I/O pairs of up to 1024 entries, stride 0, CAP.TO 20 (10 s), ready 1 ms after EN, shutdown
     * 2 ms, MDTS 5 (128 KiB), SGLs on, fetch 200 ns, one 64 MiB namespace of 512-byte blocks in
     * memory, {@link MediaTiming#DEFAULT}.
     */
    public static final NvmeConfig DEFAULT = new NvmeConfig(16, 1024, 0, 20, 1_000_000, 2_000_000, 5, true, 200,
            List.of(NamespaceSpec.memory(512, 128 * 1024)), MediaTiming.DEFAULT, "JDMA0001");

    public NvmeConfig {
        if (ioQueuePairs < 1 || ioQueuePairs > MAX_IO_QUEUES) {
            throw new IllegalArgumentException("ioQueuePairs must be 1.." + MAX_IO_QUEUES + ", was " + ioQueuePairs);
        }
        if (maxQueueEntries < 2 || maxQueueEntries > 65536) {
            throw new IllegalArgumentException("maxQueueEntries must be 2..65536, was " + maxQueueEntries);
        }
        if (doorbellStride < 0 || doorbellStride > 6) {
            throw new IllegalArgumentException("doorbellStride must be 0..6, was " + doorbellStride);
        }
        if (readyTimeout < 1 || readyTimeout > 255) {
            throw new IllegalArgumentException("readyTimeout must be 1..255 (500 ms units), was " + readyTimeout);
        }
        if (enableNs < 0 || enableNs > readyTimeout * 500_000_000L) {
            throw new IllegalArgumentException(String.format("enableNs must be 0..CAP.TO (%d ns), was %d",
                    readyTimeout * 500_000_000L, enableNs));
        }
        if (shutdownNs < 0 || fetchNs < 0) {
            throw new IllegalArgumentException(String.format("times must be >= 0 ns: shutdown %d, fetch %d", shutdownNs, fetchNs));
        }
        if (mdts < 0 || mdts > 15) {
            throw new IllegalArgumentException("mdts must be 0..15, was " + mdts);
        }
        namespaces = List.copyOf(namespaces);
        if (namespaces.isEmpty()) {
            throw new IllegalArgumentException("a controller needs at least one namespace");
        }
        Objects.requireNonNull(media, "media");
        if (serial.length() > 20 || !serial.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
            throw new IllegalArgumentException("serial must be at most 20 printable ASCII characters: " + serial);
        }
    }

    public NvmeConfig withNamespaces(List<NamespaceSpec> n) {
        return new NvmeConfig(ioQueuePairs, maxQueueEntries, doorbellStride, readyTimeout, enableNs, shutdownNs, mdts,
                sgls, fetchNs, n, media, serial);
    }

    public NvmeConfig withNamespaces(NamespaceSpec... n) {
        return withNamespaces(List.of(n));
    }

    public NvmeConfig withDoorbellStride(int dstrd) {
        return new NvmeConfig(ioQueuePairs, maxQueueEntries, dstrd, readyTimeout, enableNs, shutdownNs, mdts,
                sgls, fetchNs, namespaces, media, serial);
    }

    public NvmeConfig withIoQueuePairs(int n) {
        return new NvmeConfig(n, maxQueueEntries, doorbellStride, readyTimeout, enableNs, shutdownNs, mdts,
                sgls, fetchNs, namespaces, media, serial);
    }

    public NvmeConfig withMaxQueueEntries(int n) {
        return new NvmeConfig(ioQueuePairs, n, doorbellStride, readyTimeout, enableNs, shutdownNs, mdts,
                sgls, fetchNs, namespaces, media, serial);
    }

    public NvmeConfig withSgls(boolean on) {
        return new NvmeConfig(ioQueuePairs, maxQueueEntries, doorbellStride, readyTimeout, enableNs, shutdownNs, mdts,
                on, fetchNs, namespaces, media, serial);
    }

    public NvmeConfig withMedia(MediaTiming m) {
        return new NvmeConfig(ioQueuePairs, maxQueueEntries, doorbellStride, readyTimeout, enableNs, shutdownNs, mdts,
                sgls, fetchNs, namespaces, m, serial);
    }

    /** The largest transfer in bytes, or {@link Long#MAX_VALUE} without a limit. */
    public long maxTransferBytes() {
        return mdts == 0 ? Long.MAX_VALUE : 4096L << mdts;
    }
}
