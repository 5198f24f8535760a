package org.jdma.machine.net;

import java.util.Arrays;
import java.util.SplittableRandom;

/** The frame lengths a traffic generator sends, without FCS ({@link LinkEnd#MIN_FRAME} is 60). */
public sealed interface FrameSizes {

    /** The largest frame a generator makes: a 9,000-byte jumbo payload plus its 14-byte header. */
    int MAX_FRAME = 9_014;

    /** Length of frame number {@code index}, drawing from {@code random} if the sizes are a mix. */
    int size(long index, SplittableRandom random);

    /** The same length every time (ixy's generator: 60). */
    record Fixed(int bytes) implements FrameSizes {
        public Fixed {
            check(bytes);
        }

        @Override
        public int size(long index, SplittableRandom random) {
            return bytes;
        }
    }

    /** The lengths in turn, over and over. */
    record Cycle(int... bytes) implements FrameSizes {
        public Cycle {
            if (bytes.length == 0) {
                throw new IllegalArgumentException("a cycle of frame sizes needs at least one size");
            }
            bytes = bytes.clone();
            for (int b : bytes) {
                check(b);
            }
        }

        @Override
        public int size(long index, SplittableRandom random) {
            return bytes[(int) (index % bytes.length)];
        }

        @Override
        public int[] bytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cycle c && Arrays.equals(bytes, c.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Cycle" + Arrays.toString(bytes);
        }
    }

    /**
     * Each length drawn at random with the given weights; {@link #imix()} is the common "simple
     * IMIX" of 7 : 4 : 1 frames of 60, 590 and 1514 bytes.
     */
    record Mix(int[] bytes, int[] weights) implements FrameSizes {
        public Mix {
            if (bytes.length == 0 || bytes.length != weights.length) {
                throw new IllegalArgumentException("a mix needs as many weights as sizes, and at least one");
            }
            bytes = bytes.clone();
            weights = weights.clone();
            for (int i = 0; i < bytes.length; i++) {
                check(bytes[i]);
                if (weights[i] < 1) {
                    throw new IllegalArgumentException("weight of size " + bytes[i] + " must be >= 1, was " + weights[i]);
                }
            }
        }

        public static Mix imix() {
            return new Mix(new int[] {60, 590, 1514}, new int[] {7, 4, 1});
        }

        @Override
        public int size(long index, SplittableRandom random) {
            int total = 0;
            for (int w : weights) {
                total += w;
            }
            int pick = random.nextInt(total);
            for (int i = 0; i < bytes.length; i++) {
                pick -= weights[i];
                if (pick < 0) {
                    return bytes[i];
                }
            }
            throw new AssertionError("weights sum to " + total);
        }

        @Override
        public int[] bytes() {
            return bytes.clone();
        }

        @Override
        public int[] weights() {
            return weights.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Mix m && Arrays.equals(bytes, m.bytes) && Arrays.equals(weights, m.weights);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(bytes) + Arrays.hashCode(weights);
        }

        @Override
        public String toString() {
            return "Mix" + Arrays.toString(bytes) + " weights " + Arrays.toString(weights);
        }
    }

    private static void check(int bytes) {
        if (bytes < LinkEnd.MIN_FRAME || bytes > MAX_FRAME) {
            throw new IllegalArgumentException("frame size must be " + LinkEnd.MIN_FRAME + ".." + MAX_FRAME
                    + " bytes without FCS, was " + bytes);
        }
    }
}
