package org.jdma.kernel.drivers.crc32;

import java.util.Objects;
import org.jdma.kernel.dma.CoherentAllocation;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.dma.StreamingMapping;
import org.jdma.kernel.driver.DeviceMatch;
import org.jdma.kernel.driver.Driver;
import org.jdma.kernel.driver.DriverContext;
import org.jdma.kernel.driver.DriverInstance;
import org.jdma.kernel.driver.InterruptVectors;
import org.jdma.kernel.driver.MmioWindow;
import org.jdma.kernel.driver.ProbeException;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.spec.crc32.Crc32Registers;

/**
 * Driver for the CRC-32 offload engine (PCI 1b36:00c5, datasheet {@link Crc32Registers}): the
 * example PCI driver of {@code docs/ADDING-A-DEVICE.md}. Everything goes through its
 * {@link DriverContext}. The probe:
 * <ol>
 *   <li>maps BAR0 and checks VERSION (major 1);</li>
 *   <li>sets a 64-bit DMA mask (SRC_ADDR and RESULT_ADDR are 64 bits) and enables bus mastering;</li>
 *   <li>allocates the 4-byte result slot as coherent memory: the engine writes it, the CPU reads
 *       it, no sync in between;</li>
 *   <li>takes one MSI-X vector (entry 0, raised when an operation ends) and counts its interrupts.</li>
 * </ol>
 * An operation ({@link #start}, then {@link Operation#await}): map the input TO_DEVICE with a
 * streaming mapping, write SRC_ADDR, LENGTH, RESULT_ADDR, then CONTROL = START | IRQ_EN; wait for
 * the vector; read STATUS and acknowledge it (write 1 to clear); read the checksum from the
 * coherent slot; unmap. The device orders its writes (result, then STATUS.DONE, then the MSI-X
 * message), so a driver that saw the interrupt sees both.
 *
 * <p>One operation at a time, on the thread that drives the machine (the interrupt handler runs
 * there too).
 */
public final class Crc32Driver implements DriverInstance {

    /** Virtual time an operation may take before it ends as {@link Crc32Result.Outcome#TIMED_OUT}: 10 ms. */
    public static final long TIMEOUT_NS = 10_000_000L;
    private static final int VERSION_MAJOR_SHIFT = 8;
    private static final int STATUS_ENDED = Crc32Registers.STATUS_DONE | Crc32Registers.STATUS_ERRORS;

    /** The driver's registration: named "crc" (its devices are crc0, crc1, ...), bound by PCI ids. */
    public static Driver<Crc32Driver> driver() {
        return Driver.of("crc", DeviceMatch.pciId(Crc32Registers.VENDOR_ID, Crc32Registers.DEVICE_ID), Crc32Driver::new);
    }

    private final DriverContext context;
    private final MmioWindow registers;
    private final DeviceDmaApi dma;
    private final CoherentAllocation result;
    private final InterruptVectors vectors;
    /** Completion interrupts so far; written by the handler, on the thread that runs the clock. */
    private long interrupts;
    private Operation pending;
    private boolean removed;

    private Crc32Driver(DriverContext context) {
        this.context = context;
        this.registers = context.mmio(0);
        int version = registers.read32(Crc32Registers.VERSION) & Crc32Registers.VERSION_MASK;
        if (version >>> VERSION_MAJOR_SHIFT != Crc32Registers.VERSION_VALUE >>> VERSION_MAJOR_SHIFT) {
            throw new ProbeException(String.format("%s: VERSION %#06x; this driver knows major %d",
                    context.name(), version, Crc32Registers.VERSION_VALUE >>> VERSION_MAJOR_SHIFT));
        }
        this.dma = context.dma();
        if (!dma.setMaskAndCoherent(DmaMask.BITS_64)) {
            throw new ProbeException(context.name() + ": the platform refuses a 64-bit DMA mask");
        }
        context.enableBusMaster();
        this.result = dma.allocCoherent(Crc32Registers.RESULT_SIZE);
        this.vectors = context.allocateVectors(Crc32Registers.MSIX_ENTRIES);
        vectors.onInterrupt(Crc32Registers.MSIX_DONE_ENTRY, v -> interrupts++);
    }

    /** Checksums the first {@code length} bytes of {@code buffer}: {@link #start}, then {@link Operation#await}. */
    public Crc32Result checksum(DmaBuffer buffer, long length) {
        return start(buffer, length).await();
    }

    /**
     * Starts checksumming the first {@code length} bytes of {@code buffer}. From here until
     * {@link Operation#await} returns, the device owns the buffer: the CPU must not write it.
     *
     * @throws IllegalStateException when an operation is pending, or the driver was removed
     * @throws IndexOutOfBoundsException when {@code length} is negative or beyond the buffer
     * @throws org.jdma.kernel.dma.DmaException when the buffer cannot be mapped for the device
     */
    public Operation start(DmaBuffer buffer, long length) {
        Objects.requireNonNull(buffer, "buffer");
        if (removed) {
            throw new IllegalStateException(context.name() + ": the driver was removed");
        }
        if (pending != null) {
            throw new IllegalStateException(context.name() + ": an operation is pending; await it first");
        }
        StreamingMapping input = dma.mapStreaming(buffer, length, DmaDirection.TO_DEVICE);
        pending = new Operation(input, interrupts);
        registers.write64(Crc32Registers.SRC_ADDR, input.dmaAddress());
        registers.write32(Crc32Registers.LENGTH, (int) length);
        registers.write64(Crc32Registers.RESULT_ADDR, result.dmaAddress());
        registers.write32(Crc32Registers.CONTROL, Crc32Registers.CONTROL_START | Crc32Registers.CONTROL_IRQ_EN);
        return pending;
    }

    /** An operation the device is working on. */
    public final class Operation {
        private final StreamingMapping input;
        private final long interruptsBefore;

        private Operation(StreamingMapping input, long interruptsBefore) {
            this.input = input;
            this.interruptsBefore = interruptsBefore;
        }

        /**
         * Lets the machine run until the operation's interrupt arrives (at most {@link #TIMEOUT_NS}),
         * then reads and acknowledges STATUS, takes the checksum and unmaps the input. After a
         * timeout the input stays mapped (the device may still read it) until the driver is removed.
         */
        public Crc32Result await() {
            if (pending != this) {
                throw new IllegalStateException(context.name() + ": this operation was awaited already");
            }
            pending = null;
            if (!context.clock().runUntil(() -> interrupts > interruptsBefore, TIMEOUT_NS)) {
                return new Crc32Result(Crc32Result.Outcome.TIMED_OUT, 0, 0);
            }
            int status = registers.read32(Crc32Registers.STATUS);
            registers.write32(Crc32Registers.STATUS, status & STATUS_ENDED);
            input.close();
            if ((status & Crc32Registers.STATUS_BAD_LENGTH) != 0) {
                return new Crc32Result(Crc32Result.Outcome.BAD_LENGTH, 0, 0);
            }
            if ((status & (Crc32Registers.STATUS_READ_FAULT | Crc32Registers.STATUS_WRITE_FAULT)) != 0) {
                Crc32Result.Outcome o = (status & Crc32Registers.STATUS_READ_FAULT) != 0
                        ? Crc32Result.Outcome.READ_FAULT : Crc32Result.Outcome.WRITE_FAULT;
                return new Crc32Result(o, 0, registers.read64(Crc32Registers.FAULT_ADDR));
            }
            return new Crc32Result(Crc32Result.Outcome.SUCCESS, context.cpu().read32(result.physical()), 0);
        }
    }

    /** Completion interrupts handled so far. */
    public long interrupts() {
        return interrupts;
    }

    /** The DMA API of the engine's device. */
    public DeviceDmaApi dma() {
        return dma;
    }

    public String name() {
        return context.name();
    }

    /** Clears CONTROL (no new interrupt) and frees the result slot; the kernel frees the vector. */
    @Override
    public void remove() {
        if (removed) {
            return;
        }
        removed = true;
        registers.write32(Crc32Registers.CONTROL, 0);
        result.close();
    }

    /**
     * The engine has no reset register: a pending operation is abandoned (its input stays mapped
     * until removal, as after a timeout), STATUS is acknowledged, CONTROL cleared.
     */
    @Override
    public void reset() {
        pending = null;
        registers.write32(Crc32Registers.CONTROL, 0);
        registers.write32(Crc32Registers.STATUS, Crc32Registers.STATUS_MASK);
    }
}
