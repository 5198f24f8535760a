package org.jdma.machine.dev.sb16;

import static org.jdma.spec.sb16.Sb16DspLayout.*;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.dev.Device;
import org.jdma.machine.dev.DeviceContext;
import org.jdma.machine.dev.DeviceKind;
import org.jdma.machine.dev.DeviceSpec;
import org.jdma.machine.legacy.DmaHandshake;
import org.jdma.machine.legacy.DmaRequestLine;
import org.jdma.machine.legacy.LegacyDevice;
import org.jdma.machine.legacy.LegacyDeviceContext;
import org.jdma.machine.legacy.LegacyResources;
import org.jdma.machine.legacy.PortRange;
import org.jdma.machine.time.TraceRecorder;

/**
 * The Sound Blaster 16-like DAC of {@link org.jdma.spec.sb16.Sb16DspLayout}. A DMA command fills
 * the FIFO through its channel (DREQ while the FIFO has room for a sample), counts the block's
 * samples as they arrive and interrupts at the block's end; the DAC takes one sample frame per
 * sample period from the FIFO. A block that ends while an earlier block's interrupt is still
 * unacknowledged is an underrun: the driver has not refilled the half the DMA is now reading.
 * (The card counts unacknowledged interrupts, where the real status bit is one bit, so a driver
 * that is late every time is caught every time.)
 * Garbage (an unknown command, input, a rate out of range) is counted in {@link #badCommands()}
 * and changes nothing else.
 */
public final class Sb16Device implements Device, LegacyDevice {

    public static final DeviceKind<Sb16Config> KIND = DeviceKind.legacy("sb16", Sb16Device::new);
    /** The trace track of the card's interrupts. */
    public static final String TRACK = "sb16";

    /** The resources of a card at {@code base} on {@code irq} with an 8-bit and a 16-bit DMA channel. */
    public static LegacyResources resources(int base, int irq, int dma8, int dma16) {
        return LegacyResources.of(PortRange.of(base, PORT_COUNT)).withIrq(irq).withDmaChannel(dma8).withDmaChannel(dma16);
    }

    /** A card with the default parameters at the given resources (a PC's usual: 0x220, IRQ 5, DMA 1 and 5). */
    public static DeviceSpec<Sb16Config> spec(String name, int base, int irq, int dma8, int dma16) {
        return DeviceSpec.legacy(name, KIND, Sb16Config.DEFAULT, resources(base, irq, dma8, dma16));
    }

    private final String name;
    private final LegacyResources resources;
    private final Sb16Config config;
    private final int base;
    private final int dma8;
    private final int dma16;
    private LegacyDeviceContext bus;
    private DmaRequestLine dreq8;
    private DmaRequestLine dreq16;

    private final ArrayDeque<Integer> readData = new ArrayDeque<>();
    private final ArrayDeque<Integer> fifo = new ArrayDeque<>();
    private final ByteArrayOutputStream played = new ByteArrayOutputStream();
    private final List<Long> interruptTimes = new ArrayList<>();
    private boolean inReset;
    private int mixerIndex;
    private int command = -1;
    private final int[] args = new int[3];
    private int argsWanted;
    private int argsHave;
    private int rate;
    private long generation;

    // the DMA transfer in progress
    private boolean active;
    private boolean sixteen;
    private boolean autoInit;
    private boolean paused;
    private int frameUnits = 1;
    private int fifoUnits = 1;
    private int blockUnits;
    private int blockLeft;
    private boolean dacRunning;
    private long dacStart;
    private long dacTicks;
    private int irqStatus;
    private int unacknowledged;

    private long samplesPlayed;
    private long starved;
    private long underruns;
    private long blocks;
    private long badCommands;

    public Sb16Device(Sb16Config config, DeviceContext.Legacy ctx) {
        this.name = ctx.name();
        this.resources = ctx.resources();
        this.config = config;
        this.base = resources.ports().getFirst().first();
        List<Integer> ch = resources.dmaChannels();
        if (ch.size() != 2 || ch.get(0) >= 4 || ch.get(1) < 4) {
            throw new IllegalArgumentException(name + ": a Sound Blaster 16 needs an 8-bit DMA channel (0-3) and a 16-bit one (5-7), got " + ch);
        }
        this.dma8 = ch.get(0);
        this.dma16 = ch.get(1);
        this.rate = config.defaultRate();
    }

    @Override public String name() { return name; }
    @Override public LegacyResources resources() { return resources; }

    @Override
    public void attach(LegacyDeviceContext context) {
        this.bus = context;
        this.dreq8 = context.dmaRequest(dma8, handshake(false));
        this.dreq16 = context.dmaRequest(dma16, handshake(true));
    }

    private DmaHandshake handshake(boolean wide) {
        return new DmaHandshake() {
            @Override public int dackRead() {
                return wide ? 0xFFFF : 0xFF; // the card never drives data to memory: it has no A/D here
            }

            @Override public void dackWrite(int value) {
                sample(wide, value);
            }
        };
    }

    // ---- ports ---------------------------------------------------------------------------------

    @Override
    public int ioRead(int port) {
        return switch (port - base) {
            case MIXER_DATA -> mixerIndex == MIXER_IRQ_STATUS ? irqStatus : 0xFF;
            case READ_DATA -> readData.isEmpty() ? 0xFF : readData.poll();
            case WRITE -> inReset ? 0xFF : 0x7F; // bit 7 clear: ready for a command
            case READ_STATUS -> {
                acknowledge(IRQ_STATUS_8BIT);
                yield readData.isEmpty() ? 0x7F : 0xFF;
            }
            case ACK_16 -> {
                acknowledge(IRQ_STATUS_16BIT);
                yield 0xFF;
            }
            default -> 0xFF;
        };
    }

    @Override
    public void ioWrite(int port, int value) {
        switch (port - base) {
            case MIXER_ADDRESS -> mixerIndex = value;
            case RESET -> reset(value);
            case WRITE -> {
                if (!inReset) {
                    write(value);
                }
            }
            default -> { }
        }
    }

    private void reset(int value) {
        if ((value & 1) != 0) {
            reset();
            inReset = true;
            return;
        }
        if (inReset) {
            long g = generation;
            bus.kernel().schedule(config.resetNs(), name + " reset", () -> {
                if (g == generation) {
                    inReset = false;
                    readData.add(RESET_READY);
                }
            });
        }
    }

    private void write(int value) {
        if (command < 0) {
            int n = argumentBytes(value);
            if (n < 0) {
                badCommands++;
                return;
            }
            command = value;
            argsWanted = n;
            argsHave = 0;
        } else {
            args[argsHave++] = value;
        }
        if (argsHave == argsWanted) {
            int c = command;
            command = -1;
            execute(c);
        }
    }

    private void execute(int c) {
        if (isDmaCommand(c)) {
            start(c);
            return;
        }
        switch (c) {
            case CMD_SET_OUTPUT_RATE -> {
                int r = args[0] << 8 | args[1];
                if (r < MIN_RATE || r > MAX_RATE) {
                    badCommands++;
                } else {
                    rate = r;
                }
            }
            case CMD_PAUSE_8, CMD_PAUSE_16 -> pause(c == CMD_PAUSE_16, true);
            case CMD_CONTINUE_8, CMD_CONTINUE_16 -> pause(c == CMD_CONTINUE_16, false);
            case CMD_EXIT_AUTO_8, CMD_EXIT_AUTO_16 -> {
                if (active && sixteen == (c == CMD_EXIT_AUTO_16)) {
                    autoInit = false; // the block in progress is the last
                }
            }
            case CMD_VERSION -> {
                readData.add(VERSION_MAJOR);
                readData.add(VERSION_MINOR);
            }
            default -> { } // speaker on/off: no analog side here
        }
    }

    /** A 0xBx/0xCx command with its mode byte and length. */
    private void start(int c) {
        if ((c & DMA_INPUT) != 0) {
            badCommands++; // no A/D on this card
            return;
        }
        stopDma();
        sixteen = (c & 0xF0) == CMD_DMA_16;
        autoInit = (c & DMA_AUTO_INIT) != 0;
        frameUnits = (args[0] & MODE_STEREO) != 0 ? 2 : 1;
        int unitBytes = sixteen ? 2 : 1;
        fifoUnits = (c & DMA_FIFO) != 0 ? Math.max(frameUnits, config.fifoBytes() / unitBytes) : frameUnits;
        blockUnits = (args[1] | args[2] << 8) + 1;
        blockLeft = blockUnits;
        active = true;
        paused = false;
        fifo.clear();
        updateDreq();
        startDac();
    }

    private void pause(boolean wide, boolean on) {
        if (active && sixteen == wide) {
            paused = on;
            updateDreq();
            if (!on) {
                startDac();
            }
        }
    }

    // ---- DMA and DAC ---------------------------------------------------------------------------

    private DmaRequestLine line() {
        return sixteen ? dreq16 : dreq8;
    }

    /**
     * DREQ while a transfer runs, unpaused: raised when the FIFO is down to half, held until it
     * is full (so demand mode bursts half a FIFO at a time; without FIFO, one frame each time).
     */
    private void updateDreq() {
        DmaRequestLine l = line();
        boolean want;
        if (!active || paused || blockLeft == 0 || fifo.size() >= fifoUnits) {
            want = false;
        } else {
            want = fifo.size() <= fifoUnits / 2 || l.dreq();
        }
        if (want && !l.dreq()) {
            l.assertDreq();
        } else if (!want && l.dreq()) {
            l.dropDreq();
        }
    }

    private void sample(boolean wide, int value) {
        if (!active || wide != sixteen || blockLeft == 0) {
            return; // a DACK the card did not ask for
        }
        fifo.add(value & (wide ? 0xFFFF : 0xFF));
        if (--blockLeft == 0) {
            blockEnds();
        }
        updateDreq();
    }

    private void blockEnds() {
        blocks++;
        int bit = sixteen ? IRQ_STATUS_16BIT : IRQ_STATUS_8BIT;
        if (unacknowledged > 0) {
            underruns++; // the driver has not acknowledged the last block: it is late with the refill
        }
        unacknowledged++;
        irqStatus |= bit;
        long now = bus.kernel().now();
        interruptTimes.add(now);
        TraceRecorder t = bus.kernel().trace();
        if (t.enabled()) {
            t.instant(TRACK, "IRQ", now, TraceRecorder.args("block", blocks));
        }
        if (autoInit) {
            blockLeft = blockUnits;
        } else {
            active = false;
        }
        bus.pulseIrq();
    }

    /** An acknowledge answers the oldest block interrupt; the status bit stays while others wait. */
    private void acknowledge(int bit) {
        if ((irqStatus & bit) == 0) {
            return;
        }
        unacknowledged--;
        if (unacknowledged == 0) {
            irqStatus &= ~bit;
        }
    }

    private void startDac() {
        if (dacRunning) {
            return;
        }
        dacRunning = true;
        dacStart = bus.kernel().now();
        dacTicks = 0;
        scheduleTick(generation);
    }

    /** The DAC's sample periods fall at exact multiples of 1/rate from its start, rounded to the ns. */
    private void scheduleTick(long g) {
        long at = dacStart + Math.round((dacTicks + 1) * 1e9 / rate);
        bus.kernel().scheduleAt(at, name + " DAC", () -> tick(g));
    }

    private void tick(long g) {
        if (g != generation) {
            return;
        }
        dacTicks++;
        if (paused) {
            dacRunning = false;
            return;
        }
        if (fifo.size() >= frameUnits) {
            for (int i = 0; i < frameUnits; i++) {
                int v = fifo.poll();
                played.write(v & 0xFF);
                if (sixteen) {
                    played.write(v >>> 8);
                }
            }
            samplesPlayed++;
        } else if (active) {
            starved++; // the DMA did not keep the FIFO filled
        }
        updateDreq();
        if (!active && fifo.isEmpty()) {
            dacRunning = false; // played out
            return;
        }
        scheduleTick(g);
    }

    private void stopDma() {
        active = false;
        if (dreq8 != null) {
            dreq8.dropDreq();
            dreq16.dropDreq();
        }
    }

    @Override
    public void reset() {
        generation++;
        stopDma();
        fifo.clear();
        readData.clear();
        command = -1;
        irqStatus = 0;
        unacknowledged = 0;
        paused = false;
        dacRunning = false;
        rate = config.defaultRate();
        inReset = false;
    }

    // ---- what tests and tools read -------------------------------------------------------------

    /** Every sample the DAC played, in order, as a WAV file's data holds them (16-bit little-endian). */
    public byte[] played() { return played.toByteArray(); }

    /** Sample frames played. */
    public long samplesPlayed() { return samplesPlayed; }

    /** Sample periods in which the FIFO was empty while a transfer ran. */
    public long starvedPeriods() { return starved; }

    /** Blocks that ended while the previous block's interrupt was unacknowledged: the driver refilled late. */
    public long underruns() { return underruns; }

    /** Blocks ended (interrupts raised). */
    public long blocks() { return blocks; }

    /** Modeled times of the interrupts, in order. */
    public List<Long> interruptTimes() { return List.copyOf(interruptTimes); }

    /** Commands and arguments refused (unknown, input, rate out of range). */
    public long badCommands() { return badCommands; }

    /** The output rate, Hz. */
    public int rate() { return rate; }

    /** Whether a DMA transfer runs or the DAC still plays its FIFO. */
    public boolean playing() { return active || dacRunning; }

    public Sb16Config config() { return config; }
}
