package org.jdma.machine.dev.isablock;

import static org.jdma.spec.isablock.IsaBlockPorts.*;

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

/** The floppy-like block device of {@link org.jdma.spec.isablock.IsaBlockPorts}, its medium in memory. */
public final class IsaBlockDevice implements Device, LegacyDevice, DmaHandshake {

    public static final DeviceKind<IsaBlockConfig> KIND = DeviceKind.legacy("isablock", IsaBlockDevice::new);

    /** The resources of a device at {@code base} on {@code irq} and DMA channel {@code channel}. */
    public static LegacyResources resources(int base, int irq, int channel) {
        return LegacyResources.of(PortRange.of(base, PORT_COUNT)).withIrq(irq).withDmaChannel(channel);
    }

    /** A floppy-sized device at the PC's floppy resources' shape: ports {@code base}, IRQ, channel. */
    public static DeviceSpec<IsaBlockConfig> spec(String name, int base, int irq, int channel) {
        return DeviceSpec.legacy(name, KIND, IsaBlockConfig.DEFAULT, resources(base, irq, channel));
    }

    private final String name;
    private final LegacyResources resources;
    private final IsaBlockConfig config;
    private final int base;
    private final int channel;
    private final byte[] medium;
    private LegacyDeviceContext bus;
    private DmaRequestLine dreq;
    private int sector;
    private int count;
    private int status;
    private int error;
    private boolean writing;
    private long position;
    private long end;
    private long rangeEnd;
    private int waiting = -1;
    private long generation;
    private int burst;
    private boolean buffered;
    private final java.util.ArrayDeque<Integer> buffer = new java.util.ArrayDeque<>();
    private int capacity;
    private long mediumPosition;
    private boolean mediumWaits;

    public IsaBlockDevice(IsaBlockConfig config, DeviceContext.Legacy ctx) {
        this.name = ctx.name();
        this.resources = ctx.resources();
        this.config = config;
        this.base = resources.ports().getFirst().first();
        this.channel = resources.dmaChannels().getFirst();
        this.medium = new byte[config.sectors() * SECTOR_BYTES];
    }

    @Override public String name() { return name; }
    @Override public LegacyResources resources() { return resources; }

    @Override
    public void attach(LegacyDeviceContext context) {
        this.bus = context;
        this.dreq = context.dmaRequest(channel, this);
    }

    /** The medium's bytes (for tests and tools: what a disk image holds). */
    public byte[] medium() { return medium; }

    @Override
    public int ioRead(int port) {
        return switch (port - base) {
            case SECTOR_LO -> sector & 0xFF;
            case SECTOR_HI -> sector >>> 8;
            case COUNT -> count;
            case STATUS -> status;
            case ERROR -> error;
            case BURST -> burst;
            default -> 0xFF;
        };
    }

    @Override
    public void ioWrite(int port, int value) {
        switch (port - base) {
            case SECTOR_LO -> sector = (sector & 0xFF00) | value;
            case SECTOR_HI -> sector = (sector & 0x00FF) | value << 8;
            case COUNT -> count = value;
            case COMMAND -> command(value);
            case BURST -> burst = value;
            default -> { }
        }
    }

    private void command(int c) {
        if (c == CMD_ACK) {
            status &= ~(STATUS_DONE | STATUS_ERROR);
            error = ERR_NONE;
            return;
        }
        if ((status & STATUS_BUSY) != 0 || count == 0 || c != CMD_READ && c != CMD_WRITE) {
            fail(ERR_BAD_COMMAND);
            return;
        }
        writing = c == CMD_WRITE;
        position = (long) sector * SECTOR_BYTES;
        end = position + (long) count * SECTOR_BYTES;
        rangeEnd = Math.min(end, medium.length);
        status = STATUS_BUSY;
        error = ERR_NONE;
        if (position >= rangeEnd) {
            fail(ERR_RANGE);
            return;
        }
        buffered = !writing && burst > 0;
        buffer.clear();
        capacity = burst * SECTOR_BYTES;
        mediumPosition = position;
        mediumWaits = false;
        long g = ++generation;
        bus.kernel().schedule(config.mediumNsPerByte(), name + " medium", () -> mediumByte(g));
    }

    /** The medium has a byte ready (read) or can take one (write). */
    private void mediumByte(long g) {
        if (g != generation || (status & STATUS_BUSY) == 0) {
            return;
        }
        if (writing) {
            dreq.assertDreq();
            return;
        }
        if (buffered) {
            bufferByte(g);
            return;
        }
        if (waiting >= 0) {
            fail(ERR_OVERRUN); // the previous byte was never taken
            return;
        }
        waiting = medium[(int) position] & 0xFF;
        dreq.assertDreq();
    }

    /** Read ahead into the buffer; the medium waits while it is full. */
    private void bufferByte(long g) {
        if (buffer.size() >= capacity) {
            mediumWaits = true;
            return;
        }
        buffer.add(medium[(int) mediumPosition++] & 0xFF);
        if (buffer.size() >= Math.min(capacity, rangeEnd - position)) {
            dreq.assertDreq(); // a burst's worth (or the rest) waits
        }
        if (mediumPosition < rangeEnd) {
            bus.kernel().schedule(config.mediumNsPerByte(), name + " medium", () -> mediumByte(g));
        }
    }

    private int dackBuffered() {
        if ((status & STATUS_BUSY) == 0) {
            return 0xFF;
        }
        if (buffer.isEmpty()) {
            finish(ERR_UNDERRUN); // the DMA asked before the data was there
            return 0xFF;
        }
        int v = buffer.poll();
        position++;
        if (buffer.isEmpty()) {
            dreq.dropDreq();
        }
        if (mediumWaits) {
            mediumWaits = false;
            long g = generation;
            bus.kernel().schedule(config.mediumNsPerByte(), name + " medium", () -> mediumByte(g));
        }
        if (position == rangeEnd && rangeEnd < end) {
            finish(ERR_RANGE);
        }
        return v;
    }

    @Override
    public int dackRead() {
        if (buffered) {
            return dackBuffered();
        }
        int v = waiting < 0 ? 0xFF : waiting;
        waiting = -1;
        dreq.dropDreq();
        advance();
        return v;
    }

    @Override
    public void dackWrite(int value) {
        if ((status & STATUS_BUSY) == 0 || !writing) {
            return;
        }
        medium[(int) position] = (byte) value;
        dreq.dropDreq();
        advance();
    }

    private void advance() {
        if ((status & STATUS_BUSY) == 0) {
            return;
        }
        position++;
        if (position == rangeEnd) {
            if (rangeEnd < end) {
                finish(ERR_RANGE); // the medium ends here: stop, the channel keeps its residue
            }
            return; // the last byte moved: the command ends at the channel's terminal count
        }
        long g = generation;
        bus.kernel().schedule(config.mediumNsPerByte(), name + " medium", () -> mediumByte(g));
    }

    @Override
    public void terminalCount() {
        if ((status & STATUS_BUSY) != 0) {
            finish(position == end ? ERR_NONE : ERR_EARLY_TC); // ends on TC; before the last byte it is an error
        }
    }

    private void fail(int why) {
        finish(why);
    }

    private void finish(int why) {
        generation++;
        waiting = -1;
        buffer.clear();
        dreq.dropDreq();
        error = why;
        status = why == ERR_NONE ? STATUS_DONE : STATUS_ERROR;
        bus.pulseIrq();
    }

    @Override
    public void reset() {
        generation++;
        status = 0;
        error = ERR_NONE;
        sector = 0;
        count = 0;
        burst = 0;
        waiting = -1;
        buffer.clear();
        if (dreq != null) {
            dreq.dropDreq();
        }
    }
}
