package org.jdma.cli.isa;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A PCM WAVE file: the 44-byte RIFF header (Microsoft's WAVE format: a "RIFF" chunk of form
 * "WAVE" holding a 16-byte "fmt " chunk and the "data" chunk), then the samples as the DAC played
 * them (8-bit unsigned, or 16-bit signed little-endian).
 *
 * <pre>
 * offset size  field
 *  0     4     "RIFF"
 *  4     4     36 + data bytes (u32 LE)
 *  8     4     "WAVE"
 * 12     4     "fmt "
 * 16     4     16: the fmt chunk's size
 * 20     2     1: PCM
 * 22     2     channels
 * 24     4     sample rate, Hz
 * 28     4     byte rate = rate x block align
 * 32     2     block align = channels x bits / 8
 * 34     2     bits per sample
 * 36     4     "data"
 * 40     4     data bytes
 * 44           samples
 * </pre>
 */
public final class WavFile {

    public static final int HEADER_BYTES = 44;
    public static final int RIFF_SIZE = 4;
    public static final int FORMAT_PCM = 1;
    public static final int CHANNELS = 22;
    public static final int SAMPLE_RATE = 24;
    public static final int BYTE_RATE = 28;
    public static final int BLOCK_ALIGN = 32;
    public static final int BITS = 34;
    public static final int DATA_SIZE = 40;

    private WavFile() { }

    /** The header for {@code dataBytes} of mono or stereo PCM at {@code rate} Hz, {@code bits} 8 or 16. */
    public static byte[] header(int channels, int rate, int bits, int dataBytes) {
        int align = channels * bits / 8;
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + dataBytes).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) FORMAT_PCM).putShort((short) channels);
        b.putInt(rate).putInt(rate * align).putShort((short) align).putShort((short) bits);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(dataBytes);
        return b.array();
    }

    /** Writes header and samples. */
    public static void write(OutputStream out, int channels, int rate, int bits, byte[] samples) throws IOException {
        out.write(header(channels, rate, bits, samples.length));
        out.write(samples);
    }
}
