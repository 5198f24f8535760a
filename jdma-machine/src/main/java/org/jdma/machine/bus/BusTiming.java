package org.jdma.machine.bus;

/**
 * Timing of one device's path to memory. Named parameters with units; defaults approximate a
 * PCIe Gen4 x8 link to DDR4 memory.
 *
 * @param transactionBytes  bytes per transaction (a cache line); transfers are split on these boundaries
 * @param readLatencyNs     round-trip latency of a read request before data starts to arrive, ns
 * @param writeLatencyNs    latency of a posted write until it is globally visible, ns
 * @param bytesPerNs        sustained bandwidth in bytes per nanosecond (1 byte/ns = 1 GB/s)
 */
public record BusTiming(int transactionBytes, long readLatencyNs, long writeLatencyNs, double bytesPerNs) {

    public static final BusTiming DEFAULT = new BusTiming(64, 450, 120, 16.0);

    public BusTiming {
        if (transactionBytes <= 0 || Integer.bitCount(transactionBytes) != 1) {
            throw new IllegalArgumentException("transactionBytes must be a power of two, was " + transactionBytes);
        }
        if (readLatencyNs < 0 || writeLatencyNs < 0) {
            throw new IllegalArgumentException("latencies must be >= 0 ns");
        }
        if (!(bytesPerNs > 0)) {
            throw new IllegalArgumentException("bandwidth must be > 0 bytes/ns, was " + bytesPerNs);
        }
    }

    /** Number of transactions needed for [address, address + length): cache lines touched. */
    public long transactions(long address, long length) {
        if (length <= 0) {
            return 0;
        }
        long mask = transactionBytes - 1L;
        long first = address & ~mask;
        long last = (address + length - 1) & ~mask;
        // transactionBytes is a power of two and last - first a multiple of it: shift = exact division.
        return ((last - first) >> Integer.numberOfTrailingZeros(transactionBytes)) + 1;
    }

    /** Time on the wire for {@code transactions} full transactions, ns (rounded up). */
    public long wireTimeNs(long transactions) {
        return (long) Math.ceil(transactions * (double) transactionBytes / bytesPerNs);
    }
}
