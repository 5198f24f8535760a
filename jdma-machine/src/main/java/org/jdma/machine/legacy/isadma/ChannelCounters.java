package org.jdma.machine.legacy.isadma;

import java.util.Arrays;

/**
 * What each of the eight channels has done: transfers, bytes moved, bus grants, memory cycles
 * the bus refused, terminal counts, and the modeled times of its first grant, its last transfer
 * and its last terminal count (-1 when none).
 */
public final class ChannelCounters {

    private static final int CHANNELS = 8;
    private final long[] transfers = new long[CHANNELS];
    private final long[] bytes = new long[CHANNELS];
    private final long[] grants = new long[CHANNELS];
    private final long[] faults = new long[CHANNELS];
    private final long[] terminalCounts = new long[CHANNELS];
    private final long[] firstGrantAt = new long[CHANNELS];
    private final long[] lastTransferAt = new long[CHANNELS];
    private final long[] lastTerminalCountAt = new long[CHANNELS];

    ChannelCounters() {
        clear();
    }

    /** Starts every counter again (between the runs of a comparison). */
    public void clear() {
        for (long[] a : new long[][] {transfers, bytes, grants, faults, terminalCounts}) {
            Arrays.fill(a, 0);
        }
        Arrays.fill(firstGrantAt, -1);
        Arrays.fill(lastTransferAt, -1);
        Arrays.fill(lastTerminalCountAt, -1);
    }

    void granted(int ch, long now) {
        grants[ch]++;
        if (firstGrantAt[ch] < 0) {
            firstGrantAt[ch] = now;
        }
    }

    void transfer(int ch, long now, int n) {
        transfers[ch]++;
        bytes[ch] += n;
        lastTransferAt[ch] = now;
    }

    void fault(int ch) {
        faults[ch]++;
    }

    void terminalCount(int ch, long now) {
        terminalCounts[ch]++;
        lastTerminalCountAt[ch] = now;
    }

    public long transfers(int ch) { return transfers[ch]; }
    public long bytes(int ch) { return bytes[ch]; }
    public long grants(int ch) { return grants[ch]; }
    public long faults(int ch) { return faults[ch]; }
    public long terminalCounts(int ch) { return terminalCounts[ch]; }
    public long firstGrantAt(int ch) { return firstGrantAt[ch]; }
    public long lastTransferAt(int ch) { return lastTransferAt[ch]; }
    public long lastTerminalCountAt(int ch) { return lastTerminalCountAt[ch]; }
}
