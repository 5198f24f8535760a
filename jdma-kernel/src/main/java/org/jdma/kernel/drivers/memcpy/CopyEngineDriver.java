package org.jdma.kernel.drivers.memcpy;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.kernel.engine.DeviceAddressing;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.engine.DmaEngine;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.engine.RingDevice;
import org.jdma.platform.Cpu;
import org.jdma.platform.Platform;
import org.jdma.platform.MemoryType;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.CopyEngineRegisters;
import org.jdma.platform.irq.Interrupts;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.platform.pci.PciFunction;

/**
 * Driver for the machine's copy engine (PCI 8086:0b25), built on a {@link DmaEngine} ring. It
 * programs the device only through MMIO and the ring in memory, as the datasheet
 * ({@link CopyEngineRegisters}) says:
 *
 * <ol>
 *   <li>reset (CONTROL.RESET, self-clearing);</li>
 *   <li>MSI-X: entry {@value #COMPLETION_ENTRY} raises a freshly allocated completion vector, entry
 *       {@value #ERROR_ENTRY} (when the table has two entries) an error vector; each entry is masked,
 *       written (address, upper address, data) and unmasked; ERR_INT_HANDLE names the error entry;</li>
 *   <li>ring: RING_BASE, RING_SIZE, then CONTROL = ENABLE | ERR_INT_EN;</li>
 *   <li>work: descriptors in the ring, SUBMIT_INDEX as doorbell.</li>
 * </ol>
 *
 * <p>Synchronous operations ({@link #copy}, {@link #fill}, {@link #compare}, {@link #execute})
 * submit one descriptor and wait, letting the machine run ({@code clock().runUntil}), in one of two
 * {@link CompletionMode}s: INTERRUPT (the descriptor asks for a completion interrupt; the handler
 * only counts, and the waiter looks at the completion record only after an interrupt arrived) or
 * POLLED (no interrupt; the waiter polls the completion status byte). Both give the same results.
 * Asynchronous use: {@link #submit} a batch, let the machine run, {@link #drain}.
 *
 * <p>Cache maintenance: {@link #copy}, {@link #fill} and {@link #compare} map their buffers
 * themselves, so on a CPU cache that DMA does not snoop they also do what the DMA API would do for
 * a dmaengine client (clean before the engine runs, invalidate what it wrote afterwards);
 * {@link #execute} takes already-mapped device addresses and leaves the cache to the caller.
 *
 * <p>Device-reported errors are results ({@link OpResult}), never exceptions. When the engine halts
 * the driver reports its ERROR register ({@link #status()}); {@link #resetAndEnable()} brings it back.
 *
 * <p>Threads: the driver runs on the thread that drives the machine's clock (interrupt handlers run
 * there too). A device running on its own thread is only supported for the asynchronous path.
 */
public final class CopyEngineDriver implements AutoCloseable {

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
        public static final Options DEFAULTS = new Options(DmaEngine.DEFAULT_CAPACITY, CompletionMode.INTERRUPT, 1_000_000_000L);

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

    /** The copy engines on the platform's PCI bus, in enumeration order. */
    public static List<PciFunction> find(Platform platform) {
        return platform.pciFunctions().stream().filter(CopyEngineDriver::isCopyEngine).toList();
    }

    public static boolean isCopyEngine(PciFunction f) {
        return f.vendorId() == CopyEngineRegisters.VENDOR_ID && f.deviceId() == CopyEngineRegisters.DEVICE_ID;
    }

    /** A driver for the first copy engine on the bus. */
    public static CopyEngineDriver open(Platform platform, DmaMemory memory, Options options) {
        List<PciFunction> engines = find(platform);
        if (engines.isEmpty()) {
            throw new NoSuchElementException(String.format("no copy engine (%04x:%04x) on the PCI bus",
                    CopyEngineRegisters.VENDOR_ID, CopyEngineRegisters.DEVICE_ID));
        }
        return new CopyEngineDriver(platform, engines.getFirst(), memory, options);
    }

    /**
     * A driver for the first copy engine on the bus whose DMA addresses come from
     * {@code addressing} (an IOMMU domain's, when the kernel's IOMMU translates for it).
     */
    public static CopyEngineDriver open(Platform platform, DmaMemory memory, Options options, DeviceAddressing addressing) {
        List<PciFunction> engines = find(platform);
        if (engines.isEmpty()) {
            throw new NoSuchElementException(String.format("no copy engine (%04x:%04x) on the PCI bus",
                    CopyEngineRegisters.VENDOR_ID, CopyEngineRegisters.DEVICE_ID));
        }
        return new CopyEngineDriver(platform, engines.getFirst(), memory, options, addressing);
    }

    private final Platform platform;
    private final Cpu cpu;
    private final PciFunction function;
    private final long bar;
    private final Options options;
    private final int maxTransferShift;
    private final int alignmentShift;
    private final int maxRingShift;
    private final int msixEntries;
    private final int errorEntry;
    private final Interrupts interrupts;
    private final int completionVector;
    private final int errorVector;
    private final DmaEngine engine;
    /** Where scatter-gather descriptor lists are allocated. */
    private final DmaMemory memory;
    /** Completions drained while waiting for a synchronous operation, kept for {@link #drain}. */
    private final ArrayDeque<CompletedDescriptor> backlog = new ArrayDeque<>();
    private final CompletedDescriptor[] drainBuffer;
    private volatile long completionInterrupts;
    private volatile long errorInterrupts;
    private boolean closed;

    public CopyEngineDriver(Platform platform, PciFunction function, DmaMemory memory, Options options) {
        this(platform, function, memory, options, DeviceAddressing.physical());
    }

    /**
     * As {@link #CopyEngineDriver(Platform, PciFunction, DmaMemory, Options)}, with the device
     * addresses of the ring, the completion records and every buffer taken from {@code addressing}
     * (behind an IOMMU: IOVAs of the device's domain).
     */
    public CopyEngineDriver(Platform platform, PciFunction function, DmaMemory memory, Options options,
                            DeviceAddressing addressing) {
        Objects.requireNonNull(addressing, "addressing");
        this.platform = Objects.requireNonNull(platform, "platform");
        this.function = Objects.requireNonNull(function, "function");
        this.options = Objects.requireNonNull(options, "options");
        if (!isCopyEngine(function)) {
            throw new IllegalArgumentException(String.format("%s (%04x:%04x) is not a copy engine (%04x:%04x)",
                    function.name(), function.vendorId(), function.deviceId(), CopyEngineRegisters.VENDOR_ID, CopyEngineRegisters.DEVICE_ID));
        }
        this.cpu = platform.cpu();
        this.bar = function.barBase();
        int version = read32(CopyEngineRegisters.VERSION);
        int major = (version >>> VERSION_MAJOR_SHIFT) & VERSION_MAJOR_MASK;
        if (major != SUPPORTED_MAJOR) {
            throw new IllegalStateException(String.format("%s: VERSION %#x has major %d; this driver knows major %d",
                    function.name(), version, major, SUPPORTED_MAJOR));
        }
        int cap = read32(CopyEngineRegisters.CAP);
        this.maxTransferShift = cap & CopyEngineRegisters.CAP_MAX_XFER_SHIFT_MASK;
        this.alignmentShift = (cap & CopyEngineRegisters.CAP_ALIGN_SHIFT_MASK) >>> CopyEngineRegisters.CAP_ALIGN_SHIFT_SHIFT;
        this.maxRingShift = (cap & CopyEngineRegisters.CAP_MAX_RING_SHIFT_MASK) >>> CopyEngineRegisters.CAP_MAX_RING_SHIFT_SHIFT;
        this.msixEntries = ((cap & CopyEngineRegisters.CAP_MSIX_SIZE_MASK) >>> CopyEngineRegisters.CAP_MSIX_SIZE_SHIFT) + 1;
        if (options.ringSlots() > (1 << maxRingShift)) {
            throw new IllegalArgumentException(String.format("%s: ring of %d slots exceeds the engine's maximum of %d (CAP %#x)",
                    function.name(), options.ringSlots(), 1 << maxRingShift, cap));
        }
        this.errorEntry = msixEntries > ERROR_ENTRY ? ERROR_ENTRY : COMPLETION_ENTRY;
        this.drainBuffer = new CompletedDescriptor[options.ringSlots()];

        resetDevice();
        this.interrupts = platform.interrupts();
        this.completionVector = interrupts.allocateVector();
        this.errorVector = errorEntry == COMPLETION_ENTRY ? completionVector : interrupts.allocateVector();
        interrupts.register(completionVector, v -> completionInterrupts++);
        if (errorVector != completionVector) {
            interrupts.register(errorVector, v -> errorInterrupts++);
        }
        programInterrupts();
        DmaEngine e;
        try {
            e = new DmaEngine(memory, new Channel(), options.ringSlots(), addressing);
        } catch (RuntimeException ex) {
            releaseVectors();
            throw ex;
        }
        this.engine = e;
        this.memory = memory;
    }

    // ---- synchronous operations ----------------------------------------------------------------

    /** Copies {@code length} bytes from {@code src} to {@code dst} and waits for the result. */
    public OpResult copy(DmaBuffer src, DmaBuffer dst, long length) {
        checkLength(src, length, "source");
        checkLength(dst, length, "destination");
        DeviceAddressing a = engine.addressing();
        long s = a.map(src, 0);
        long d = a.map(dst, 0);
        try {
            return executeMaintained(Descriptor.memmove(s, d, length),
                    src.physicalAddress(), length, dst.physicalAddress(), length);
        } finally {
            a.unmap(s);
            a.unmap(d);
        }
    }

    /** Fills {@code length} bytes of {@code dst} with the 8-byte little-endian {@code pattern} and waits. */
    public OpResult fill(DmaBuffer dst, long length, long pattern) {
        checkLength(dst, length, "destination");
        DeviceAddressing a = engine.addressing();
        long d = a.map(dst, 0);
        try {
            return executeMaintained(Descriptor.memfill(d, length, pattern), 0, 0, dst.physicalAddress(), length);
        } finally {
            a.unmap(d);
        }
    }

    /**
     * Compares {@code length} bytes of {@code first} and {@code second} and waits. The completion's
     * {@code result} is 1 when they differ, and {@code bytesCompleted} is then the offset of the
     * first difference.
     */
    public OpResult compare(DmaBuffer first, DmaBuffer second, long length) {
        checkLength(first, length, "first");
        checkLength(second, length, "second");
        DeviceAddressing a = engine.addressing();
        long f = a.map(first, 0);
        long s = a.map(second, 0);
        try {
            // Both buffers are only read: clean both, and after completion there is nothing to invalidate.
            cleanForDevice(second.physicalAddress(), length);
            return executeMaintained(Descriptor.compare(f, s, length), first.physicalAddress(), length, 0, 0);
        } finally {
            a.unmap(f);
            a.unmap(s);
        }
    }

    /**
     * Runs one descriptor, as given (addresses are device addresses), and waits for it in the
     * driver's completion mode (the INTERRUPT flag is set or cleared to match). Waiting for a free
     * slot, when the ring is full of asynchronous work, polls the oldest descriptor.
     *
     * <p>No cache maintenance: the addresses are device addresses of buffers the caller mapped,
     * and mapping (the DMA API's {@code dma_map_*} and {@code dma_sync_*}, here
     * {@link org.jdma.kernel.dma.DmaMappingLayer}) is where a Linux dmaengine client's buffers get
     * cleaned and invalidated; a dmaengine driver's {@code prep}/{@code issue_pending} never
     * touches the CPU cache. Doing it here as well would hide a caller's missing sync from the
     * coherency sanitizer ({@code DmaDebug}), whose job is to catch exactly that. The buffer
     * operations ({@link #copy}, {@link #fill}, {@link #compare}) map their buffers themselves and
     * so do the maintenance too.
     */
    public OpResult execute(Descriptor descriptor) {
        return submitAndWait(descriptor);
    }

    /**
     * {@link #submitAndWait} with the cache maintenance a Linux dmaengine client gets from the DMA
     * API ({@code dma_map_single}/{@code dma_unmap_single}) on a CPU cache that DMA does not snoop
     * (arm64 {@code arch_sync_dma_for_device}, {@code arch_sync_dma_for_cpu}):
     * <ul>
     *   <li>before the engine runs, the range it reads is cleaned, so it reads what the CPU wrote,
     *       and the range it writes is cleaned too (arm64 cleans for every direction at map time
     *       since Linux 5.19, commit c50f11c6196f: a dirty line written back later would overwrite
     *       the device's data, and an invalidate alone would throw away CPU bytes sharing a line);</li>
     *   <li>after the wait, whatever its outcome (the unmap happens either way), the range it wrote
     *       is invalidated, so the CPU's next reads miss the lines it had cached before and see
     *       the engine's bytes.</li>
     * </ul>
     * Lengths of 0 mean no such range. A coherent cache needs none of it.
     */
    private OpResult executeMaintained(Descriptor descriptor, long readPhys, long readLength,
                                       long writePhys, long writeLength) {
        cleanForDevice(readPhys, readLength);
        cleanForDevice(writePhys, writeLength);
        try {
            return submitAndWait(descriptor);
        } finally {
            if (!cpu.cache().coherent() && writeLength > 0) {
                cpu.cache().invalidate(writePhys, writeLength);
            }
        }
    }

    private void cleanForDevice(long phys, long length) {
        if (!cpu.cache().coherent() && length > 0) {
            cpu.cache().clean(phys, length);
        }
    }

    /** Submits one descriptor and waits for it (no cache maintenance). */
    private OpResult submitAndWait(Descriptor descriptor) {
        checkOpen();
        Descriptor d = options.mode() == CompletionMode.INTERRUPT
                ? descriptor.withFlags(descriptor.flags() | Descriptor.INTERRUPT)
                : descriptor.withFlags(descriptor.flags() & ~Descriptor.INTERRUPT);
        while (engine.isFull()) {
            if (reap() == 0) {
                long oldest = engine.drainedCount();
                if (!platform.clock().runUntil(() -> engine.isComplete(oldest), options.timeoutNs())) {
                    return notCompleted();
                }
            }
        }
        long sequence = engine.submittedCount();
        long irqsBefore = completionInterrupts;
        long errorsBefore = errorInterrupts;
        if (engine.submit(d) != 1) {
            throw new IllegalStateException("ring had a free slot but refused the descriptor");
        }
        long deadline = Math.addExact(platform.clock().now(), options.timeoutNs());
        while (true) {
            BooleanSupplier done = switch (options.mode()) {
                case POLLED -> () -> engine.isComplete(sequence);
                case INTERRUPT -> new InterruptWait(sequence, irqsBefore, errorsBefore);
            };
            platform.clock().runUntil(done, Math.max(0, deadline - platform.clock().now()));
            if (engine.isComplete(sequence)) {
                return new OpResult.Completed(reapThrough(sequence));
            }
            EngineStatus s = status();
            if (s.halted()) {
                return new OpResult.Halted(s);
            }
            if (platform.clock().now() >= deadline) {
                return new OpResult.TimedOut(options.timeoutNs(), s);
            }
            // Woken by an error interrupt for an error that did not halt the engine: wait on.
            irqsBefore = completionInterrupts;
            errorsBefore = errorInterrupts;
            if (engine.isComplete(sequence)) {
                return new OpResult.Completed(reapThrough(sequence));
            }
        }
    }

    /** Wakes the waiter only when an interrupt arrived: then (and only then) looks at the record. */
    private final class InterruptWait implements BooleanSupplier {
        private final long sequence;
        private final long errorsBefore;
        private long seen;

        InterruptWait(long sequence, long irqsBefore, long errorsBefore) {
            this.sequence = sequence;
            this.seen = irqsBefore;
            this.errorsBefore = errorsBefore;
        }

        @Override
        public boolean getAsBoolean() {
            if (errorInterrupts != errorsBefore) {
                return true;
            }
            long now = completionInterrupts;
            if (now == seen) {
                return false;
            }
            seen = now;
            return engine.isComplete(sequence);
        }
    }

    private OpResult notCompleted() {
        EngineStatus s = status();
        return s.halted() ? new OpResult.Halted(s) : new OpResult.TimedOut(options.timeoutNs(), s);
    }

    // ---- scatter-gather (checklist row 72) ------------------------------------------------------

    /**
     * Copies the device segments of {@code source} to those of {@code destination}, in order, as
     * one BATCH: one descriptor list in DMA memory, one doorbell, one completion (and, in
     * INTERRUPT mode, one interrupt). The segments are entries {@code 0..count-1}'s
     * {@link ScatterList.Entry#dmaAddress() dmaAddress}/{@link ScatterList.Entry#dmaLength() dmaLength},
     * with the count {@link DmaApi#mapSg} returned. The copy is cut wherever a segment of either
     * list ends, and wherever a piece would exceed {@link #maxTransferSize()}; each piece is one
     * MEMMOVE of the batch, with its own completion record in the list's buffer. A single piece is
     * submitted as a plain MEMMOVE (a batch holds at least two).
     *
     * <p>The result is the batch's: SUCCESS, or BATCH_FAIL when a piece failed (bytes completed =
     * pieces processed). After a {@link OpResult.TimedOut} or {@link OpResult.Halted} the list is
     * deliberately left allocated and mapped (leaked): the device may still read it, and freeing
     * memory a device may read is worse than losing a few frames.
     *
     * @throws IllegalArgumentException when a count is outside 1..size(), a segment is unmapped or
     *         empty, the two lists' totals differ, or the copy needs more than
     *         {@link CopyDescriptorLayout#MAX_BATCH_SIZE} pieces
     */
    public OpResult copySg(ScatterList source, int sourceCount, ScatterList destination, int destinationCount) {
        long[] src = segments(source, sourceCount, "source");
        long[] dst = segments(destination, destinationCount, "destination");
        if (total(src) != total(dst)) {
            throw new IllegalArgumentException(String.format(
                    "source segments hold %d bytes but destination segments hold %d", total(src), total(dst)));
        }
        return runPieces(pieces(src, dst));
    }

    /**
     * As {@link #copySg(ScatterList, int, ScatterList, int)}, to one contiguous destination of the
     * source's total length at device address {@code destination}.
     */
    public OpResult copySg(ScatterList source, int sourceCount, long destination) {
        long[] src = segments(source, sourceCount, "source");
        return runPieces(pieces(src, new long[] {destination, total(src)}));
    }

    /** Flattens the first {@code count} device segments into {address, length, address, length, ...}. */
    private static long[] segments(ScatterList sg, int count, String what) {
        Objects.requireNonNull(sg, what);
        if (count < 1 || count > sg.size()) {
            throw new IllegalArgumentException(String.format("%s count %d is outside 1..%d (the list's entries)", what, count, sg.size()));
        }
        long[] out = new long[2 * count];
        for (int i = 0; i < count; i++) {
            ScatterList.Entry e = sg.get(i);
            if (e.dmaAddress() == DmaApi.DMA_MAPPING_ERROR || e.dmaLength() <= 0) {
                throw new IllegalArgumentException(String.format("%s segment %d is not mapped (dma address %#x, length %d): map the list first",
                        what, i, e.dmaAddress(), e.dmaLength()));
            }
            out[2 * i] = e.dmaAddress();
            out[2 * i + 1] = e.dmaLength();
        }
        return out;
    }

    private static long total(long[] segs) {
        long t = 0;
        for (int i = 1; i < segs.length; i += 2) {
            t += segs[i];
        }
        return t;
    }

    /** MEMMOVEs covering both segment lists (equal totals), cut at every segment end of either and at the transfer limit. */
    private List<Descriptor> pieces(long[] src, long[] dst) {
        List<Descriptor> out = new ArrayList<>();
        int si = 0;
        int di = 0;
        long so = 0;
        long dof = 0;
        while (si < src.length && di < dst.length) {
            long n = Math.min(Math.min(src[si + 1] - so, dst[di + 1] - dof), maxTransferSize());
            out.add(Descriptor.memmove(src[si] + so, dst[di] + dof, n));
            so += n;
            dof += n;
            if (so == src[si + 1]) {
                si += 2;
                so = 0;
            }
            if (dof == dst[di + 1]) {
                di += 2;
                dof = 0;
            }
        }
        if (out.size() > CopyDescriptorLayout.MAX_BATCH_SIZE) {
            throw new IllegalArgumentException(String.format(
                    "the copy needs %d pieces; one batch holds at most %d", out.size(), CopyDescriptorLayout.MAX_BATCH_SIZE));
        }
        return out;
    }

    /** One piece as a plain descriptor; more as one BATCH whose list (and the pieces' records) lives in DMA memory. */
    private OpResult runPieces(List<Descriptor> pieces) {
        checkOpen();
        int n = pieces.size();
        if (n == 1) {
            return execute(pieces.getFirst());
        }
        long listBytes = (long) n * CopyDescriptorLayout.SIZE;
        DmaBuffer list = memory.allocate(listBytes + (long) n * CompletionRecordLayout.SIZE, CopyDescriptorLayout.DESC_LIST_ALIGN);
        // Shared with the device while the batch runs: uncached, as the ring is, so no cache maintenance is needed.
        cpu.cache().memoryType(list.physicalAddress(), list.length(), MemoryType.UNCACHED);
        DeviceAddressing a = engine.addressing();
        long listDevice;
        try {
            listDevice = a.map(list, CopyDescriptorLayout.DESC_LIST_ALIGN);
        } catch (RuntimeException e) {
            cpu.cache().memoryType(list.physicalAddress(), list.length(), MemoryType.WRITE_BACK);
            list.close();
            throw e;
        }
        byte[] bytes = new byte[(int) listBytes];
        MemorySegment seg = MemorySegment.ofArray(bytes);
        for (int i = 0; i < n; i++) {
            DescriptorCodec.encode(seg, (long) i * CopyDescriptorLayout.SIZE, pieces.get(i),
                    listDevice + listBytes + (long) i * CompletionRecordLayout.SIZE, COMPLETION_ENTRY);
        }
        list.write(0, bytes);
        OpResult r = execute(Descriptor.batch(listDevice, n));
        if (r instanceof OpResult.Completed) {
            a.unmap(listDevice);
            cpu.cache().memoryType(list.physicalAddress(), list.length(), MemoryType.WRITE_BACK);
            list.close();
        }
        return r;
    }

    // ---- asynchronous operations ---------------------------------------------------------------

    /** Submits a batch as given; returns how many were accepted (a prefix). See {@link DmaEngine#submit(List)}. */
    public int submit(List<Descriptor> descriptors) {
        checkOpen();
        return engine.submit(descriptors);
    }

    public int submit(Descriptor... descriptors) {
        return submit(Arrays.asList(descriptors));
    }

    /**
     * Completed descriptors of asynchronous submissions, oldest first, into {@code out} from index
     * 0. Does not let the machine run: call the clock first.
     */
    public int drain(CompletedDescriptor[] out) {
        checkOpen();
        int n = 0;
        while (n < out.length && !backlog.isEmpty()) {
            out[n++] = backlog.poll();
        }
        while (n < out.length) {
            int got = engine.drain(drainBuffer);
            if (got == 0) {
                break;
            }
            for (int i = 0; i < got; i++) {
                if (n < out.length) {
                    out[n++] = drainBuffer[i];
                } else {
                    backlog.add(drainBuffer[i]);
                }
            }
        }
        return n;
    }

    /** Drains everything completed into the backlog; returns how many. */
    private int reap() {
        int total = 0;
        int got;
        while ((got = engine.drain(drainBuffer)) > 0) {
            // One by one: addAll of a subList view allocates the view and copies it to an array first.
            for (int i = 0; i < got; i++) {
                backlog.add(drainBuffer[i]);
            }
            total += got;
        }
        return total;
    }

    /** Drains up to and including {@code sequence} (which has completed) and returns that one. */
    private CompletedDescriptor reapThrough(long sequence) {
        while (engine.drainedCount() <= sequence) {
            if (reap() == 0) {
                throw new IllegalStateException("descriptor " + sequence + " completed but could not be drained");
            }
        }
        for (var it = backlog.descendingIterator(); it.hasNext(); ) {
            CompletedDescriptor c = it.next();
            if (c.sequence() == sequence) {
                it.remove();
                return c;
            }
        }
        throw new IllegalStateException("descriptor " + sequence + " was drained by someone else");
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
        reap();
        resetDevice();
        programInterrupts();
        return engine.restart();
    }

    public DmaEngine engine() {
        return engine;
    }

    public PciFunction function() {
        return function;
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
        return completionInterrupts;
    }

    /** Error interrupts handled so far (0 when errors share the completion entry). */
    public long errorInterrupts() {
        return errorInterrupts;
    }

    public int completionVector() {
        return completionVector;
    }

    /** Disables the engine, frees the ring, masks the MSI-X entries and frees the vectors. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        engine.close();
        maskEntry(COMPLETION_ENTRY);
        maskEntry(errorEntry);
        releaseVectors();
    }

    // ---- register programming ------------------------------------------------------------------

    private void resetDevice() {
        write32(CopyEngineRegisters.CONTROL, CopyEngineRegisters.CONTROL_RESET);
        for (int i = 0; i < RESET_POLL_LIMIT; i++) {
            if ((read32(CopyEngineRegisters.CONTROL) & CopyEngineRegisters.CONTROL_RESET) == 0) {
                return;
            }
        }
        throw new IllegalStateException(function.name() + ": CONTROL.RESET did not clear after " + RESET_POLL_LIMIT + " reads; " + status());
    }

    private void programInterrupts() {
        programEntry(COMPLETION_ENTRY, interrupts.messageFor(completionVector));
        if (errorEntry != COMPLETION_ENTRY) {
            programEntry(errorEntry, interrupts.messageFor(errorVector));
        }
        write32(CopyEngineRegisters.ERR_INT_HANDLE, errorEntry);
    }

    /** PCI Local Bus Spec 3.0 §6.8.2: mask the entry while changing it, unmask last. */
    private void programEntry(int entry, MsiMessage message) {
        int base = CopyEngineRegisters.MSIX_TABLE + entry * CopyEngineRegisters.MSIX_ENTRY_SIZE;
        write32(base + CopyEngineRegisters.MSIX_VECTOR_CONTROL, CopyEngineRegisters.MSIX_VECTOR_MASKED);
        write32(base + CopyEngineRegisters.MSIX_ADDR_LO, (int) message.address());
        write32(base + CopyEngineRegisters.MSIX_ADDR_HI, (int) (message.address() >>> 32));
        write32(base + CopyEngineRegisters.MSIX_DATA, message.data());
        write32(base + CopyEngineRegisters.MSIX_VECTOR_CONTROL, 0);
    }

    private void maskEntry(int entry) {
        write32(CopyEngineRegisters.MSIX_TABLE + entry * CopyEngineRegisters.MSIX_ENTRY_SIZE
                + CopyEngineRegisters.MSIX_VECTOR_CONTROL, CopyEngineRegisters.MSIX_VECTOR_MASKED);
    }

    private void releaseVectors() {
        interrupts.freeVector(completionVector);
        if (errorVector != completionVector) {
            interrupts.freeVector(errorVector);
        }
    }

    /** The ring's view of the device: RING_BASE/RING_SIZE/CONTROL, the SUBMIT_INDEX doorbell. */
    private final class Channel implements RingDevice {
        @Override
        public void attach(long ringBase, int slots) {
            write64(CopyEngineRegisters.RING_BASE, ringBase);
            write32(CopyEngineRegisters.RING_SIZE, slots);
            write32(CopyEngineRegisters.CONTROL, CopyEngineRegisters.CONTROL_ENABLE | CopyEngineRegisters.CONTROL_ERR_INT_EN);
            EngineStatus s = status();
            if (!s.running()) {
                throw new IllegalStateException(String.format("%s did not start on a ring of %d slots at %#x: %s",
                        function.name(), slots, ringBase, s));
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

    private void checkLength(DmaBuffer b, long length, String what) {
        if (length < 0 || length > b.length()) {
            throw new IllegalArgumentException(String.format("%s buffer %s holds %d bytes; the operation asked for %d",
                    what, b, b.length(), length));
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(function.name() + ": driver is closed");
        }
    }

    private int read32(int offset) {
        return cpu.read32(bar + offset);
    }

    private long read64(int offset) {
        return cpu.read64(bar + offset);
    }

    private void write32(int offset, int value) {
        cpu.write32(bar + offset, value);
    }

    private void write64(int offset, long value) {
        cpu.write64(bar + offset, value);
    }
}
