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
 * @param mtu           the largest IP packet a frame carries, bytes ({@value #MIN_MTU}..{@value #MAX_MTU}, default
 *                      1500); above 1500 the driver sets HLREG0.JUMBOEN and MAXFRS.MFS = mtu + 18 (header, FCS),
 *                      and a frame spans several 2 KB buffers
 * @param rssKey        the 40-byte RSS key written to RSSRK (Linux draws one at random per boot; the default
 *                      here is drawn from a fixed seed, so runs repeat); the array is copied
 */
public record IxgbeOptions(int queues, int ringSize, int poolEntries, boolean interrupts, int itr, int napiBudget,
                           int txCleanBatch, boolean promiscuous, long timeoutNs, long linkTimeoutNs, int mtu,
                           byte[] rssKey) {

    public static final int MAX_RING = 4096;
    /** Linux's smallest IPv4 MTU (ETH_MIN_MTU). */
    public static final int MIN_MTU = 68;
    /** Linux ixgbe's largest: IXGBE_MAX_JUMBO_FRAME_SIZE 9728 less header 14 and FCS 4. */
    public static final int MAX_MTU = 9710;
    public static final int STANDARD_MTU = 1500;
    /** Ethernet header and FCS around the MTU's bytes. */
    public static final int FRAME_OVERHEAD = 18;
    public static final int RSS_KEY_BYTES = 40;

    /** One queue pair per CPU, rings of 512, NAPI with EITR 0x028, budget 64, promiscuous. */
    public static final IxgbeOptions DEFAULTS = new IxgbeOptions(0, 512, 2048, true, 0x028, 64, 32, true,
            100_000_000L, 10_000_000_000L);

    /** The options before MTU and RSS key existed: MTU 1500, the seeded default key. */
    public IxgbeOptions(int queues, int ringSize, int poolEntries, boolean interrupts, int itr, int napiBudget,
                        int txCleanBatch, boolean promiscuous, long timeoutNs, long linkTimeoutNs) {
        this(queues, ringSize, poolEntries, interrupts, itr, napiBudget, txCleanBatch, promiscuous, timeoutNs, linkTimeoutNs,
                STANDARD_MTU, seededRssKey(DEFAULT_RSS_SEED));
    }

    /** The seed of the default RSS key. */
    public static final long DEFAULT_RSS_SEED = 0x82599L;

    /** A 40-byte RSS key drawn from {@code seed} (the same seed, the same key). */
    public static byte[] seededRssKey(long seed) {
        byte[] key = new byte[RSS_KEY_BYTES];
        new java.util.SplittableRandom(seed).nextBytes(key);
        return key;
    }

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
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new IllegalArgumentException("mtu must be " + MIN_MTU + ".." + MAX_MTU + " bytes, was " + mtu);
        }
        if (rssKey == null || rssKey.length != RSS_KEY_BYTES) {
            throw new IllegalArgumentException("rssKey must be " + RSS_KEY_BYTES + " bytes, was "
                    + (rssKey == null ? "null" : rssKey.length + " bytes"));
        }
        rssKey = rssKey.clone();
    }

    /** A copy of the RSS key. */
    @Override
    public byte[] rssKey() {
        return rssKey.clone();
    }

    /** The longest frame the port accepts and sends, FCS included: at least a standard 1518-byte frame. */
    public int maxFrameSize() {
        return Math.max(STANDARD_MTU, mtu) + FRAME_OVERHEAD;
    }

    public IxgbeOptions withMtu(int bytes) {
        return new IxgbeOptions(queues, ringSize, poolEntries, interrupts, itr, napiBudget, txCleanBatch, promiscuous, timeoutNs,
                linkTimeoutNs, bytes, rssKey);
    }

    public IxgbeOptions withRssKey(byte[] key) {
        return new IxgbeOptions(queues, ringSize, poolEntries, interrupts, itr, napiBudget, txCleanBatch, promiscuous, timeoutNs,
                linkTimeoutNs, mtu, key);
    }

    public IxgbeOptions withQueues(int n) {
        return new IxgbeOptions(n, ringSize, poolEntries, interrupts, itr, napiBudget, txCleanBatch, promiscuous, timeoutNs, linkTimeoutNs, mtu, rssKey);
    }

    public IxgbeOptions withRing(int size, int pool) {
        return new IxgbeOptions(queues, size, pool, interrupts, itr, napiBudget, txCleanBatch, promiscuous, timeoutNs, linkTimeoutNs, mtu, rssKey);
    }

    public IxgbeOptions withInterrupts(boolean on) {
        return new IxgbeOptions(queues, ringSize, poolEntries, on, itr, napiBudget, txCleanBatch, promiscuous, timeoutNs, linkTimeoutNs, mtu, rssKey);
    }

    public IxgbeOptions withItr(int value) {
        return new IxgbeOptions(queues, ringSize, poolEntries, interrupts, value, napiBudget, txCleanBatch, promiscuous, timeoutNs, linkTimeoutNs, mtu, rssKey);
    }

    public IxgbeOptions withNapiBudget(int budget) {
        return new IxgbeOptions(queues, ringSize, poolEntries, interrupts, itr, budget, txCleanBatch, promiscuous, timeoutNs, linkTimeoutNs, mtu, rssKey);
    }

    public IxgbeOptions withPromiscuous(boolean on) {
        return new IxgbeOptions(queues, ringSize, poolEntries, interrupts, itr, napiBudget, txCleanBatch, on, timeoutNs, linkTimeoutNs, mtu, rssKey);
    }
}
