package org.jdma.machine.cache;

/**
 * The CPU data cache the machine is built with.
 *
 * @param coherent              true: device DMA snoops the cache (x86; {@link CoherentCache}); false:
 *                              a write-back cache that DMA bypasses (arm64-like), so drivers must
 *                              clean before a device reads and invalidate before the CPU reads
 * @param lineSize              line size in bytes (a power of two, 16..256; 64 x86, 128 some arm64)
 * @param capacity              bytes of data the cache holds (non-coherent only; a multiple of lineSize * ways)
 * @param ways                  associativity (LRU replacement within a set)
 * @param speculativeRefillRate probability, per CPU cache access, that the speculative-prefetch
 *                              injector refills one random clean, absent line of a recently touched
 *                              page from memory (0 disables it). This is why arm64 invalidates after
 *                              DMA as well as before: a line refilled while the device owned the
 *                              buffer holds old data.
 * @param writeCombiningBuffers how many write-combining buffers of one line the CPU has for
 *                              {@link org.jdma.platform.MemoryType#WRITE_COMBINING} stores (both
 *                              machines; 1..64, default {@value #DEFAULT_WRITE_COMBINING_BUFFERS})
 */
public record CacheConfig(boolean coherent, int lineSize, long capacity, int ways, double speculativeRefillRate,
                          int writeCombiningBuffers) {

    /** Write-combining buffers by default: x86 cores have 4 to 10 of 64 bytes (SDM Vol. 3A §12.3.1). */
    public static final int DEFAULT_WRITE_COMBINING_BUFFERS = 4;

    /** x86: coherent, 64-byte lines. */
    public static final CacheConfig COHERENT = new CacheConfig(true, 64, 0, 1, 0);

    /** A configuration with {@value #DEFAULT_WRITE_COMBINING_BUFFERS} write-combining buffers. */
    public CacheConfig(boolean coherent, int lineSize, long capacity, int ways, double speculativeRefillRate) {
        this(coherent, lineSize, capacity, ways, speculativeRefillRate, DEFAULT_WRITE_COMBINING_BUFFERS);
    }

    public CacheConfig {
        if (writeCombiningBuffers < 1 || writeCombiningBuffers > 64) {
            throw new IllegalArgumentException("writeCombiningBuffers must be in 1..64, was " + writeCombiningBuffers);
        }
        if (lineSize < 16 || lineSize > 256 || Integer.bitCount(lineSize) != 1) {
            throw new IllegalArgumentException("cache line size must be a power of two in 16..256, was " + lineSize);
        }
        if (!coherent) {
            if (ways < 1 || capacity < (long) lineSize * ways || capacity % ((long) lineSize * ways) != 0) {
                throw new IllegalArgumentException(String.format(
                        "capacity %d must be a positive multiple of lineSize %d * ways %d", capacity, lineSize, ways));
            }
            if (Long.bitCount(capacity / ((long) lineSize * ways)) != 1) {
                throw new IllegalArgumentException("capacity / (lineSize * ways) (the number of sets) must be a power of two, was "
                        + capacity / ((long) lineSize * ways));
            }
        }
        if (!(speculativeRefillRate >= 0 && speculativeRefillRate <= 1)) {
            throw new IllegalArgumentException("speculativeRefillRate must be in [0, 1], was " + speculativeRefillRate);
        }
    }

    /** A non-coherent write-back cache: 256 KiB, 8 ways, the given line size, no speculative refills. */
    public static CacheConfig nonCoherent(int lineSize) {
        return new CacheConfig(false, lineSize, 256 * 1024, 8, 0);
    }

    public CacheConfig withCapacity(long bytes, int associativity) {
        return new CacheConfig(coherent, lineSize, bytes, associativity, speculativeRefillRate, writeCombiningBuffers);
    }

    public CacheConfig withSpeculativeRefillRate(double rate) {
        return new CacheConfig(coherent, lineSize, capacity, ways, rate, writeCombiningBuffers);
    }

    public CacheConfig withWriteCombiningBuffers(int buffers) {
        return new CacheConfig(coherent, lineSize, capacity, ways, speculativeRefillRate, buffers);
    }
}
