package org.jdma.machine.bus;


/**
 * A {@link DmaPort}'s timing model and traffic counters: what each request costs (latency, read or
 * write, + wire time of the cache-line transactions touched + translation cost), the bytes and
 * transactions it adds, and its {@link DmaResult}. Successful results are immutable and a device
 * repeats the same few (bytes, cost) pairs, so they are reused rather than made per request.
 * One thread: the port's.
 */
final class RequestTiming {

    private static final int RECENT_OK_SETS = 8;
    private static final int RECENT_OK_WAYS = 4;
    private static final long FIBONACCI = 0x9E37_79B9_7F4A_7C15L;

    private final BusTiming timing;
    /**
     * Wire time of one transaction, ns, when {@code timing}'s formula gives a whole number for
     * every count (the default: 64 bytes at 16 bytes/ns, 4 ns): a multiply instead of a
     * floating-point division and rounding per request. -1 otherwise: the formula itself.
     */
    private final long wireNsPerTransaction;
    /**
     * Successful results handed out lately: {@value #RECENT_OK_WAYS} ways per set, sets chosen by a
     * multiplicative hash of bytes and cost (their low bits alone put an NVMe controller's four
     * pairs on one slot; with two ways, the copy engine's descriptor fetch, record body and status
     * byte shared one set and missed on every descriptor).
     */
    private final DmaResult[] recentOk = new DmaResult[RECENT_OK_WAYS * RECENT_OK_SETS];
    /** The last successful read's and write's result, tried before {@link #recentOk}: a device's reads and writes each repeat one pair most. */
    private DmaResult lastReadOk;
    private DmaResult lastWriteOk;
    private long bytesRead;
    private long bytesWritten;
    private long readTransactions;
    private long writeTransactions;

    RequestTiming(BusTiming timing) {
        this.timing = timing;
        this.wireNsPerTransaction = exactWireNs(timing);
    }

    BusTiming timing() { return timing; }
    long bytesRead() { return bytesRead; }
    long bytesWritten() { return bytesWritten; }
    long readTransactions() { return readTransactions; }
    long writeTransactions() { return writeTransactions; }

    /** A read or write of {@code bytes} at {@code bus} that ended with {@code reason} (null: it succeeded). */
    DmaResult timed(Access access, long bus, long bytes, long translationCost, FaultReason reason, FaultDetail detail) {
        long tx = timing.transactions(bus, bytes);
        boolean read = access == Access.READ;
        if (read) {
            readTransactions += tx;
            bytesRead += bytes;
        } else {
            writeTransactions += tx;
            bytesWritten += bytes;
        }
        // A fault before the first byte still took one transaction on the wire.
        long cost = translationCost + (read ? timing.readLatencyNs() : timing.writeLatencyNs())
                + wireNs(tx == 0 && reason != null ? 1 : tx);
        if (reason != null) {
            return DmaResult.fault(bytes, cost, reason, bus + bytes, access, detail);
        }
        DmaResult last = read ? lastReadOk : lastWriteOk;
        if (last != null && last.bytes() == bytes && last.costNs() == cost) {
            return last;
        }
        DmaResult made = ok(bytes, cost);
        if (read) {
            lastReadOk = made;
        } else {
            lastWriteOk = made;
        }
        return made;
    }

    /** A copy of {@code bytes} from {@code src} to {@code dst}: both streams share the link; {@code fault} null when it succeeded. */
    DmaResult timedCopy(long src, long dst, long bytes, long translationCost, DmaResult fault) {
        long rtx = timing.transactions(src, bytes);
        long wtx = timing.transactions(dst, bytes);
        readTransactions += rtx;
        writeTransactions += wtx;
        bytesRead += bytes;
        bytesWritten += bytes;
        long cost = translationCost + timing.readLatencyNs() + timing.writeLatencyNs() + wireNs(Math.max(rtx, wtx));
        if (fault == null) {
            return ok(bytes, cost);
        }
        long at = (fault.access() == Access.READ ? src : dst) + bytes;
        return DmaResult.fault(bytes, cost, fault.reason(), at, fault.access(), fault.detail());
    }

    /** A compare of {@code bytes} at {@code a} and {@code b}: one read latency, both sides' transactions on the wire. */
    DmaResult timedCompare(long a, long b, long bytes, long translationCost, DmaResult fault, long faultBase) {
        long tx = timing.transactions(a, bytes) + timing.transactions(b, bytes);
        readTransactions += tx;
        bytesRead += 2 * bytes;
        long cost = translationCost + timing.readLatencyNs() + wireNs(tx);
        return fault == null ? ok(bytes, cost)
                : DmaResult.fault(bytes, cost, fault.reason(), faultBase + bytes, Access.READ, fault.detail());
    }

    /** Counts an MSI's one posted write and returns its cost, ns. */
    long msiWrite() {
        writeTransactions++;
        return timing.writeLatencyNs() + wireNs(1);
    }

    /**
     * {@code DmaResult.ok(bytes, costNs)}, one made earlier when it is in {@link #recentOk}; a new
     * one goes in its set's first way and moves the others down one (the last drops out).
     */
    DmaResult ok(long bytes, long costNs) {
        int set = (int) (((bytes * FIBONACCI ^ costNs) * FIBONACCI) >>> (Long.SIZE - Integer.numberOfTrailingZeros(RECENT_OK_SETS)));
        int first = RECENT_OK_WAYS * set;
        for (int i = first; i < first + RECENT_OK_WAYS; i++) {
            DmaResult r = recentOk[i];
            if (r == null) {
                break;
            }
            if (r.bytes() == bytes && r.costNs() == costNs) {
                return r;
            }
        }
        DmaResult made = DmaResult.ok(bytes, costNs);
        System.arraycopy(recentOk, first, recentOk, first + 1, RECENT_OK_WAYS - 1);
        recentOk[first] = made;
        return made;
    }

    private long wireNs(long transactions) {
        return wireNsPerTransaction >= 0 ? transactions * wireNsPerTransaction : timing.wireTimeNs(transactions);
    }

    /** {@link #wireNsPerTransaction} for {@code t}: whole when the bandwidth is a whole number of bytes/ns dividing a transaction. */
    static long exactWireNs(BusTiming t) {
        double perNs = t.bytesPerNs();
        if (perNs >= 1 && perNs == Math.rint(perNs) && t.transactionBytes() % (long) perNs == 0) {
            return t.transactionBytes() / (long) perNs;
        }
        return -1;
    }
}
