package org.jdma.kernel.drivers.sb16;

import static org.jdma.spec.sb16.Sb16DspLayout.*;

import java.io.ByteArrayOutputStream;
import org.jdma.kernel.dma.CoherentAllocation;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.driver.DeviceMatch;
import org.jdma.kernel.driver.Driver;
import org.jdma.kernel.driver.DriverContext;
import org.jdma.kernel.driver.DriverInstance;
import org.jdma.kernel.driver.IoPorts;
import org.jdma.kernel.driver.LegacyResources;
import org.jdma.kernel.driver.PortRange;
import org.jdma.kernel.driver.ProbeException;
import org.jdma.kernel.isadma.IsaDma;
import org.jdma.platform.irq.LineTrigger;
import org.jdma.spec.i8237.I8237Layout;

/**
 * Plays through the Sound Blaster 16-like DAC with the classic double buffer: a coherent buffer
 * of two blocks in ZONE_DMA (24-bit mask), the channel programmed once in auto-initialize mode
 * over both, the DSP started in auto-initialize output with the block as its length, and at each
 * interrupt the half the card has just finished refilled from a {@link SampleSource}, then the
 * interrupt acknowledged. {@link #stop()} asks the DSP to leave auto-initialize, waits for the
 * last block's interrupt, masks the channel and frees the buffer.
 */
public final class Sb16Driver implements DriverInstance {

    /** How long a reset may take before the probe gives up, ns (the guide: 100 us). */
    public static final long RESET_TIMEOUT_NS = 1_000_000;

    /** The registration for a card at {@code base} on {@code irq} with DMA channels {@code dma8} and {@code dma16}: named "soundblaster". */
    public static Driver<Sb16Driver> driver(int base, int irq, int dma8, int dma16) {
        LegacyResources at = LegacyResources.of(PortRange.of(base, PORT_COUNT)).withIrq(irq).withDmaChannel(dma8).withDmaChannel(dma16);
        return Driver.of("soundblaster", DeviceMatch.legacy(at), Sb16Driver::new);
    }

    private final DriverContext ctx;
    private final String name;
    private final IoPorts ports;
    private final IsaDma isa;
    private final int dma8;
    private final int dma16;
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private Playback playback;
    private SampleSource source;
    private CoherentAllocation buffer;
    private int channel;
    private int nextHalf;
    private boolean stopping;
    private long interrupts;
    private long refills;

    private Sb16Driver(DriverContext context) {
        this.ctx = context;
        this.name = context.name();
        this.ports = context.ports(0);
        this.dma8 = context.dmaChannels().get(0);
        this.dma16 = context.dmaChannels().get(1);
        resetDsp();
        this.isa = context.isaDma();
        isa.requestDma(dma8, name);
        try {
            isa.requestDma(dma16, name);
        } catch (RuntimeException e) {
            isa.freeDma(dma8);
            throw e;
        }
        try {
            context.dma().setMaskAndCoherent(DmaMask.BITS_24);
            context.requestIrq(LineTrigger.EDGE, vector -> interrupt());
        } catch (RuntimeException e) {
            isa.freeDma(dma8);
            isa.freeDma(dma16);
            throw e;
        }
    }

    /** RESET 1 then 0; the DSP answers 0xAA at READ_DATA within {@link #RESET_TIMEOUT_NS}. */
    private void resetDsp() {
        ports.out8(RESET, 1);
        ports.out8(RESET, 0);
        boolean ready = ctx.clock().runUntil(() -> (ports.in8(READ_STATUS) & STATUS_BIT) != 0, RESET_TIMEOUT_NS);
        int v = ready ? ports.in8(READ_DATA) : -1;
        if (v != RESET_READY) {
            throw new ProbeException(String.format("%s: no DSP answers a reset at %s (READ_DATA %s, not 0xaa)", name, ports.range(),
                    ready ? String.format("%#04x", v) : "never ready"));
        }
    }

    private void dsp(int... bytes) {
        for (int b : bytes) {
            if (!ctx.clock().runUntil(() -> (ports.in8(WRITE) & STATUS_BIT) == 0, RESET_TIMEOUT_NS)) {
                throw new IllegalStateException(String.format("%s: the DSP stays busy; cannot write %#04x", name, b));
            }
            ports.out8(WRITE, b);
        }
    }

    /**
     * Starts playing {@code source} as {@code p} says.
     *
     * @throws IllegalStateException when it plays already
     * @throws IllegalArgumentException when the buffer (two blocks) does not fit the channel: more
     *         than 64 KiB on the 8-bit channel or 128 KiB on the 16-bit one, or across its page (the
     *         ISA DMA API's refusal, naming the address)
     */
    public void start(Playback p, SampleSource src) {
        if (playback != null) {
            throw new IllegalStateException(name + ": plays already; stop() first");
        }
        int ch = p.sixteenBit() ? dma16 : dma8;
        long bytes = 2L * p.blockBytes();
        CoherentAllocation b = ctx.dma().allocCoherent(bytes);
        int mode = (p.demand() ? I8237Layout.MODE_DEMAND : I8237Layout.MODE_SINGLE) | I8237Layout.MODE_TYPE_READ | IsaDma.DMA_AUTOINIT;
        try (IsaDma.Lock l = isa.claimDmaLock()) {
            isa.disableDma(ch);
            isa.clearDmaFf(ch);
            isa.setDmaMode(ch, mode);
            isa.setDmaAddr(ch, b.dmaAddress());
            isa.setDmaCount(ch, bytes);
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
        playback = p;
        source = src;
        buffer = b;
        channel = ch;
        nextHalf = 0;
        stopping = false;
        refill();
        refill();
        dsp(CMD_SET_OUTPUT_RATE, p.rate() >> 8, p.rate() & 0xFF);
        try (IsaDma.Lock l = isa.claimDmaLock()) {
            isa.enableDma(ch);
        }
        int command = (p.sixteenBit() ? CMD_DMA_16 : CMD_DMA_8) | DMA_AUTO_INIT | (p.fifo() ? DMA_FIFO : 0);
        int len = p.blockSamples() - 1;
        dsp(command, p.sixteenBit() ? MODE_SIGNED : 0, len & 0xFF, len >>> 8);
    }

    /** Writes the next block from the source into the half the card finished last. */
    private void refill() {
        byte[] block = new byte[playback.blockBytes()];
        source.fill(block);
        ctx.cpu().write(buffer.physical() + (long) nextHalf * block.length, block);
        written.writeBytes(block);
        nextHalf ^= 1;
        refills++;
    }

    private void interrupt() {
        ports.out8(MIXER_ADDRESS, MIXER_IRQ_STATUS);
        int status = ports.in8(MIXER_DATA);
        interrupts++;
        if (playback == null || stopping) {
            acknowledge(status);
            return;
        }
        if (playback.refillDelayNs() == 0) {
            refill();
            acknowledge(status);
        } else {
            Playback p = playback;
            ctx.clock().schedule(p.refillDelayNs(), name + " refill", () -> {
                if (playback == p && !stopping) {
                    refill();
                }
                acknowledge(status);
            });
        }
    }

    private void acknowledge(int status) {
        if ((status & IRQ_STATUS_8BIT) != 0) {
            ports.in8(READ_STATUS);
        }
        if ((status & IRQ_STATUS_16BIT) != 0) {
            ports.in8(ACK_16);
        }
    }

    /**
     * Stops at the end of the block in progress: exit auto-initialize, wait for that block's
     * interrupt, mask the channel, free the buffer. Nothing to do when it does not play.
     */
    public void stop() {
        if (playback == null) {
            return;
        }
        stopping = true;
        long before = interrupts;
        dsp(playback.sixteenBit() ? CMD_EXIT_AUTO_16 : CMD_EXIT_AUTO_8);
        boolean ended = ctx.clock().runUntil(() -> interrupts > before, 2 * playback.blockNs() + RESET_TIMEOUT_NS);
        try (IsaDma.Lock l = isa.claimDmaLock()) {
            isa.disableDma(channel);
        }
        buffer.close();
        buffer = null;
        playback = null;
        if (!ended) {
            throw new IllegalStateException(name + ": the last block's interrupt never came; the channel is masked");
        }
    }

    /** Whether it plays. */
    public boolean playing() {
        return playback != null;
    }

    /** Everything written into the buffer, in the order the card is to play it. */
    public byte[] written() {
        return written.toByteArray();
    }

    /** Interrupts handled. */
    public long interrupts() {
        return interrupts;
    }

    /** Blocks written (two at the start, then one per interrupt). */
    public long refills() {
        return refills;
    }

    /** The buffer's physical address while playing (below 16 MiB), or -1. */
    public long bufferPhysical() {
        return buffer == null ? -1 : buffer.physical();
    }

    @Override
    public void remove() {
        if (playback != null) {
            try {
                stop();
            } catch (RuntimeException e) {
                // the channel is masked and the buffer freed either way
            }
        }
        isa.freeDma(dma8);
        isa.freeDma(dma16);
    }

    @Override
    public void reset() {
        resetDsp();
    }
}
