package org.jdma.kernel.drivers.sb16;

/**
 * A sine tone as a {@link SampleSource}: mono samples of {@code frequencyHz} at {@code rate}, at
 * {@code amplitude} of full scale, 8-bit unsigned (silence 0x80) or 16-bit signed little-endian.
 * Samples are computed from their index, so a tone is the same however it is cut into halves.
 */
public final class ToneGenerator implements SampleSource {

    private final double frequencyHz;
    private final int rate;
    private final double amplitude;
    private final boolean sixteen;
    private long index;

    public ToneGenerator(double frequencyHz, int rate, double amplitude, boolean sixteenBit) {
        if (frequencyHz <= 0 || rate <= 0 || amplitude < 0 || amplitude > 1) {
            throw new IllegalArgumentException(String.format("tone: %s Hz at %d Hz, amplitude %s (0..1)", frequencyHz, rate, amplitude));
        }
        this.frequencyHz = frequencyHz;
        this.rate = rate;
        this.amplitude = amplitude;
        this.sixteen = sixteenBit;
    }

    @Override
    public void fill(byte[] into) {
        int unit = sixteen ? 2 : 1;
        for (int i = 0; i + unit <= into.length; i += unit) {
            double s = amplitude * Math.sin(2 * Math.PI * frequencyHz * index++ / rate);
            if (sixteen) {
                int v = (int) Math.round(s * Short.MAX_VALUE);
                into[i] = (byte) v;
                into[i + 1] = (byte) (v >> 8);
            } else {
                into[i] = (byte) (0x80 + (int) Math.round(s * 127));
            }
        }
    }

    /** Samples produced so far. */
    public long samples() {
        return index;
    }
}
