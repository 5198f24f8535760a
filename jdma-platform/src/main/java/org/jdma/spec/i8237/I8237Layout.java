package org.jdma.spec.i8237;

/**
 * The 8237A's registers, bits and the PC/AT's port map of its two controllers (Intel 8237A
 * datasheet, "Register Description", Tables 2-4; IBM PC/AT Technical Reference, "DMA Controller").
 *
 * <p><b>Ports.</b> The first controller (8-bit channels 0-3) decodes register {@code r} (0..15)
 * at port {@code r}; the second (16-bit channels 4-7, channel 4 cascading the first) at
 * {@code 0xC0 + 2r} (its A0 is the bus's A1: the odd ports 0xC1..0xDF select nothing). The page
 * registers (A23..A16 of each channel's address) sit in the 16-byte register file at 0x80-0x8F.
 *
 * <pre>
 * register  write                                   read
 *   0,2,4,6 base and current address of ch r/2     current address     (two bytes, low first,
 *   1,3,5,7 base and current count of ch r/2       current count        through the flip-flop)
 *   8       COMMAND                                  STATUS (reading clears the TC bits)
 *   9       REQUEST                                  -
 *   10      SINGLE MASK                              -
 *   11      MODE                                     -
 *   12      CLEAR BYTE POINTER FLIP-FLOP             -
 *   13      MASTER CLEAR                             TEMPORARY
 *   14      CLEAR MASK                               -
 *   15      WRITE ALL MASK BITS                      -
 * </pre>
 *
 * <pre>
 * COMMAND   7     6     5      4      3      2       1      0
 *         DACK  DREQ  EXT-W  ROTATE COMPR  DISABLE  HOLD  MEM-MEM
 *         high  low                                 ch0 address
 *
 * MODE      7  6    5     4     3  2     1  0          REQUEST / SINGLE MASK
 *         MODE    DEC  AUTO    TYPE     CHANNEL         2: set (1) / clear (0); 1..0 channel
 *         00 demand      00 verify
 *         01 single      01 write (I/O to memory)      ALL MASK: 3..0 one mask bit per channel
 *         10 block       10 read (memory to I/O)
 *         11 cascade     11 illegal                    STATUS: 7..4 request, 3..0 TC reached
 * </pre>
 *
 * <p>Counts and addresses: a count of N moves N+1 units; terminal count is the step from 0 to
 * 0xFFFF. An 8-bit channel's address is A15..A0 of a byte; a 16-bit channel's is A16..A1 of a
 * word (its page register's bit 0 is not used), so its page is 128 KiB. The address counter
 * never carries into the page register.
 */
public final class I8237Layout {

    private I8237Layout() { }

    /** Channels of one controller. */
    public static final int CHANNELS_PER_CONTROLLER = 4;
    /** Registers of one controller. */
    public static final int REGISTERS = 16;

    /** The first controller's first port (register 0). */
    public static final int FIRST_BASE = 0x00;
    /** The second controller's first port; its register r is at {@code SECOND_BASE + 2r}. */
    public static final int SECOND_BASE = 0xC0;
    /** Ports the second controller's decoder spans (0xC0-0xDF). */
    public static final int SECOND_PORTS = 0x20;
    /** The page register file: 16 byte registers at 0x80-0x8F. */
    public static final int PAGE_BASE = 0x80;
    public static final int PAGE_PORTS = 16;
    /** The channel of the second controller the first one cascades into. */
    public static final int CASCADE_CHANNEL = 4;

    // register numbers
    public static final int REG_COMMAND_STATUS = 8;
    public static final int REG_REQUEST = 9;
    public static final int REG_SINGLE_MASK = 10;
    public static final int REG_MODE = 11;
    public static final int REG_CLEAR_FLIP_FLOP = 12;
    public static final int REG_MASTER_CLEAR_TEMPORARY = 13;
    public static final int REG_CLEAR_MASK = 14;
    public static final int REG_ALL_MASK = 15;

    // COMMAND bits
    public static final int COMMAND_MEM_TO_MEM = 1;
    public static final int COMMAND_CH0_ADDRESS_HOLD = 1 << 1;
    public static final int COMMAND_DISABLE = 1 << 2;
    public static final int COMMAND_COMPRESSED = 1 << 3;
    public static final int COMMAND_ROTATING = 1 << 4;
    public static final int COMMAND_EXTENDED_WRITE = 1 << 5;
    public static final int COMMAND_DREQ_ACTIVE_LOW = 1 << 6;
    public static final int COMMAND_DACK_ACTIVE_HIGH = 1 << 7;

    // MODE fields
    public static final int MODE_CHANNEL_MASK = 0x03;
    public static final int MODE_TYPE_SHIFT = 2;
    public static final int MODE_TYPE_MASK = 0x0C;
    public static final int MODE_TYPE_VERIFY = 0x00;
    public static final int MODE_TYPE_WRITE = 0x04;
    public static final int MODE_TYPE_READ = 0x08;
    public static final int MODE_TYPE_ILLEGAL = 0x0C;
    public static final int MODE_AUTOINIT = 0x10;
    public static final int MODE_DECREMENT = 0x20;
    public static final int MODE_SELECT_MASK = 0xC0;
    public static final int MODE_DEMAND = 0x00;
    public static final int MODE_SINGLE = 0x40;
    public static final int MODE_BLOCK = 0x80;
    public static final int MODE_CASCADE = 0xC0;

    // REQUEST and SINGLE MASK
    public static final int REQUEST_CHANNEL_MASK = 0x03;
    public static final int REQUEST_SET = 0x04;

    // STATUS
    public static final int STATUS_TC_MASK = 0x0F;
    public static final int STATUS_REQUEST_SHIFT = 4;

    /** The mask register after master clear: every channel masked. */
    public static final int MASK_ALL = 0x0F;
    /** The count a channel reads after terminal count without autoinitialize. */
    public static final int COUNT_AFTER_TC = 0xFFFF;

    /** Page register port of channels 0..7 (4 has none that matters: 0x8F is the AT's refresh page). */
    private static final int[] PAGE_PORT = {0x87, 0x83, 0x81, 0x82, 0x8F, 0x8B, 0x89, 0x8A};

    /** The page register port of channel {@code channel} (0..7). */
    public static int pagePort(int channel) {
        return PAGE_PORT[checkChannel(channel)];
    }

    /** The controller (0: the first, 8-bit; 1: the second, 16-bit) channel {@code channel} belongs to. */
    public static int controllerOf(int channel) {
        return checkChannel(channel) / CHANNELS_PER_CONTROLLER;
    }

    /** Whether channel {@code channel} moves 16-bit words (channels 4..7). */
    public static boolean isWordChannel(int channel) {
        return controllerOf(channel) == 1;
    }

    /** The port of register {@code register} (0..15) of the controller serving {@code channel}. */
    public static int registerPort(int channel, int register) {
        if (register < 0 || register >= REGISTERS) {
            throw new IllegalArgumentException("8237A register " + register + " does not exist (0..15)");
        }
        return isWordChannel(channel) ? SECOND_BASE + 2 * register : FIRST_BASE + register;
    }

    /** The address register's port of {@code channel}. */
    public static int addressPort(int channel) {
        return registerPort(channel, 2 * (channel % CHANNELS_PER_CONTROLLER));
    }

    /** The count register's port of {@code channel}. */
    public static int countPort(int channel) {
        return registerPort(channel, 2 * (channel % CHANNELS_PER_CONTROLLER) + 1);
    }

    /** A MODE byte for {@code channel}: its select, type, autoinit and decrement bits. */
    public static int mode(int channel, int select, int type, boolean autoinit, boolean decrement) {
        return (select & MODE_SELECT_MASK) | (type & MODE_TYPE_MASK) | (autoinit ? MODE_AUTOINIT : 0)
                | (decrement ? MODE_DECREMENT : 0) | (checkChannel(channel) & MODE_CHANNEL_MASK);
    }

    /**
     * The physical address a channel drives: page bits A23..A16 and the 16-bit address counter.
     * A 16-bit channel's counter is A16..A1 and its page register's bit 0 is dropped.
     */
    public static long physical(int channel, int page, int address) {
        if (isWordChannel(channel)) {
            return ((long) (page & 0xFE) << 16) | ((long) (address & 0xFFFF) << 1);
        }
        return ((long) (page & 0xFF) << 16) | (address & 0xFFFF);
    }

    /** Bytes one transfer of {@code channel} moves: 1, or 2 on channels 4..7. */
    public static int unitBytes(int channel) {
        return isWordChannel(channel) ? 2 : 1;
    }

    /** Bytes a channel's page spans: 64 KiB, or 128 KiB on channels 4..7. */
    public static long pageBytes(int channel) {
        return isWordChannel(channel) ? 1L << 17 : 1L << 16;
    }

    /** Channels 0..7. */
    public static int checkChannel(int channel) {
        if (channel < 0 || channel >= 2 * CHANNELS_PER_CONTROLLER) {
            throw new IllegalArgumentException("ISA DMA channel " + channel + " does not exist (0..7)");
        }
        return channel;
    }
}
