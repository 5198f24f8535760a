package org.jdma.kernel.drivers.memcpy;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.kernel.driver.DeviceMatch;
import org.jdma.kernel.driver.Driver;
import org.jdma.kernel.driver.DriverContext;
import org.jdma.kernel.driver.DriverInstance;
import org.jdma.kernel.driver.InterruptVectors;
import org.jdma.kernel.driver.MmioWindow;
import org.jdma.kernel.driver.ProbeException;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.CopyEngineRegisters;
import org.jdma.spec.pci.RequesterId;

/**
 * Driver for the machine's copy engine (PCI 8086:0b25), registered with {@link #driver(Options)}
 * and bound by the kernel's driver core to every copy engine enumeration finds. It programs the
 * device only through its {@link DriverContext}: BAR0's registers as the datasheet
 * ({@link CopyEngineRegisters}) says, its MSI-X vectors, its ring in memory, and every device
 * address from its DMA API ({@link DeviceDmaApi}). The probe:
 *
 * <ol>
 *   <li>PCI: BAR0 mapped (Memory Space Enable), Bus Master Enable (the device reaches memory only then);</li>
 *   <li>VERSION (major 1) and CAP: transfer size, alignment, ring size, MSI-X table size;</li>
 *   <li>DMA masks: 64-bit streaming, 32-bit coherent (the ring and completion records stay below
 *       4 GiB when no IOMMU translates);</li>
 *   <li>reset (CONTROL.RESET, self-clearing);</li>
 *   <li>MSI-X from the context: entry {@value #COMPLETION_ENTRY} raises the completion vector,
 *       entry {@value #ERROR_ENTRY} (when the table has two entries) the error vector;
 *       ERR_INT_HANDLE names the error entry;</li>
 *   <li>ring ({@link CopyRing}, coherent memory): RING_BASE, RING_SIZE, then CONTROL = ENABLE | ERR_INT_EN.</li>
 * </ol>
 * Then work: descriptors in the ring, SUBMIT_INDEX as doorbell.
 *
 * <p>Synchronous operations ({@link #copy}, {@link #fill}, {@link #compare}, {@link #execute})
 * submit one descriptor and wait, letting the machine run ({@code clock().runUntil}), in one of two
 * {@link CompletionMode}s: INTERRUPT (the descriptor asks for a completion interrupt; the handler
 * only counts, and the waiter looks at the completion record only after an interrupt arrived) or
 * POLLED (no interrupt; the waiter polls the completion status byte). Both give the same results.
 * Asynchronous use: {@link #submit} a batch, let the machine run, {@link #drain}.
 *
 * <p>Buffers: {@link #copy}, {@link #fill} and {@link #compare} map their buffers with the DMA
 * API for the one transfer ({@code dma_map_single} with the direction the engine uses them in,
 * unmapped afterwards), so the mapping layer does the cache maintenance a non-coherent machine
 * needs and the checker sees every byte the engine touches. {@link #execute} takes device
 * addresses the caller mapped.
 *
 * <p>Map only while in use: every submission ({@link #execute}, {@link #submit}, and the buffer and
 * scatter-gather operations) is refused with a {@code DmaError.NotMapped} when a descriptor names
 * memory not mapped for the engine in the direction it uses it, and the mappings it names cannot be
 * unmapped until its completion is drained, the engine is reset or the driver removed (see
 * {@link CopyRing}). {@link #executeUnchecked} and {@link #submitUnchecked} are for fault injection.
 *
 * <p>Device-reported errors are results ({@link OpResult}), never exceptions. When the engine halts
 * the driver reports its ERROR register ({@link #status()}); {@link #resetAndEnable()} brings it
 * back.
 *
 * <p>Threads: the driver runs on the thread that drives the machine's clock (interrupt handlers run
 * there too). A device running on its own thread is only supported for the asynchronous path.
 */
public final class CopyEngineDriver implements DriverInstance {

    /** MSI-X table entry used for completion interrupts (the descriptors' interrupt handle). */
    public static final int COMPLETION_ENTRY = 0;
    /** MSI-X table entry used for the error interrupt, when the table has more than one entry. */
    public static final int ERROR_ENTRY = 1;
    /** MMIO reads to wait for CONTROL.RESET to clear before giving up. */
    private static final int RESET_POLL_LIMIT = 1_000;
    private static final int VERSION_MAJOR_SHIFT = 8;
    private static final int VERSION_MAJOR_MASK = 0xFF;
    private static final int SUPPORTED_MAJOR = CopyEngineRegisters.VERSION_VALUE >>> VERSION_MAJOR_SHIFT;

    /** How a synchronous operation learns that its descriptor completed. */
    public enum CompletionMode { INTERRUPT, POLLED }

    /**
     * @param ringSlots ring size, a power of two the engine's CAP allows
     * @param mode      completion mode of synchronous operations
     * @param timeoutNs virtual time a synchronous operation waits before it reports {@link OpResult.TimedOut}
     */
    public record Options(int ringSlots, CompletionMode mode, long timeoutNs) {
        public static final Options DEFAULTS = new Options(CopyRing.DEFAULT_SLOTS, CompletionMode.INTERRUPT, 1_000_000_000L);

        public Options {
            Objects.requireNonNull(mode, "mode");
            if (timeoutNs <= 0) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeoutNs + " ns");
            }
        }

        public Options withMode(CompletionMode m) {
            return new Options(ringSlots, m, timeoutNs);
        }

        public Options withRingSlots(int n) {
            return new Options(n, mode, timeoutNs);
        }
    }

    /** What the driver binds to: the copy engine's PCI ids. */
    public static final DeviceMatch MATCH = DeviceMatch.pciId(CopyEngineRegisters.VENDOR_ID, CopyEngineRegisters.DEVICE_ID);

    /** The driver's registration with default options: a 128-slot ring and interrupt-driven completion. */
    public static Driver<CopyEngineDriver> driver() {
        return driver(Options.DEFAULTS);
    }

    /**
     * The driver's registration with {@code options}: named "memcpy" (its devices are memcpy0,
     * memcpy1, ...), bound to every copy engine enumeration finds. Each engine's probe registers
     * its one DMA channel ("memcpy0chan0": memcpy, memset, compare, interrupt) with the kernel's
     * channel allocator.
     */
    public static Driver<CopyEngineDriver> driver(Options options) {
        Objects.requireNonNull(options, "options");
        return Driver.of("memcpy", MATCH, ctx -> {
            CopyEngineDriver d = new CopyEngineDriver(ctx, options);
            try {
                // One dmaengine channel per engine ("memcpy0chan0"), withdrawn by the kernel at unbind.
                ctx.registerDmaChannel(new CopyEngineChannel(d, ctx.clock()));
            } catch (RuntimeException e) {
                d.remove();
                throw e;
            }
            return d;
        });
    }

    private final MmioWindow registers;
    private final String name;
    private final Options options;
    private final DeviceDmaApi dma;
    private final int maxTransferShift;
    private final int alignmentShift;
    private final int maxRingShift;
    private final int msixEntries;
    private final int errorEntry;
    private final InterruptVectors vectors;
    private final CopyRing ring;
    private final CompletionWaiter completions;
    private final ScatterGatherCopy scatterGather;
    private final ChainCopy chains;
    private final BufferTransfers transfers;
    private boolean closed;

    /** The probe: everything through {@code context}, in the order of the class description. */
    private CopyEngineDriver(DriverContext context, Options options) {
        this.options = options;
        this.name = Objects.requireNonNull(context, "context").name();
        this.dma = context.dma();
        this.registers = context.mmio(0);
        if (registers.size() < CopyEngineRegisters.MSIX_TABLE) {
            throw new ProbeException(String.format("%s: BAR0 of %#x bytes is too small for the register file (%#x)",
                    name, registers.size(), CopyEngineRegisters.MSIX_TABLE));
        }
        context.enableBusMaster();
        int version = read32(CopyEngineRegisters.VERSION);
        int major = (version >>> VERSION_MAJOR_SHIFT) & VERSION_MAJOR_MASK;
        if (major != SUPPORTED_MAJOR) {
            throw new ProbeException(String.format("%s: VERSION %#x has major %d; this driver knows major %d",
                    name, version, major, SUPPORTED_MAJOR));
        }
        int cap = read32(CopyEngineRegisters.CAP);
        this.maxTransferShift = cap & CopyEngineRegisters.CAP_MAX_XFER_SHIFT_MASK;
        this.alignmentShift = (cap & CopyEngineRegisters.CAP_ALIGN_SHIFT_MASK) >>> CopyEngineRegisters.CAP_ALIGN_SHIFT_SHIFT;
        this.maxRingShift = (cap & CopyEngineRegisters.CAP_MAX_RING_SHIFT_MASK) >>> CopyEngineRegisters.CAP_MAX_RING_SHIFT_SHIFT;
        this.msixEntries = ((cap & CopyEngineRegisters.CAP_MSIX_SIZE_MASK) >>> CopyEngineRegisters.CAP_MSIX_SIZE_SHIFT) + 1;
        if (options.ringSlots() > (1 << maxRingShift)) {
            throw new IllegalArgumentException(String.format("%s: ring of %d slots exceeds the engine's maximum of %d (CAP %#x)",
                    name, options.ringSlots(), 1 << maxRingShift, cap));
        }
        this.errorEntry = msixEntries > ERROR_ENTRY ? ERROR_ENTRY : COMPLETION_ENTRY;
        // The engine drives 64 address bits; its ring stays below 4 GiB unless an IOMMU maps it.
        if (!dma.setMask(DmaMask.BITS_64) || !dma.setCoherentMask(DmaMask.BITS_32)) {
            throw new ProbeException(name + ": the platform refuses a 64-bit DMA mask and a 32-bit coherent mask");
        }

        resetDevice();
        // MSI-X entry 0 raises the completion vector, entry 1 (when there is one) the error vector.
        this.vectors = context.allocateVectors(errorEntry == COMPLETION_ENTRY ? 1 : 2);
        write32(CopyEngineRegisters.ERR_INT_HANDLE, errorEntry);
        this.ring = new CopyRing(dma, context.cpu(), new Channel(), options.ringSlots());
        this.completions = new CompletionWaiter(ring, context.clock(), options, this::status);
        vectors.onInterrupt(COMPLETION_ENTRY, v -> completions.completionInterrupt());
        if (errorEntry != COMPLETION_ENTRY) {
            vectors.onInterrupt(errorEntry, v -> completions.errorInterrupt());
        }
        this.scatterGather = new ScatterGatherCopy(dma, context.cpu(), maxTransferSize(), this::execute);
        this.chains = new ChainCopy(dma, context.cpu(), (cap & CopyEngineRegisters.CAP_CHAIN) != 0, this::execute);
        this.transfers = new BufferTransfers(dma, name, completions::submitAndWait);
    }

    // ---- synchronous operations ----------------------------------------------------------------

    /** Copies {@code length} bytes from {@code src} to {@code dst} and waits for the result. */
    public OpResult copy(DmaBuffer src, DmaBuffer dst, long length) {
        checkOpen();
        return transfers.copy(src, dst, length);
    }

    /** Fills {@code length} bytes of {@code dst} with the 8-byte little-endian {@code pattern} and waits. */
    public OpResult fill(DmaBuffer dst, long length, long pattern) {
        checkOpen();
        return transfers.fill(dst, length, pattern);
    }

    /**
     * Compares {@code length} bytes of {@code first} and {@code second} and waits. The completion's
     * {@code result} is 1 when they differ, and {@code bytesCompleted} is then the offset of the
     * first difference.
     */
    public OpResult compare(DmaBuffer first, DmaBuffer second, long length) {
        checkOpen();
        return transfers.compare(first, second, length);
    }

    /**
     * Runs one descriptor, as given (addresses are device addresses), and waits for it in the
     * driver's completion mode (the INTERRUPT flag is set or cleared to match). Waiting for a free
     * slot, when the ring is full of asynchronous work, polls the oldest descriptor.
     *
     * <p>No cache maintenance: the addresses are device addresses of buffers the caller mapped,
     * and mapping (the DMA API's {@code dma_map_*} and {@code dma_sync_*}) is where a Linux dmaengine
     * client's buffers get cleaned and invalidated; a dmaengine driver's {@code prep}/{@code
     * issue_pending} never touches the CPU cache. Doing it here as well would hide a caller's
     * missing sync from the coherency sanitizer ({@code DmaDebug}), whose job is to catch exactly
     * that.
     */
    public OpResult execute(Descriptor descriptor) {
        checkOpen();
        return completions.submitAndWait(descriptor);
    }

    /**
     * Fault injection only: {@link #execute} without the map-only-while-in-use check, so a test can
     * give the engine an address nothing maps for it (an IOMMU fault, an attack, a device-side
     * checker finding). Nothing holds the descriptor's memory while it runs.
     */
    public OpResult executeUnchecked(Descriptor descriptor) {
        checkOpen();
        return completions.submitAndWait(descriptor, false);
    }

    // ---- scatter-gather ------------------------------------------------------------------------

    /**
     * Copies the device segments of {@code source} to those of {@code destination}, in order, as
     * one BATCH: one descriptor list in coherent memory, one doorbell, one completion (and, in
     * INTERRUPT mode, one interrupt). The segments are entries {@code 0..count-1}'s
     * {@link ScatterList.Entry#dmaAddress() dmaAddress}/{@link ScatterList.Entry#dmaLength() dmaLength},
     * with the count {@link DmaApi#mapSg} returned. The copy is cut wherever a segment of either
     * list ends, and wherever a piece would exceed {@link #maxTransferSize()}; each piece is one
     * MEMMOVE of the batch, with its own completion record in the list's memory. A single piece is
     * submitted as a plain MEMMOVE (a batch holds at least two).
     *
     * <p>The result is the batch's: SUCCESS, or BATCH_FAIL when a piece failed (bytes completed =
     * pieces processed). After a {@link OpResult.TimedOut} or {@link OpResult.Halted} the list is
     * deliberately left allocated (leaked): the device may still read it.
     *
     * @throws IllegalArgumentException when a count is outside 1..size(), a segment is unmapped or
     *         empty, the two lists' totals differ, or the copy needs more than
     *         {@link CopyDescriptorLayout#MAX_BATCH_SIZE} pieces
     */
    public OpResult copySg(ScatterList source, int sourceCount, ScatterList destination, int destinationCount) {
        checkOpen();
        return scatterGather.copy(source, sourceCount, destination, destinationCount);
    }

    /**
     * As {@link #copySg(ScatterList, int, ScatterList, int)}, to one contiguous destination of the
     * source's total length at device address {@code destination}.
     */
    public OpResult copySg(ScatterList source, int sourceCount, long destination) {
        checkOpen();
        return scatterGather.copy(source, sourceCount, destination);
    }

    // ---- chains --------------------------------------------------------------------------------

    /**
     * Runs {@code links} (addresses are device addresses the caller mapped, as for
     * {@link #execute}) as one descriptor chain: the engine follows it through its DMA port, runs
     * the links in order, and writes one completion record (one interrupt in INTERRUPT mode) for
     * the chain. The last link must carry {@link Descriptor#LAST} and no other may: LAST ends the
     * chain. Links are NOOP, MEMMOVE, MEMFILL or COMPARE; a link's INTERRUPT flag is ignored.
     *
     * <p>The result is the chain's: SUCCESS with {@link CompletedDescriptor#bytesCompleted()} = the
     * number of links; or the first failing link's status (a page fault, a bad link), with
     * {@code bytesCompleted} = the links completed before it (its index), its fault address, and
     * in {@link CompletedDescriptor#chain()} its device address and the bytes it completed, so a
     * caller can resume. After a {@link OpResult.TimedOut} or {@link OpResult.Halted} the links are
     * left allocated (leaked): the device may still read them.
     *
     * @throws IllegalArgumentException when the list is empty or longer than
     *         {@link CopyDescriptorLayout#MAX_CHAIN_LINKS}, LAST is missing or misplaced, or a link is a
     *         BATCH, CHAIN or DRAIN or cannot be encoded
     * @throws DmaException {@link org.jdma.kernel.dma.DmaError.NotMapped} naming the link and field
     *         when a link's buffer is not mapped for the engine in the direction it is used; nothing
     *         is submitted then. While the chain runs its links' mappings are held: unmapping them
     *         is refused
     * @throws UnsupportedOperationException when the engine does not advertise CAP.CHAIN
     */
    public OpResult copyChain(List<Descriptor> links) {
        checkOpen();
        return chains.run(links, true);
    }

    /**
     * Fault injection only: {@link #copyChain} without checking that the links' buffers are mapped
     * for the engine, so a test can make a link fault in the device (as {@link #submitUnchecked}).
     */
    public OpResult copyChainUnchecked(List<Descriptor> links) {
        checkOpen();
        return chains.run(links, false);
    }

    /**
     * Submits a DRAIN and waits for it: it completes only after every descriptor submitted before
     * it (asynchronous work included) has completed and written its record.
     */
    public OpResult drainEngine() {
        checkOpen();
        return completions.submitAndWait(Descriptor.drain());
    }

    // ---- asynchronous operations ---------------------------------------------------------------

    /** Submits a batch as given; returns how many were accepted (a prefix). See {@link CopyRing#submit(List)}. */
    public int submit(List<Descriptor> descriptors) {
        checkOpen();
        return ring.submit(descriptors);
    }

    public int submit(Descriptor... descriptors) {
        return submit(Arrays.asList(descriptors));
    }

    /** Fault injection only: {@link #submit(List)} without the check (see {@link CopyRing#submitUnchecked(List)}). */
    public int submitUnchecked(List<Descriptor> descriptors) {
        checkOpen();
        return ring.submitUnchecked(descriptors);
    }

    public int submitUnchecked(Descriptor... descriptors) {
        return submitUnchecked(Arrays.asList(descriptors));
    }

    /**
     * Completed descriptors of asynchronous submissions, oldest first, into {@code out} from index
     * 0. Does not let the machine run: call the clock first.
     */
    public int drain(CompletedDescriptor[] out) {
        checkOpen();
        return completions.drain(out);
    }

    // ---- device state --------------------------------------------------------------------------

    /** Reads STATUS, ERROR, ERROR_ADDRESS, FETCH_INDEX and COMPLETED. */
    public EngineStatus status() {
        return new EngineStatus(read32(CopyEngineRegisters.STATUS), read32(CopyEngineRegisters.ERROR),
                read64(CopyEngineRegisters.ERROR_ADDRESS), read32(CopyEngineRegisters.FETCH_INDEX),
                read64(CopyEngineRegisters.COMPLETED));
    }

    /**
     * Resets the engine and enables it again: completions already written are kept for
     * {@link #drain}; descriptors it had not completed are dropped and returned (resubmit them if
     * wanted). Interrupt setup and the ring are programmed afresh.
     */
    public List<Descriptor> resetAndEnable() {
        checkOpen();
        completions.reap();
        resetDevice();
        vectors.restore();
        write32(CopyEngineRegisters.ERR_INT_HANDLE, errorEntry);
        List<Descriptor> dropped = ring.restart();
        transfers.retryDeferred(); // their descriptors were dropped: the buffers can be unmapped now
        return dropped;
    }

    /** {@link DriverInstance#reset()}: {@link #resetAndEnable()}, the dropped descriptors discarded. */
    @Override
    public void reset() {
        resetAndEnable();
    }

    /** The engine's descriptor ring. */
    public CopyRing ring() {
        return ring;
    }

    /** The DMA API of the engine's device: where every device address this driver uses comes from. */
    public DeviceDmaApi dma() {
        return dma;
    }

    /** The PCI function the driver drives (its requester id is also its DMA device's). */
    public RequesterId requester() {
        return dma.device().requester();
    }

    /** The driver instance's name ("memcpy0"), as Linux names dmaengine channels by instance. */
    public String name() {
        return name;
    }

    public Options options() {
        return options;
    }

    /** Largest transfer the engine accepts (CAP), bytes. */
    public long maxTransferSize() {
        return 1L << maxTransferShift;
    }

    /** Alignment the engine requires of data addresses (CAP), bytes. */
    public long requiredAlignment() {
        return 1L << alignmentShift;
    }

    /** Completion interrupts handled so far. */
    public long completionInterrupts() {
        return completions.completionInterrupts();
    }

    /** Error interrupts handled so far (0 when errors share the completion entry). */
    public long errorInterrupts() {
        return completions.errorInterrupts();
    }

    public int completionVector() {
        return vectors.vector(COMPLETION_ENTRY);
    }

    /**
     * Disables the engine and frees its ring; the kernel then masks the MSI-X entries, frees the
     * vectors and detaches the device from its DMA API (where the checker, when the kernel runs
     * one, reports mappings left live). Idempotent.
     */
    @Override
    public void remove() {
        if (closed) {
            return;
        }
        closed = true;
        ring.close();
        transfers.retryDeferred();
    }

    // ---- register programming ------------------------------------------------------------------

    private void resetDevice() {
        write32(CopyEngineRegisters.CONTROL, CopyEngineRegisters.CONTROL_RESET);
        for (int i = 0; i < RESET_POLL_LIMIT; i++) {
            if ((read32(CopyEngineRegisters.CONTROL) & CopyEngineRegisters.CONTROL_RESET) == 0) {
                return;
            }
        }
        throw new IllegalStateException(name + ": CONTROL.RESET did not clear after " + RESET_POLL_LIMIT + " reads; " + status());
    }

    /** The ring's view of the device: RING_BASE/RING_SIZE/CONTROL, the SUBMIT_INDEX doorbell. */
    private final class Channel implements CopyRing.Port {
        @Override
        public void attach(long ringBase, int slots) {
            write64(CopyEngineRegisters.RING_BASE, ringBase);
            write32(CopyEngineRegisters.RING_SIZE, slots);
            write32(CopyEngineRegisters.CONTROL, CopyEngineRegisters.CONTROL_ENABLE | CopyEngineRegisters.CONTROL_ERR_INT_EN);
            EngineStatus s = status();
            if (!s.running()) {
                throw new IllegalStateException(String.format("%s did not start on a ring of %d slots at %#x: %s",
                        name, slots, ringBase, s));
            }
        }

        @Override
        public void doorbell(int producerIndex) {
            write32(CopyEngineRegisters.SUBMIT_INDEX, producerIndex);
        }

        @Override
        public int interruptHandle() {
            return COMPLETION_ENTRY;
        }

        @Override
        public void detach() {
            write32(CopyEngineRegisters.CONTROL, 0);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(name + ": driver is closed");
        }
    }

    private int read32(int offset) {
        return registers.read32(offset);
    }

    private long read64(int offset) {
        return registers.read64(offset);
    }

    private void write32(int offset, int value) {
        registers.write32(offset, value);
    }

    private void write64(int offset, long value) {
        registers.write64(offset, value);
    }
}
