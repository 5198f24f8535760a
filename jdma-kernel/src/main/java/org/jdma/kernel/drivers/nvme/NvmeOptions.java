package org.jdma.kernel.drivers.nvme;

/**
 * Options of the NVMe driver (Linux {@code nvme} module parameters where they exist).
 *
 * @param ioQueues      I/O queue pairs to ask for; 0 = one per CPU (Linux's default), limited by
 *                      the controller's grant
 * @param queueDepth    entries per I/O queue ({@code io_queue_depth}), 2..4096, limited by CAP.MQES + 1
 *                      and rounded down to a power of two; one fewer command than this may be outstanding
 * @param sglThreshold  use SGLs when the controller has them and a request's average segment is at
 *                      least this many bytes ({@code sgl_threshold}); 0 = never
 * @param interrupts    completions by MSI-X (one vector per queue); false = the caller polls
 * @param timeoutNs     a request outstanding this long is aborted, and if that does not end it within
 *                      the same time again, the controller is reset ({@code io_timeout}), ns
 * @param adminTimeoutNs how long bring-up waits for an admin command or CSTS.RDY, ns
 */
public record NvmeOptions(int ioQueues, int queueDepth, int sglThreshold, boolean interrupts, long timeoutNs,
                          long adminTimeoutNs) {

    /** One queue per CPU, 256 entries, SGLs from 32 KiB segments, interrupts, 30 ms I/O and 1 s admin timeouts. */
    public static final NvmeOptions DEFAULTS = new NvmeOptions(0, 256, 32 * 1024, true, 30_000_000L, 1_000_000_000L);

    public NvmeOptions {
        if (ioQueues < 0 || ioQueues > 64) {
            throw new IllegalArgumentException("ioQueues must be 0..64, was " + ioQueues);
        }
        if (queueDepth < 2 || queueDepth > 4096) {
            throw new IllegalArgumentException("queueDepth must be 2..4096, was " + queueDepth);
        }
        if (sglThreshold < 0 || timeoutNs <= 0 || adminTimeoutNs <= 0) {
            throw new IllegalArgumentException(String.format("sglThreshold %d must be >= 0, timeouts %d and %d > 0",
                    sglThreshold, timeoutNs, adminTimeoutNs));
        }
    }

    public NvmeOptions withIoQueues(int n) {
        return new NvmeOptions(n, queueDepth, sglThreshold, interrupts, timeoutNs, adminTimeoutNs);
    }

    public NvmeOptions withQueueDepth(int n) {
        return new NvmeOptions(ioQueues, n, sglThreshold, interrupts, timeoutNs, adminTimeoutNs);
    }

    public NvmeOptions withSglThreshold(int bytes) {
        return new NvmeOptions(ioQueues, queueDepth, bytes, interrupts, timeoutNs, adminTimeoutNs);
    }

    public NvmeOptions withInterrupts(boolean on) {
        return new NvmeOptions(ioQueues, queueDepth, sglThreshold, on, timeoutNs, adminTimeoutNs);
    }

    public NvmeOptions withTimeoutNs(long ns) {
        return new NvmeOptions(ioQueues, queueDepth, sglThreshold, interrupts, ns, adminTimeoutNs);
    }
}
