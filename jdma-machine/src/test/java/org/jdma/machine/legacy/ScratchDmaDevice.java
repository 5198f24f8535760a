package org.jdma.machine.legacy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.dev.Device;
import org.jdma.machine.dev.DeviceContext;
import org.jdma.machine.dev.DeviceKind;

/**
 * The smallest legacy device that uses every resource of the bus: eight I/O ports, a level IRQ and
 * one DMA channel. Software writes a 32-bit bus address, a length and a fill byte, then a command;
 * the device fills memory through its channel and raises its IRQ; reading STATUS acknowledges and
 * lowers the IRQ.
 *
 * <pre>
 *   base + 0..3  ADDRESS  (W/R) bus address, little-endian
 *   base + 4     LENGTH   (W/R) bytes to fill, 1..255
 *   base + 5     COMMAND  (W)   {@link #CMD_FILL}: fill [ADDRESS, +LENGTH) with PATTERN
 *   base + 6     PATTERN  (W/R) the fill byte
 *   base + 7     STATUS   (R)   bit 0 done, bit 1 fault; reading clears it and lowers the IRQ
 * </pre>
 *
 * <p>Plugged by hand ({@link LegacyBus#plug}) or by configuration through {@link #KIND}: then its
 * placement's first port range (8 ports), IRQ line and first DMA channel are its resources.
 */
final class ScratchDmaDevice implements Device, LegacyDevice {

    /** The kind; it has no options. */
    static final DeviceKind<Boolean> KIND = DeviceKind.legacy("scratch", (unused, ctx) -> new ScratchDmaDevice(ctx));

    static final int ADDRESS = 0;
    static final int LENGTH = 4;
    static final int COMMAND = 5;
    static final int PATTERN = 6;
    static final int STATUS = 7;
    static final int CMD_FILL = 1;
    static final int STATUS_DONE = 1;
    static final int STATUS_FAULT = 2;

    private final String name;
    private final LegacyResources resources;
    private final int base;
    private final int channel;
    private final byte[] regs = new byte[8];
    private final Arena arena = Arena.ofAuto();
    final List<String> cycles = new ArrayList<>();
    int resets;
    private LegacyDeviceContext ctx;

    ScratchDmaDevice(DeviceContext.Legacy ctx) {
        this.name = ctx.name();
        this.base = ctx.resources().ports().getFirst().first();
        this.channel = ctx.resources().dmaChannels().getFirst();
        this.resources = ctx.resources();
    }

    ScratchDmaDevice(String name, int base, int irq, int channel) {
        this.name = name;
        this.base = base;
        this.channel = channel;
        this.resources = LegacyResources.of(PortRange.of(base, 8)).withIrq(irq).withDmaChannel(channel);
    }

    @Override public String name() { return name; }
    @Override public LegacyResources resources() { return resources; }

    @Override
    public void attach(LegacyDeviceContext context) {
        this.ctx = context;
    }

    LegacyDeviceContext context() {
        return ctx;
    }

    @Override
    public int ioRead(int port) {
        int off = port - base;
        cycles.add(String.format("in %#x", port));
        int v = regs[off] & 0xFF;
        if (off == STATUS) {
            regs[STATUS] = 0;
            ctx.lowerIrq();
        }
        return off == COMMAND ? 0xFF : v;
    }

    @Override
    public void ioWrite(int port, int value) {
        int off = port - base;
        cycles.add(String.format("out %#x %#04x", port, value));
        if (off == COMMAND) {
            if (value == CMD_FILL) {
                fill();
            }
        } else if (off != STATUS) {
            regs[off] = (byte) value;
        }
    }

    private void fill() {
        long address = (regs[0] & 0xFFL) | (regs[1] & 0xFFL) << 8 | (regs[2] & 0xFFL) << 16 | (regs[3] & 0xFFL) << 24;
        int length = regs[LENGTH] & 0xFF;
        MemorySegment data = arena.allocate(Math.max(1, length));
        data.fill(regs[PATTERN]);
        DmaPort port = ctx.dmaPort(channel);
        DmaResult r = port.write(address, data, 0, length);
        ctx.kernel().schedule(r.costNs(), name + " fill done", () -> {
            regs[STATUS] = (byte) (r.isOk() ? STATUS_DONE : STATUS_DONE | STATUS_FAULT);
            ctx.raiseIrq();
        });
    }

    @Override
    public void reset() {
        resets++;
        java.util.Arrays.fill(regs, (byte) 0);
    }
}
