package org.jdma.machine.dev.crc32;

/**
 * Named timing parameters of a CRC-32 engine.
 *
 * @param setupLatencyNs time from the START write to the first read request (decoding the
 *                       registers, checking LENGTH), ns
 * @param chunkBytes     the most bytes one DMA read request asks for, 1..{@link #MAX_CHUNK_BYTES}:
 *                       the input arrives in requests of this size, each folded into the checksum
 *                       before the next is issued
 * @param bytesPerNs     the checksum unit's throughput, bytes per ns (4.0 = 4 GB/s): a chunk of
 *                       {@code n} bytes keeps it busy ceil(n / bytesPerNs) ns after the bus delivered it
 */
public record Crc32Config(long setupLatencyNs, int chunkBytes, double bytesPerNs) {

    /**
     * The largest read request a PCI Express function may issue: Max_Read_Request_Size 4096
     * bytes (PCI Express Base Specification 4.0 §7.5.3.4, Device Control [14:12] = 101b).
     */
    public static final int MAX_CHUNK_BYTES = 4096;

    /** 200 ns setup, 4 KiB read requests, 4 bytes/ns. */
    public static final Crc32Config DEFAULT = new Crc32Config(200, MAX_CHUNK_BYTES, 4.0);

    public Crc32Config {
        if (setupLatencyNs < 0) {
            throw new IllegalArgumentException("setupLatencyNs must be >= 0 ns, was " + setupLatencyNs);
        }
        if (chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("chunkBytes must be 1.." + MAX_CHUNK_BYTES + " (PCIe Max_Read_Request_Size), was " + chunkBytes);
        }
        if (!(bytesPerNs > 0) || Double.isInfinite(bytesPerNs)) {
            throw new IllegalArgumentException("bytesPerNs must be a positive number, was " + bytesPerNs);
        }
    }

    /** Nanoseconds the checksum unit spends on {@code bytes} bytes. */
    public long checksumNs(long bytes) {
        return (long) Math.ceil(bytes / bytesPerNs);
    }

    public Crc32Config withChunkBytes(int n) {
        return new Crc32Config(setupLatencyNs, n, bytesPerNs);
    }

    public Crc32Config withSetupLatencyNs(long ns) {
        return new Crc32Config(ns, chunkBytes, bytesPerNs);
    }
}
