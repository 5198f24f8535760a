package org.jdma.machine.legacy.isadma;

import static org.jdma.spec.i8237.I8237Layout.*;

import java.util.Objects;
import java.util.function.IntFunction;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.cpu.MachineCpus;
import org.jdma.machine.legacy.DmaHandshake;
import org.jdma.machine.legacy.DmaRequestLine;
import org.jdma.machine.legacy.IsaDmaController;
import org.jdma.machine.legacy.LegacyBus;
import org.jdma.machine.memory.IoPortHandler;
import org.jdma.machine.memory.IoPortSpace;
import org.jdma.machine.time.EventKernel;

/**
 * The PC/AT's ISA DMA: two 8237As ({@link I8237}), the first cascaded into channel 4 of the
 * second, and the page registers, at the ports {@link org.jdma.spec.i8237.I8237Layout} names.
 * Each channel drives its {@link DmaPort} on the legacy bus (the LPC bridge's requester id) from
 * its page, address and count registers; a device only drives DREQ ({@link DmaRequestLine}) and
 * is called at DACK ({@link DmaHandshake}).
 *
 * <p>The bus: a request makes the second controller raise HRQ to the {@link IsaBusArbiter}; at
 * HLDA the winning channel (the first controller's, through channel 4 in cascade mode) gets DACK
 * and transfer cycles run at the {@link IsaBusTiming}'s clock, one event per transfer, data moved
 * at the end of the cycle. Single mode releases the bus after each transfer, block holds it until
 * terminal count, demand while DREQ stays asserted; with transparent timing a grant lasts only as
 * long as the CPU leaves the bus idle. A channel in cascade mode other than channel 4 hands the
 * bus to its device (an ISA bus master) until it drops DREQ. Memory to memory (command bit 0)
 * runs on channels 0 and 1 from a software request on channel 0.
 *
 * <p>Not modeled: DREQ and DACK polarity (command bits 6-7 are kept but the lines are logical),
 * extended write, external EOP input, the READY line (wait states are a fixed number).
 *
 * <p>Thread use: the event thread.
 */
public final class IsaDma implements IsaDmaController {

    private final EventKernel kernel;
    private final IntFunction<DmaPort> ports;
    private final I8237 first = new I8237(0);
    private final I8237 second = new I8237(CASCADE_CHANNEL);
    private final int[] pages = new int[PAGE_PORTS];
    private final DmaHandshake[] devices = new DmaHandshake[2 * CHANNELS_PER_CONTROLLER];
    private final ChannelCounters counters = new ChannelCounters();
    private final DataPath data;
    private IsaBusArbiter arbiter;
    private final MachineCpus cpus;
    private boolean busy;
    private I8237 chip;
    private int channel;
    private boolean busMaster;
    private boolean firstInGrant;

    private IsaDma(EventKernel kernel, MachineCpus cpus, IntFunction<DmaPort> ports, IsaBusTiming timing) {
        this.kernel = kernel;
        this.cpus = cpus;
        this.ports = ports;
        this.arbiter = new IsaBusArbiter(kernel, cpus, timing);
        this.data = new DataPath(ports, devices, counters);
    }

    /**
     * Builds the controllers, claims their ports (0x00-0x0F, 0x80-0x8F, 0xC0-0xDF) and makes them
     * {@code bus}'s DMA controller.
     */
    public static IsaDma install(LegacyBus bus, IoPortSpace io, EventKernel kernel, MachineCpus cpus, IsaBusTiming timing) {
        IsaDma d = new IsaDma(kernel, cpus, bus::channelPort, Objects.requireNonNull(timing, "timing"));
        io.claim("dma1", FIRST_BASE, REGISTERS, d.handler(0));
        io.claim("dma-page", PAGE_BASE, PAGE_PORTS, d.handler(1));
        io.claim("dma2", SECOND_BASE, SECOND_PORTS, d.handler(2));
        bus.dmaController(d);
        return d;
    }

    /** The bus arbiter (ownership, grants, the CPU workload). */
    public IsaBusArbiter arbiter() {
        return arbiter;
    }

    /**
     * Sets the bus timing (clock, wait states, transparent grants): a board setting, so only while
     * no request is pending. Counters of the arbiter start again.
     */
    public void timing(IsaBusTiming timing) {
        Objects.requireNonNull(timing, "timing");
        if (busy) {
            throw new IllegalStateException("the ISA bus timing cannot change while DMA holds or requests the bus");
        }
        arbiter = new IsaBusArbiter(kernel, cpus, timing);
    }

    /** Per-channel counters: transfers, bytes, faults, terminal counts, when each run began and ended. */
    public ChannelCounters counters() {
        return counters;
    }

    @Override
    public DmaRequestLine connect(int ch, DmaHandshake device) {
        checkChannel(ch);
        Objects.requireNonNull(device, "device");
        if (ch == CASCADE_CHANNEL) {
            throw new IllegalArgumentException("DMA channel 4 cascades the first 8237A; no device connects to it");
        }
        if (devices[ch] != null) {
            throw new IllegalStateException("a device is connected to DMA channel " + ch + " already");
        }
        devices[ch] = device;
        I8237 c = ch < CHANNELS_PER_CONTROLLER ? first : second;
        int local = ch % CHANNELS_PER_CONTROLLER;
        return new DmaRequestLine() {
            @Override public void assertDreq() {
                c.dreq(local, true);
                kick();
            }

            @Override public void dropDreq() {
                c.dreq(local, false);
                if (busMaster && chip == c && channel == local) {
                    finish(); // the bus master hands the bus back
                }
            }

            @Override public boolean dreq() {
                return c.dreq(local);
            }
        };
    }

    /** RESET: both controllers master-cleared; the page registers keep their values (the 74LS612 has no reset). */
    @Override
    public void reset() {
        first.masterClear();
        second.masterClear();
    }

    // ---- ports ---------------------------------------------------------------------------------

    private IoPortHandler handler(int which) {
        return new IoPortHandler() {
            @Override
            public int read(int offset, int width) {
                int v = 0;
                for (int i = 0; i < width; i++) {
                    v |= (readByte(which, offset + i) & 0xFF) << (8 * i);
                }
                return v;
            }

            @Override
            public void write(int offset, int width, int value) {
                for (int i = 0; i < width; i++) {
                    writeByte(which, offset + i, (value >>> (8 * i)) & 0xFF);
                }
                kick(); // an unmask, a request or a mode may let a waiting DREQ through
            }
        };
    }

    private int readByte(int which, int offset) {
        return switch (which) {
            case 0 -> first.read(offset);
            case 1 -> pages[offset];
            default -> (offset & 1) == 0 ? second.read(offset >>> 1) : 0xFF;
        };
    }

    private void writeByte(int which, int offset, int value) {
        switch (which) {
            case 0 -> first.write(offset, value);
            case 1 -> pages[offset] = value;
            default -> {
                if ((offset & 1) == 0) {
                    second.write(offset >>> 1, value);
                }
            }
        }
    }

    // ---- the bus -------------------------------------------------------------------------------

    /** The second controller's requests, with channel 4's DREQ being the first controller's HRQ. */
    private int masterRequests() {
        second.dreq(0, first.requesting() != 0);
        return second.requesting();
    }

    /** Raises HRQ when a channel wants the bus and none has it. */
    private void kick() {
        if (busy || masterRequests() == 0) {
            return;
        }
        busy = true;
        kernel.scheduleAt(arbiter.requestBus(), "8237 HLDA", this::granted);
    }

    private void granted() {
        int m = masterRequests();
        if (m == 0) {
            busy = false; // the request went away before HLDA
            arbiter.release();
            return;
        }
        int mc = second.winner(m);
        chip = second;
        channel = mc;
        if (mc == 0 && second.select(0) == MODE_CASCADE) {
            chip = first;
            channel = first.winner(first.requesting());
        }
        firstInGrant = true; // the grant's first transfer outputs the high address byte (S1)
        if (arbiter.timing().transparent() && !fits()) {
            long idleEnd = arbiter.idleEndsAfter(kernel.now());
            long next = Math.max(kernel.now() + arbiter.timing().ns(1), arbiter.nextIdleStart(Math.max(idleEnd, kernel.now())));
            kernel.scheduleAt(next, "8237 HLDA", this::granted); // the CPU leaves no idle room now
            return;
        }
        arbiter.hold();
        second.serviced(mc);
        if (chip == first) {
            first.serviced(channel);
        }
        int board = chip.boardChannel(channel);
        arbiter.instant("DACK", board);
        counters.granted(board, kernel.now());
        if (chip.select(channel) == MODE_CASCADE) {
            busMaster = true;
            DmaHandshake d = devices[board];
            if (d != null) {
                d.busGranted();
            }
            return;
        }
        kernel.schedule(arbiter.timing().ns(transferClocks()), "8237 transfer", this::transfer);
    }

    /** Clocks of the next transfer of the active channel. */
    private int transferClocks() {
        boolean compressed = (chip.command() & COMMAND_COMPRESSED) != 0;
        int clocks = arbiter.timing().transferClocks(firstInGrant || chip.highAddressChanges(channel), compressed);
        return memoryToMemory() ? 2 * clocks : clocks;
    }

    private boolean memoryToMemory() {
        return chip == first && channel == 0 && first.memoryToMemory();
    }

    /** With transparent timing: whether the next transfer ends before the CPU wants the bus again. */
    private boolean fits() {
        long now = kernel.now();
        return now + arbiter.timing().ns(transferClocks()) <= arbiter.idleEndsAfter(now);
    }

    private void transfer() {
        int board = chip.boardChannel(channel);
        boolean tc;
        if (memoryToMemory()) {
            tc = data.memoryToMemory(first, pages[pagePort(0) - PAGE_BASE], pages[pagePort(1) - PAGE_BASE], kernel.now());
            if (tc) {
                first.endOfProcess(1);
                first.clearSoftwareRequest(0);
                arbiter.instant("EOP", 1);
            }
        } else {
            data.move(chip, channel, pages[pagePort(board) - PAGE_BASE], kernel.now());
            tc = chip.advance(channel, false);
            if (tc) {
                chip.endOfProcess(channel);
                counters.terminalCount(board, kernel.now());
                arbiter.instant("EOP", board);
                DmaHandshake d = devices[board];
                if (d != null) {
                    d.terminalCount();
                }
            }
        }
        boolean more = !tc && switch (chip.select(channel)) {
            case MODE_BLOCK -> true;
            case MODE_DEMAND -> chip.stillRequesting(channel);
            default -> false;
        };
        firstInGrant = false;
        if (more && arbiter.timing().transparent() && !fits()) {
            more = false;
        }
        if (more) {
            kernel.schedule(arbiter.timing().ns(transferClocks()), "8237 transfer", this::transfer);
        } else {
            finish();
        }
    }

    /** Drops HRQ and DACK; asks again at once if a channel still requests. */
    private void finish() {
        busMaster = false;
        chip = null;
        busy = false;
        arbiter.release();
        kick();
    }

    // ---- what tests and tools read -------------------------------------------------------------

    /** Channel {@code ch}'s current address register, as software would read it. */
    public int currentAddress(int ch) {
        return controller(ch).address(ch % CHANNELS_PER_CONTROLLER);
    }

    /** Channel {@code ch}'s current count register. */
    public int currentCount(int ch) {
        return controller(ch).count(ch % CHANNELS_PER_CONTROLLER);
    }

    /** Whether DMA holds or requests the bus. */
    public boolean busy() {
        return busy;
    }

    private I8237 controller(int ch) {
        return checkChannel(ch) < CHANNELS_PER_CONTROLLER ? first : second;
    }
}
