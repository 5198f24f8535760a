package org.jdma.kernel.drivers.ixgbe;

/**
 * Options of the 82599 driver, each with its unit and ixy's or Linux's default.
 *
 * @param queues        queue pairs to use; 0 means one per CPU (at most the card's)
 * @param ringSize      descriptors per ring, a power of two, 8..4096 (ixy 512)
 * @param poolEntries   receive buffers each queue's page pool may grow to (ixy 4096; at least
 *                      two rings' worth, since received buffers travel on until sent)
 * @param interrupts    true: MSI-X per queue pair with NAPI; false: polling only (ixy's default)
 * @param itr           EITR interval field value written for every queue vector (ixy 0x028, about 10 us;
 *                      0 = no moderation)
 * @param napiBudget    most packets one NAPI poll takes before it yields (Linux 64)
 * @param txCleanBatch  transmit descriptors reclaimed at once when DD is seen (ixy 32)
 * @param promiscuous   accept every unicast and multicast address (FCTRL.UPE|MPE)
 * @param timeoutNs     how long each wait of the init sequence (reset, EEPROM, DMA init, queue
 *                      enable) may take, ns
 * @param linkTimeoutNs how long the probe waits for the link (ixy 10 s); a link still down then is no error, ns
 */
public record IxgbeOptions(int queues, int ringSize, int poolEntries, boolean interrupts, int itr, int napiBudget,
                           int txCleanBatch, boolean promiscuous, long timeoutNs, long linkTimeoutNs) {

    public static final int MAX_RING = 4096;

    /** One queue pair per CPU, rings of 512, NAPI with EITR 0x028, budget 64, promiscuous. */
    public static final IxgbeOptions DEFAULTS = new IxgbeOptions(0, 512, 2048, true, 0x028, 64, 32, true,
            100_000_000L, 10_000_000_000L);

    public IxgbeOptions {
        if (queues < 0) {
            throw new IllegalArgumentException("queues must be >= 0 (0: one per CPU), was " + queues);
        }
        if (ringSize < 8 || ringSize > MAX_RING || Integer.bitCount(ringSize) != 1) {
            throw new IllegalArgumentException("ringSize must be a power of two 8.." + MAX_RING + ", was " + ringSize);
        }
        if (poolEntries < ringSize) {
            throw new IllegalArgumentException("poolEntries " + poolEntries + " must be at least ringSize " + ringSize);
        }
        if ((itr & ~0xFF8) != 0) {
            throw new IllegalArgumentException(String.format("itr %#x: only the interval field 0xFF8 may be set", itr));
        }
        if (napiBudget < 1 || txCleanBatch < 1 || txCleanBatch >= ringSize) {
            throw new IllegalArgumentException(String.format("napiBudget %d must be >= 1, txCleanBatch %d 1..ringSize-1",
                    napiBudget, txCleanBatch));
        }
        if (timeoutNs <= 0 || linkTimeoutNs < 0) {
            throw new IllegalArgumentException("timeouts must be positive: " + timeoutNs + ", " + linkTimeoutNs);
        }
    }

    public IxgbeOptions withQueues(int n) {
        return new IxgbeOptions(n, ringSize, poolEntries, interrupts, itr, napiBudget, txCleanBatch, promiscuous, timeoutNs, linkTimeoutNs);
    }

    public IxgbeOptions withRing(int size, int pool) {
        return new IxgbeOptions(queues, size, pool, interrupts, itr, napiBudget, txCleanBatch, promiscuous, timeoutNs, linkTimeoutNs);
    }

    public IxgbeOptions withInterrupts(boolean on) {
        return new IxgbeOptions(queues, ringSize, poolEntries, on, itr, napiBudget, txCleanBatch, promiscuous, timeoutNs, linkTimeoutNs);
    }

    public IxgbeOptions withItr(int value) {
        return new IxgbeOptions(queues, ringSize, poolEntries, interrupts, value, napiBudget, txCleanBatch, promiscuous, timeoutNs, linkTimeoutNs);
    }

    public IxgbeOptions withNapiBudget(int budget) {
        return new IxgbeOptions(queues, ringSize, poolEntries, interrupts, itr, budget, txCleanBatch, promiscuous, timeoutNs, linkTimeoutNs);
    }

    public IxgbeOptions withPromiscuous(boolean on) {
        return new IxgbeOptions(queues, ringSize, poolEntries, interrupts, itr, napiBudget, txCleanBatch, on, timeoutNs, linkTimeoutNs);
    }
}
