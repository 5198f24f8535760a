package org.jdma.machine.legacy.isadma;

import static org.jdma.spec.i8237.I8237Layout.*;

/**
 * One 8237A: the register file of four channels and the controller's command, status, request,
 * mask and temporary registers, and the byte-pointer flip-flop (8237A datasheet, "Register
 * Description"). It keeps no time: {@link IsaDma} decides when a channel is serviced and asks
 * this class which channel wins, where a transfer goes and what terminal count does.
 *
 * <p>Behaviour kept byte for byte: writing an address or count loads base and current together;
 * reading returns current; every such access toggles the flip-flop (low byte first), register 12
 * clears it. Reading STATUS clears its TC bits; writing a channel's MODE clears that channel's TC
 * bit. Master clear: command, status, request and temporary 0, flip-flop clear, all channels
 * masked. A software request is served only in block mode and is not maskable. At terminal count
 * the TC bit is set and the software request cleared; autoinitialize reloads current from base,
 * otherwise the channel is masked.
 */
final class I8237 {

    private final int firstChannel;
    private final int[] baseAddress = new int[CHANNELS_PER_CONTROLLER];
    private final int[] address = new int[CHANNELS_PER_CONTROLLER];
    private final int[] baseCount = new int[CHANNELS_PER_CONTROLLER];
    private final int[] count = new int[CHANNELS_PER_CONTROLLER];
    private final int[] mode = new int[CHANNELS_PER_CONTROLLER];
    private int command;
    private int tcBits;
    private int softwareRequests;
    private int mask;
    private int dreqLines;
    private int temporary;
    private boolean highByte;
    /** The channel serviced last: under rotating priority the next one after it is highest. */
    private int lastServiced = CHANNELS_PER_CONTROLLER - 1;

    /** @param firstChannel 0 for the first controller, 4 for the second */
    I8237(int firstChannel) {
        this.firstChannel = firstChannel;
        masterClear();
    }

    /** Master clear (register 13 written, or RESET): the datasheet's reset state. */
    void masterClear() {
        command = 0;
        tcBits = 0;
        softwareRequests = 0;
        temporary = 0;
        highByte = false;
        mask = MASK_ALL;
        lastServiced = CHANNELS_PER_CONTROLLER - 1;
    }

    /** A CPU read of register {@code reg} (0..15). */
    int read(int reg) {
        if (reg < REG_COMMAND_STATUS) {
            int ch = reg >>> 1;
            return flip((reg & 1) == 0 ? address[ch] : count[ch]);
        }
        return switch (reg) {
            case REG_COMMAND_STATUS -> {
                int s = tcBits | (pendingRequests() << STATUS_REQUEST_SHIFT);
                tcBits = 0;
                yield s;
            }
            case REG_MASTER_CLEAR_TEMPORARY -> temporary;
            default -> 0xFF; // write-only registers: nothing drives the data bus
        };
    }

    private int flip(int value) {
        int b = highByte ? value >>> 8 : value;
        highByte = !highByte;
        return b & 0xFF;
    }

    /** A CPU write of {@code value} to register {@code reg} (0..15). */
    void write(int reg, int value) {
        value &= 0xFF;
        if (reg < REG_COMMAND_STATUS) {
            int ch = reg >>> 1;
            int[] base = (reg & 1) == 0 ? baseAddress : baseCount;
            int[] current = (reg & 1) == 0 ? address : count;
            base[ch] = highByte ? (base[ch] & 0x00FF) | value << 8 : (base[ch] & 0xFF00) | value;
            current[ch] = base[ch];
            highByte = !highByte;
            return;
        }
        int ch = value & REQUEST_CHANNEL_MASK;
        switch (reg) {
            case REG_COMMAND_STATUS -> command = value;
            case REG_REQUEST -> softwareRequests = set(softwareRequests, ch, (value & REQUEST_SET) != 0);
            case REG_SINGLE_MASK -> mask = set(mask, ch, (value & REQUEST_SET) != 0);
            case REG_MODE -> {
                mode[ch] = value;
                tcBits &= ~(1 << ch);
            }
            case REG_CLEAR_FLIP_FLOP -> highByte = false;
            case REG_MASTER_CLEAR_TEMPORARY -> masterClear();
            case REG_CLEAR_MASK -> mask = 0;
            case REG_ALL_MASK -> mask = value & MASK_ALL;
            default -> throw new IllegalArgumentException("8237A register " + reg);
        }
    }

    private static int set(int bits, int ch, boolean on) {
        return on ? bits | 1 << ch : bits & ~(1 << ch);
    }

    /** Drives channel {@code ch}'s DREQ input (already in active-high sense). */
    void dreq(int ch, boolean on) {
        dreqLines = set(dreqLines, ch, on);
    }

    boolean dreq(int ch) {
        return (dreqLines & 1 << ch) != 0;
    }

    /** Requests STATUS reports: a DREQ input or a software request, masked or not. */
    private int pendingRequests() {
        return (dreqLines | softwareRequests) & MASK_ALL;
    }

    /** Channels that want the bus now: unmasked DREQ, or a software request in block mode. */
    int requesting() {
        if ((command & COMMAND_DISABLE) != 0) {
            return 0;
        }
        int r = dreqLines & ~mask;
        for (int ch = 0; ch < CHANNELS_PER_CONTROLLER; ch++) {
            if ((softwareRequests & 1 << ch) != 0 && select(ch) == MODE_BLOCK) {
                r |= 1 << ch;
            }
        }
        return r & MASK_ALL;
    }

    /** The channel that wins among {@code requests} (non-zero), by fixed or rotating priority. */
    int winner(int requests) {
        int start = (command & COMMAND_ROTATING) != 0 ? (lastServiced + 1) % CHANNELS_PER_CONTROLLER : 0;
        for (int i = 0; i < CHANNELS_PER_CONTROLLER; i++) {
            int ch = (start + i) % CHANNELS_PER_CONTROLLER;
            if ((requests & 1 << ch) != 0) {
                return ch;
            }
        }
        throw new IllegalArgumentException("no channel requests service");
    }

    /** Channel {@code ch} was given the bus: under rotating priority it becomes the lowest. */
    void serviced(int ch) {
        lastServiced = ch;
    }

    /** Whether a request of {@code ch} is still there (DREQ or software request), for demand mode. */
    boolean stillRequesting(int ch) {
        return (requesting() & 1 << ch) != 0;
    }

    int select(int ch) {
        return mode[ch] & MODE_SELECT_MASK;
    }

    int type(int ch) {
        return mode[ch] & MODE_TYPE_MASK;
    }

    int mode(int ch) {
        return mode[ch];
    }

    int command() {
        return command;
    }

    boolean memoryToMemory() {
        return (command & COMMAND_MEM_TO_MEM) != 0 && firstChannel == 0;
    }

    int address(int ch) {
        return address[ch];
    }

    int count(int ch) {
        return count[ch];
    }

    int mask() {
        return mask;
    }

    int softwareRequests() {
        return softwareRequests;
    }

    /** Whether the next transfer of {@code ch} changes address bits A15..A8 (the datasheet's S1 state). */
    boolean highAddressChanges(int ch) {
        return ((mode[ch] & MODE_DECREMENT) != 0 ? (address[ch] & 0xFF) == 0 : (address[ch] & 0xFF) == 0xFF);
    }

    /**
     * Steps channel {@code ch} after one transfer: the address by one (within its 16 bits: it never
     * carries into the page), the count down by one.
     *
     * @return whether this was terminal count (the count stepped from 0 to 0xFFFF)
     */
    boolean advance(int ch, boolean holdAddress) {
        if (!holdAddress) {
            address[ch] = (address[ch] + ((mode[ch] & MODE_DECREMENT) != 0 ? -1 : 1)) & 0xFFFF;
        }
        count[ch] = (count[ch] - 1) & 0xFFFF;
        return count[ch] == COUNT_AFTER_TC;
    }

    /** Terminal count (or external EOP) on {@code ch}. */
    void endOfProcess(int ch) {
        tcBits |= 1 << ch;
        softwareRequests &= ~(1 << ch);
        if ((mode[ch] & MODE_AUTOINIT) != 0) {
            address[ch] = baseAddress[ch];
            count[ch] = baseCount[ch];
        } else {
            mask |= 1 << ch;
        }
    }

    /** Clears {@code ch}'s software request (channel 0's, when memory to memory ends on channel 1). */
    void clearSoftwareRequest(int ch) {
        softwareRequests &= ~(1 << ch);
    }

    void temporary(int value) {
        temporary = value & 0xFF;
    }

    /** The channel number on the board of local channel {@code ch}. */
    int boardChannel(int ch) {
        return firstChannel + ch;
    }
}
