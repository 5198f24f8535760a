package org.jdma.cli.coherency;

/**
 * What the driver read back, compared with what it should have read.
 *
 * @param bytes       bytes compared
 * @param wrong       how many differ
 * @param firstWrong  offset of the first wrong byte, or -1
 * @param expected    the byte that should be there (at firstWrong)
 * @param actual      the byte the driver read (at firstWrong)
 */
public record Outcome(long bytes, long wrong, long firstWrong, int expected, int actual) {

    static Outcome compare(byte[] expected, byte[] actual) {
        long wrong = 0;
        long first = -1;
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                if (first < 0) {
                    first = i;
                }
                wrong++;
            }
        }
        return first < 0 ? new Outcome(expected.length, 0, -1, 0, 0)
                : new Outcome(expected.length, wrong, first, expected[(int) first] & 0xFF, actual[(int) first] & 0xFF);
    }

    public boolean right() {
        return wrong == 0;
    }

    public String describe() {
        return right() ? String.format("all %d bytes right", bytes)
                : String.format("%d of %d bytes wrong (offset %d: expected 0x%02x, got 0x%02x)", wrong, bytes, firstWrong, expected, actual);
    }
}
