package org.jdma.kernel.drivers.isablock;

import static org.jdma.spec.isablock.IsaBlockPorts.*;

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
 * Reads and writes sectors of the floppy-like block device. The transfer buffer is a coherent
 * allocation under a 24-bit mask (served from ZONE_DMA, one block that never crosses 64 KiB);
 * each command programs the channel under the DMA lock (mode, address, count), starts the device
 * and waits for its interrupt, which comes at the channel's terminal count.
 */
public final class IsaBlockDriver implements DriverInstance {

    /** Sectors one command moves at most: the transfer buffer's size. */
    public static final int MAX_SECTORS = 8;
    /** How long a command may take before the driver gives up, ns (8 sectors at 500 kbit/s take 66 ms). */
    public static final long TIMEOUT_NS = 1_000_000_000L;

    /** What a failed command left: the device's error code and the bytes the channel did not move. */
    public static final class IsaBlockException extends RuntimeException {
        private final int error;
        private final long residue;

        IsaBlockException(String message, int error, long residue) {
            super(message);
            this.error = error;
            this.residue = residue;
        }

        public int error() { return error; }
        public long residue() { return residue; }
    }

    /** The registration for a device at ports {@code base} on {@code irq} and DMA channel {@code channel}: named "isablock". */
    public static Driver<IsaBlockDriver> driver(int base, int irq, int channel) {
        LegacyResources at = LegacyResources.of(PortRange.of(base, PORT_COUNT)).withIrq(irq).withDmaChannel(channel);
        return Driver.of("isablock", DeviceMatch.legacy(at), IsaBlockDriver::new);
    }

    private final DriverContext ctx;
    private final String name;
    private final IoPorts ports;
    private final IsaDma isa;
    private final int channel;
    private final CoherentAllocation buffer;
    private volatile boolean interrupted;
    private long interrupts;

    private IsaBlockDriver(DriverContext context) {
        this.ctx = context;
        this.name = context.name();
        this.ports = context.ports(0);
        this.channel = context.dmaChannels().getFirst();
        int status = ports.in8(STATUS);
        if (status == 0xFF) {
            throw new ProbeException(String.format("%s: no block device answers at %s (STATUS reads 0xff)", name, ports.range()));
        }
        this.isa = context.isaDma();
        isa.requestDma(channel, name);
        try {
            context.dma().setMaskAndCoherent(DmaMask.BITS_24);
            this.buffer = context.dma().allocCoherent((long) MAX_SECTORS * SECTOR_BYTES);
            context.requestIrq(LineTrigger.EDGE, vector -> {
                interrupts++;
                interrupted = true;
            });
        } catch (RuntimeException e) {
            isa.freeDma(channel);
            throw e;
        }
    }

    /** The transfer buffer's physical address (below 16 MiB). */
    public long bufferPhysical() {
        return buffer.physical();
    }

    /** Interrupts handled. */
    public long interrupts() {
        return interrupts;
    }

    /**
     * How a read moves: the 8237A's mode for the channel and the device's BURST (sectors it reads
     * ahead before it raises DREQ; 0, the floppy's way, one byte at a time).
     *
     * @param mode         {@link I8237Layout#MODE_SINGLE}, {@link I8237Layout#MODE_BLOCK} or {@link I8237Layout#MODE_DEMAND}
     * @param burstSectors 0..255; block mode needs the whole transfer buffered first
     */
    public record Transfer(int mode, int burstSectors) {
        /** Single mode, one byte per DREQ: what {@link #read(int, int, byte[])} does. */
        public static final Transfer FLOPPY = new Transfer(I8237Layout.MODE_SINGLE, 0);

        public Transfer {
            if (mode != I8237Layout.MODE_SINGLE && mode != I8237Layout.MODE_BLOCK && mode != I8237Layout.MODE_DEMAND
                    || burstSectors < 0 || burstSectors > 255) {
                throw new IllegalArgumentException(String.format("transfer: mode %#x (single, block or demand), burst %d sectors (0..255)",
                        mode, burstSectors));
            }
        }
    }

    /** Reads {@code count} sectors from {@code sector} into {@code into}. */
    public void read(int sector, int count, byte[] into) {
        read(sector, count, into, Transfer.FLOPPY);
    }

    /** Reads {@code count} sectors from {@code sector} into {@code into}, moved as {@code how} says. */
    public void read(int sector, int count, byte[] into, Transfer how) {
        int mode = IsaDma.DMA_MODE_READ & ~I8237Layout.MODE_SELECT_MASK | how.mode();
        ports.out8(BURST, how.burstSectors());
        try {
            run(CMD_READ, mode, sector, count);
        } finally {
            ports.out8(BURST, 0);
        }
        ctx.cpu().read(buffer.physical(), into);
    }

    /** Writes {@code count} sectors from {@code from} at {@code sector}. */
    public void write(int sector, int count, byte[] from) {
        ctx.cpu().write(buffer.physical(), from);
        run(CMD_WRITE, IsaDma.DMA_MODE_WRITE, sector, count);
    }

    private void run(int command, int mode, int sector, int count) {
        if (count < 1 || count > MAX_SECTORS || sector < 0 || sector > 0xFFFF) {
            throw new IllegalArgumentException(String.format("%s: %d sectors at %d; 1..%d sectors at 0..65535", name, count, sector, MAX_SECTORS));
        }
        long bytes = (long) count * SECTOR_BYTES;
        try (IsaDma.Lock l = isa.claimDmaLock()) {
            isa.disableDma(channel);
            isa.clearDmaFf(channel);
            isa.setDmaMode(channel, mode);
            isa.setDmaAddr(channel, buffer.dmaAddress());
            isa.setDmaCount(channel, bytes);
            isa.enableDma(channel);
        }
        interrupted = false;
        ports.out8(SECTOR_LO, sector & 0xFF);
        ports.out8(SECTOR_HI, sector >>> 8);
        ports.out8(COUNT, count);
        ports.out8(COMMAND, command);
        if (!ctx.clock().runUntil(() -> interrupted, TIMEOUT_NS)) {
            throw new IsaBlockException(name + ": no interrupt within " + TIMEOUT_NS + " ns", ERR_NONE, bytes);
        }
        int status = ports.in8(STATUS);
        int error = ports.in8(ERROR);
        ports.out8(COMMAND, CMD_ACK);
        if ((status & STATUS_ERROR) != 0) {
            long residue;
            try (IsaDma.Lock l = isa.claimDmaLock()) {
                isa.disableDma(channel);
                residue = isa.getDmaResidue(channel);
            }
            throw new IsaBlockException(String.format("%s: %s of %d sectors at %d failed: error %d, %d of %d bytes not moved",
                    name, command == CMD_READ ? "read" : "write", count, sector, error, residue, bytes), error, residue);
        }
    }

    /**
     * Masks the channel, gives it back and frees the transfer buffer (left to the kernel, the
     * checker would report it as a leak at detach); the kernel frees the line.
     */
    @Override
    public void remove() {
        try (IsaDma.Lock l = isa.claimDmaLock()) {
            isa.disableDma(channel);
        }
        if (isa.owner(channel) != null) {
            isa.freeDma(channel);
        }
        buffer.close();
    }

    @Override
    public void reset() {
        ports.out8(COMMAND, CMD_ACK);
    }
}
