package org.jdma.spec.sb16;

/**
 * A Sound Blaster 16's DSP as its driver programs it: sixteen one-byte ports from a base the board
 * gives it (0x220 on most cards), the DSP commands that play a buffer through ISA DMA, and the
 * mixer's interrupt status. Sources: Creative Labs, <i>Sound Blaster Series Hardware Programming
 * Guide</i> (1996): "DSP I/O Addresses", "Resetting DSP", "Reading from / Writing to DSP",
 * "Programming the DSP: 8-bit and 16-bit auto-initialize DMA mode", "DSP Commands" (0x41, 0xBx,
 * 0xCx, 0xD0-0xDA, 0xE1) and "Mixer register 0x82 (interrupt status)".
 *
 * <pre>
 * port      name            access  bits
 * base + 4  MIXER_ADDRESS   W       mixer register index
 * base + 5  MIXER_DATA      R       the indexed mixer register; 0x82: [0] 8-bit DMA IRQ, [1] 16-bit DMA IRQ
 * base + 6  RESET           W       1 then 0: reset; the DSP then offers {@link #RESET_READY} at READ_DATA
 * base + 0xA READ_DATA      R       the DSP's next output byte
 * base + 0xC WRITE          W       command or command argument
 *                           R       [7] 1: busy, do not write yet
 * base + 0xE READ_STATUS    R       [7] 1: a byte waits at READ_DATA. Reading it acknowledges the 8-bit DMA IRQ
 * base + 0xF ACK_16         R       acknowledges the 16-bit DMA IRQ
 * other ports                       read 0xFF, writes ignored
 * </pre>
 *
 * <p>Playing with the classic double buffer: the driver programs its 8237A channel (8-bit on
 * channels 0-3, 16-bit on 5-7) in auto-initialize mode over the whole buffer, sets the output
 * rate (0x41, rate high byte, low byte), then starts the DSP with 0xC6 (8-bit) or 0xB6 (16-bit)
 * auto-initialize output, a mode byte and the block length - 1 in samples (low, high): half the
 * buffer. The DSP interrupts after each block, i.e. each time the 8237A has crossed a half, and
 * the driver refills the half just finished, then acknowledges (READ_STATUS or ACK_16). 0xDA /
 * 0xD9 exit auto-initialize at the end of the block in progress.
 *
 * <pre>
 * 0xBx / 0xCx command byte:  7..4 0xB: 16-bit, 0xC: 8-bit | 3 1: input (A/D) | 2 auto-init | 1 FIFO on | 0 0
 * mode byte:                 5 stereo | 4 signed | others 0
 * </pre>
 */
public final class Sb16DspLayout {

    private Sb16DspLayout() { }

    public static final int PORT_COUNT = 16;

    public static final int MIXER_ADDRESS = 0x4;
    public static final int MIXER_DATA = 0x5;
    public static final int RESET = 0x6;
    public static final int READ_DATA = 0xA;
    public static final int WRITE = 0xC;
    public static final int READ_STATUS = 0xE;
    public static final int ACK_16 = 0xF;

    /** What the DSP offers at READ_DATA once a reset is over. */
    public static final int RESET_READY = 0xAA;
    /** READ_STATUS bit 7: a byte waits; WRITE (read) bit 7: busy. */
    public static final int STATUS_BIT = 0x80;

    /** Mixer register: interrupt status. */
    public static final int MIXER_IRQ_STATUS = 0x82;
    public static final int IRQ_STATUS_8BIT = 1;
    public static final int IRQ_STATUS_16BIT = 1 << 1;

    /** Set digital output sample rate: rate high byte, low byte (Hz). */
    public static final int CMD_SET_OUTPUT_RATE = 0x41;
    /** 8-bit DMA pause / continue. */
    public static final int CMD_PAUSE_8 = 0xD0;
    public static final int CMD_CONTINUE_8 = 0xD4;
    /** 16-bit DMA pause / continue. */
    public static final int CMD_PAUSE_16 = 0xD5;
    public static final int CMD_CONTINUE_16 = 0xD6;
    public static final int CMD_SPEAKER_ON = 0xD1;
    public static final int CMD_SPEAKER_OFF = 0xD3;
    /** Exit 16-bit / 8-bit auto-initialize DMA at the end of the block in progress. */
    public static final int CMD_EXIT_AUTO_16 = 0xD9;
    public static final int CMD_EXIT_AUTO_8 = 0xDA;
    /** DSP version: two bytes at READ_DATA, major then minor. */
    public static final int CMD_VERSION = 0xE1;
    public static final int VERSION_MAJOR = 4;
    public static final int VERSION_MINOR = 5;

    /** High nibble of a 16-bit / 8-bit DMA transfer command. */
    public static final int CMD_DMA_16 = 0xB0;
    public static final int CMD_DMA_8 = 0xC0;
    public static final int DMA_INPUT = 1 << 3;
    public static final int DMA_AUTO_INIT = 1 << 2;
    public static final int DMA_FIFO = 1 << 1;
    /** 16-bit output, auto-initialize, FIFO on. */
    public static final int CMD_OUTPUT_16_AUTO = CMD_DMA_16 | DMA_AUTO_INIT | DMA_FIFO;
    /** 8-bit output, auto-initialize, FIFO on. */
    public static final int CMD_OUTPUT_8_AUTO = CMD_DMA_8 | DMA_AUTO_INIT | DMA_FIFO;

    public static final int MODE_SIGNED = 1 << 4;
    public static final int MODE_STEREO = 1 << 5;

    /** Output rates the DSP accepts (Hz). */
    public static final int MIN_RATE = 5_000;
    public static final int MAX_RATE = 45_000;

    /** Whether {@code command} is a DMA transfer command (0xB0-0xBF or 0xC0-0xCF with bit 0 clear). */
    public static boolean isDmaCommand(int command) {
        int hi = command & 0xF0;
        return (hi == CMD_DMA_16 || hi == CMD_DMA_8) && (command & 1) == 0;
    }

    /** Argument bytes that follow {@code command}; -1 when the DSP does not know it. */
    public static int argumentBytes(int command) {
        if (isDmaCommand(command)) {
            return 3; // mode, length - 1 low, high
        }
        return switch (command) {
            case CMD_SET_OUTPUT_RATE -> 2;
            case CMD_PAUSE_8, CMD_CONTINUE_8, CMD_PAUSE_16, CMD_CONTINUE_16, CMD_SPEAKER_ON, CMD_SPEAKER_OFF, CMD_EXIT_AUTO_16,
                 CMD_EXIT_AUTO_8, CMD_VERSION -> 0;
            default -> -1;
        };
    }
}
