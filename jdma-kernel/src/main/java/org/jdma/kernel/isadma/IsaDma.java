package org.jdma.kernel.isadma;

import static org.jdma.spec.i8237.I8237Layout.*;

import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.jdma.platform.Cpu;

/**
 * Linux's ISA DMA API over the two 8237As, in Linux's names (camel-cased): {@code request_dma},
 * {@code free_dma}, {@code claim_dma_lock}, {@code release_dma_lock}, {@code disable_dma},
 * {@code enable_dma}, {@code clear_dma_ff}, {@code set_dma_mode}, {@code set_dma_addr},
 * {@code set_dma_count}, {@code get_dma_residue}. A driver's sequence, as in Linux:
 *
 * <pre>{@code
 * try (IsaDma.Lock l = isa.claimDmaLock()) {
 *     isa.disableDma(ch);
 *     isa.clearDmaFf(ch);
 *     isa.setDmaMode(ch, IsaDma.DMA_MODE_READ);
 *     isa.setDmaAddr(ch, buffer);
 *     isa.setDmaCount(ch, bytes);
 *     isa.enableDma(ch);
 * }
 * }</pre>
 *
 * <p>At construction it does what the PC BIOS does before the OS runs: channel 4 in cascade mode
 * and unmasked, so the first controller's channels reach the bus; channel 4 is then held by
 * "cascade", as in Linux.
 */
public final class IsaDma {

    /** Device to memory, single mode (Linux {@code DMA_MODE_READ}: the 8237A's "write" type). */
    public static final int DMA_MODE_READ = MODE_SINGLE | MODE_TYPE_WRITE;
    /** Memory to device, single mode (Linux {@code DMA_MODE_WRITE}). */
    public static final int DMA_MODE_WRITE = MODE_SINGLE | MODE_TYPE_READ;
    /** Pass HRQ/HLDA through for a bus master (Linux {@code DMA_MODE_CASCADE}). */
    public static final int DMA_MODE_CASCADE = MODE_CASCADE;
    /** Reload at terminal count (Linux {@code DMA_AUTOINIT}). */
    public static final int DMA_AUTOINIT = MODE_AUTOINIT;
    /** The highest address an ISA DMA channel reaches (Linux {@code MAX_DMA_ADDRESS} - 1 on x86). */
    public static final long MAX_DMA_ADDRESS = 0xFF_FFFFL;

    /** The DMA lock, held with try-with-resources (Linux {@code claim_dma_lock}/{@code release_dma_lock}). */
    public final class Lock implements AutoCloseable {
        private Lock() { }

        @Override
        public void close() {
            releaseDmaLock();
        }
    }

    private final Cpu cpu;
    private final ReentrantLock lock = new ReentrantLock();
    private final String[] owners = new String[8];
    private final long[] addresses = new long[8];

    public IsaDma(Cpu cpu) {
        this.cpu = Objects.requireNonNull(cpu, "cpu");
        owners[CASCADE_CHANNEL] = "cascade";
        cpu.out8(registerPort(CASCADE_CHANNEL, REG_MODE), mode(CASCADE_CHANNEL, MODE_CASCADE, 0, false, false));
        cpu.out8(registerPort(CASCADE_CHANNEL, REG_SINGLE_MASK), CASCADE_CHANNEL & REQUEST_CHANNEL_MASK);
    }

    /**
     * Takes channel {@code ch} for {@code who} (Linux {@code request_dma}).
     *
     * @throws IllegalStateException when another holds it (Linux's -EBUSY), naming the holder
     */
    public synchronized void requestDma(int ch, String who) {
        checkChannel(ch);
        Objects.requireNonNull(who, "who");
        if (owners[ch] != null) {
            throw new IllegalStateException("request_dma: DMA channel " + ch + " is busy: " + owners[ch] + " holds it");
        }
        owners[ch] = who;
    }

    /** Gives channel {@code ch} back (Linux {@code free_dma}); freeing a free channel is refused, naming it. */
    public synchronized void freeDma(int ch) {
        checkChannel(ch);
        if (owners[ch] == null || ch == CASCADE_CHANNEL) {
            throw new IllegalStateException("free_dma: DMA channel " + ch + (ch == CASCADE_CHANNEL ? " is the cascade" : " is not held"));
        }
        owners[ch] = null;
    }

    /** Who holds channel {@code ch}, or null. */
    public synchronized String owner(int ch) {
        return owners[checkChannel(ch)];
    }

    /** Takes the DMA lock (Linux {@code claim_dma_lock}); close the result to release it. */
    public Lock claimDmaLock() {
        lock.lock();
        return new Lock();
    }

    /** Releases the DMA lock (Linux {@code release_dma_lock}). */
    public void releaseDmaLock() {
        lock.unlock();
    }

    /** Masks channel {@code ch} (Linux {@code disable_dma}). */
    public void disableDma(int ch) {
        out(ch, "disable_dma", registerPort(ch, REG_SINGLE_MASK), REQUEST_SET | ch & REQUEST_CHANNEL_MASK);
    }

    /** Unmasks channel {@code ch} (Linux {@code enable_dma}). */
    public void enableDma(int ch) {
        out(ch, "enable_dma", registerPort(ch, REG_SINGLE_MASK), ch & REQUEST_CHANNEL_MASK);
    }

    /** Clears the byte-pointer flip-flop of {@code ch}'s controller (Linux {@code clear_dma_ff}). */
    public void clearDmaFf(int ch) {
        out(ch, "clear_dma_ff", registerPort(ch, REG_CLEAR_FLIP_FLOP), 0);
    }

    /** Writes {@code mode} (DMA_MODE_READ/WRITE/CASCADE, optionally | DMA_AUTOINIT) for {@code ch} (Linux {@code set_dma_mode}). */
    public void setDmaMode(int ch, int mode) {
        out(ch, "set_dma_mode", registerPort(ch, REG_MODE), (mode & ~MODE_CHANNEL_MASK) | ch & MODE_CHANNEL_MASK);
    }

    /**
     * Sets the buffer's physical address: page register and address counter, shifted to words on
     * channels 5-7 (Linux {@code set_dma_addr}).
     *
     * @throws IllegalArgumentException naming the address when it lies above 16 MiB, or is odd on
     *         a 16-bit channel
     */
    public void setDmaAddr(int ch, long address) {
        requireLocked("set_dma_addr");
        if (address < 0 || address > MAX_DMA_ADDRESS) {
            throw new IllegalArgumentException(String.format("set_dma_addr: channel %d: address %#x is above 16 MiB; ISA DMA drives "
                    + "24 address bits", ch, address));
        }
        if (isWordChannel(ch) && (address & 1) != 0) {
            throw new IllegalArgumentException(String.format("set_dma_addr: channel %d moves words: address %#x is odd", ch, address));
        }
        addresses[ch] = address;
        cpu.out8(pagePort(ch), (int) (address >>> 16) & 0xFF);
        int a = (int) (isWordChannel(ch) ? address >>> 1 : address) & 0xFFFF;
        cpu.out8(addressPort(ch), a & 0xFF);
        cpu.out8(addressPort(ch), a >>> 8);
    }

    /**
     * Sets the transfer's length in bytes: count - 1 units (Linux {@code set_dma_count}).
     *
     * @throws IllegalArgumentException naming the address when [address, address + bytes) crosses
     *         the channel's 64 KiB (128 KiB) page or 16 MiB, or the length is not a whole number of
     *         units from 1 up to a page
     */
    public void setDmaCount(int ch, long bytes) {
        requireLocked("set_dma_count");
        long page = pageBytes(ch);
        int unit = unitBytes(ch);
        if (bytes < unit || bytes > page || bytes % unit != 0) {
            throw new IllegalArgumentException(String.format("set_dma_count: channel %d: %d bytes; a transfer is 1 to %d units of %d",
                    ch, bytes, page / unit, unit));
        }
        long start = addresses[ch];
        long last = start + bytes - 1;
        if (last > MAX_DMA_ADDRESS) {
            throw new IllegalArgumentException(String.format("set_dma_count: channel %d: buffer [%#x, %#x] reaches above 16 MiB",
                    ch, start, last));
        }
        if (start / page != last / page) {
            throw new IllegalArgumentException(String.format("set_dma_count: channel %d: buffer [%#x, %#x] crosses the %d KiB boundary "
                    + "at %#x; the address counter would wrap to %#x", ch, start, last, page >> 10, (last / page) * page, (start / page) * page));
        }
        int count = (int) (bytes / unit - 1);
        cpu.out8(countPort(ch), count & 0xFF);
        cpu.out8(countPort(ch), count >>> 8);
    }

    /** Bytes still to move on {@code ch}; 0 after terminal count (Linux {@code get_dma_residue}). */
    public long getDmaResidue(int ch) {
        requireLocked("get_dma_residue");
        int lo = cpu.in8(countPort(ch));
        int hi = cpu.in8(countPort(ch));
        int units = (lo | hi << 8) + 1 & 0xFFFF;
        return (long) units * unitBytes(ch);
    }

    /** The controller's STATUS (TC bits 3..0 cleared by the read), for drivers that poll it. */
    public int status(int ch) {
        requireLocked("status");
        return cpu.in8(registerPort(ch, REG_COMMAND_STATUS));
    }

    private void out(int ch, String call, int port, int value) {
        requireLocked(call);
        cpu.out8(port, value);
    }

    private void requireLocked(String call) {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException(call + " without the DMA lock: take claimDmaLock() first");
        }
    }
}
