package org.jdma.bench.ring;

/**
 * One implementation of the benchmark's loop: a producer submits {@code batch} requests to a
 * consumer thread and waits until it has taken back all of their completions.
 */
public interface RoundTrip extends AutoCloseable {

    /** Ring/queue capacity of every implementation: 128 entries, the compat DmaEngine's ring and the copy engine driver's default. */
    int CAPACITY = 128;

    /** Status a consumer writes for a request it carried out (DSA's "success"). */
    byte STATUS_SUCCESS = 1;

    /** Status a consumer writes for a request it does not understand. */
    byte STATUS_INVALID = 0x10;

    /**
     * Submits {@code batch} requests and drains until all of them completed.
     *
     * @return the sum of the completion statuses drained (batch * STATUS_SUCCESS when all went well)
     */
    int roundTrip(int batch);

    /** Stops and joins the consumer thread. */
    @Override
    void close();
}
