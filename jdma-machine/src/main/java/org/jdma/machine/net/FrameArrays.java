package org.jdma.machine.net;

import java.util.Arrays;
import java.util.Objects;

/**
 * The frame arrays of one sender (a traffic generator, a NIC's transmit unit), reused once the far
 * end is done with them: a frame sent with {@link LinkEnd#transmit(byte[], FrameArrays)} comes back
 * through {@link #giveBack} when its last holder lets go of it (a receiver that copied it into
 * guest memory, counted it or wrote it to a capture), and {@link #take} hands it out again for a
 * frame of the same length, without allocating and zeroing a new array. A frame nobody gives back
 * is simply collected.
 *
 * <p>Keeps at most {@link #PER_LENGTH} arrays of each of up to {@link #LENGTHS} lengths, the most
 * recently given back (a fixed-size stream uses one length, IMIX three). One thread: the event
 * kernel's, which runs the sender and the receivers.
 */
public final class FrameArrays {

    /** Distinct frame lengths kept at a time; a new length replaces the one taken or given back least recently. */
    public static final int LENGTHS = 4;
    /** Arrays kept per length: more than the frames of one length a link or a packet buffer holds in flight at once. */
    public static final int PER_LENGTH = 64;

    private final int[] lengths = new int[LENGTHS];
    private final byte[][][] stacks = new byte[LENGTHS][][];
    private final int[] counts = new int[LENGTHS];
    private final long[] lastUse = new long[LENGTHS];
    private long uses;
    private long made;
    private long reused;

    /**
     * An array of exactly {@code length} bytes. A reused one holds an earlier frame's bytes: the
     * caller writes every byte it sends.
     */
    public byte[] take(int length) {
        int i = indexOf(length);
        if (i >= 0 && counts[i] > 0) {
            lastUse[i] = ++uses;
            byte[][] stack = stacks[i];
            byte[] frame = stack[--counts[i]];
            stack[counts[i]] = null;
            reused++;
            return frame;
        }
        made++;
        return new byte[length];
    }

    /**
     * The holder of {@code frame}, which came from {@link #take}, is done with it: it may be handed
     * out again. The caller must not touch it afterwards.
     */
    public void giveBack(byte[] frame) {
        Objects.requireNonNull(frame, "frame");
        int i = indexOf(frame.length);
        if (i < 0) {
            i = leastRecentlyUsed();
            lengths[i] = frame.length;
            counts[i] = 0;
            if (stacks[i] == null) {
                stacks[i] = new byte[PER_LENGTH][];
            } else {
                Arrays.fill(stacks[i], null);
            }
        }
        lastUse[i] = ++uses;
        if (counts[i] < PER_LENGTH) {
            stacks[i][counts[i]++] = frame;
        }
    }

    /** Arrays made because none of the length was at hand. */
    public long made() {
        return made;
    }

    /** Takes served with an array given back earlier. */
    public long reused() {
        return reused;
    }

    private int indexOf(int length) {
        for (int i = 0; i < LENGTHS; i++) {
            if (lengths[i] == length && stacks[i] != null) {
                return i;
            }
        }
        return -1;
    }

    private int leastRecentlyUsed() {
        int oldest = 0;
        for (int i = 1; i < LENGTHS; i++) {
            if (lastUse[i] < lastUse[oldest]) {
                oldest = i;
            }
        }
        return oldest;
    }

    @Override
    public String toString() {
        return "FrameArrays[" + made + " made, " + reused + " reused]";
    }
}
