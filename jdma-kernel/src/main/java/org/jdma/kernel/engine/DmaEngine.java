package org.jdma.kernel.engine;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.platform.Cpu;
import org.jdma.platform.MemoryType;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CompletionStatus;

import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaUseTracker;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.drivers.memcpy.DescriptorCodec;
import org.jdma.kernel.drivers.memcpy.CompletedDescriptor;
import org.jdma.kernel.drivers.memcpy.CopyRingLayout;
/**
 * Seed 000's DMA engine: a descriptor ring shared with a device, in DMA memory, in the device's
 * own format.
 *
 * <h2>Ring</h2>
 * {@code N} slots (default {@value #DEFAULT_CAPACITY}, any power of two from 2 to 2^16), laid out
 * by {@link CopyRingLayout}: a 64-byte descriptor and a 32-byte completion record per slot, in one block
 * of frames below 4 GiB. {@code head} is the producer index (next slot {@link #submit} fills),
 * {@code tail} the consumer index (next slot {@link #drain} reaps). The ring is
 * <em>empty</em> iff {@code head == tail} and <em>full</em> iff {@code (head + 1) % N == tail}: one
 * slot stays free to tell the two apart, so at most {@code N - 1} descriptors are in flight. A slot
 * is reusable only once drained, so the device's own fetch index always lies in [tail, head].
 * Internally head and tail are 64-bit sequence numbers (slot = sequence mod N); they never wrap.
 *
 * <h2>Publication and ordering</h2>
 * {@link #submit} writes each accepted descriptor (and clears its completion record) with plain
 * stores, then publishes the whole batch once: a release fence and one doorbell write of the new
 * producer index ({@link RingDevice#doorbell}, SUBMIT_INDEX on the copy engine). The device writes
 * a completion record's other fields first and its status byte last; {@link #drain} reads the
 * status byte with acquire ordering and only then the rest, so a non-zero status means the whole
 * record (and the data the descriptor moved) is visible. Drain clears the status before it hands
 * the slot back.
 *
 * <h2>Threads</h2>
 * Single producer, single consumer, as in the seed: one thread at a time calls {@link #submit}
 * (and {@link #submitBuffer}), one thread at a time calls {@link #drain}; they may be the same
 * thread or two different ones. head is written only by the producer (release) and tail only by
 * the consumer (release); each reads the other's with acquire. Several producers must serialise
 * themselves: this ring does not use compare-and-set (seed 000 bug 6: its documentation called the
 * same design "lock-free" multi-producer).
 *
 * <h2>Addresses</h2>
 * Descriptors carry device addresses. {@link #submitBuffer} obtains one through the engine's
 * {@link DeviceAddressing}: without an IOMMU ({@link DeviceAddressing#physical()}) that is the
 * physical address and {@link #unmapDescriptor}/{@link #unmapIova} return false. The ring block
 * (descriptors and completion records) is handed to the device by its device address too: when
 * the addressing translates (an IOMMU), the engine maps the ring block through it at creation and
 * unmaps it at {@link #close()}, and descriptors name their completion records by that address.
 */
public final class DmaEngine implements DmaUseTracker, AutoCloseable {

    public static final int DEFAULT_CAPACITY = 128;

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(DmaEngine.class, "head", long.class);
            TAIL = l.findVarHandle(DmaEngine.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final DmaMemory memory;
    private final Cpu cpu;
    private final RingDevice device;
    private final DeviceAddressing addressing;
    private final int slots;
    private final int indexMask;
    private final DmaBuffer ringMemory;
    private final long ringBase;
    /** The ring's address as the device sees it: ringBase, or its IOVA behind an IOMMU. */
    private final long ringDeviceBase;
    /** Whether the ring block was mapped through the addressing (and must be unmapped at close). */
    private final boolean ringMapped;
    private final AtomicReferenceArray<Descriptor> inFlight;

    /** Producer sequence: written by the producer with release. */
    @SuppressWarnings("unused")
    private long head;
    /** Consumer sequence: written by the consumer with release. */
    @SuppressWarnings("unused")
    private long tail;
    /** The producer's last view of tail; refreshed only when the ring looks full. */
    private long cachedTail;
    private final MemorySegment producerScratch = MemorySegment.ofArray(new byte[CopyRingLayout.DESCRIPTOR_SIZE]);
    private final MemorySegment consumerScratch = MemorySegment.ofArray(new byte[CopyRingLayout.COMPLETION_SIZE]);
    private volatile boolean closed;

    /** An engine with {@value #DEFAULT_CAPACITY} slots and physical addressing. */
    public DmaEngine(DmaMemory memory, RingDevice device) {
        this(memory, device, DEFAULT_CAPACITY, DeviceAddressing.physical());
    }

    /**
     * Allocates the ring (frames below 4 GiB, zeroed), registers the engine as a use tracker of
     * {@code memory} (so buffers with descriptors in flight refuse to be freed), and attaches the
     * device to the ring.
     */
    public DmaEngine(DmaMemory memory, RingDevice device, int capacity, DeviceAddressing addressing) {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.device = Objects.requireNonNull(device, "device");
        this.addressing = Objects.requireNonNull(addressing, "addressing");
        this.slots = CopyRingLayout.checkSlots(capacity);
        this.indexMask = capacity - 1;
        this.cpu = memory.cpu();
        this.ringMemory = memory.allocate(CopyRingLayout.bytes(capacity), FrameAllocator.FRAME_SIZE, DmaMemory.LIMIT_4GIB);
        this.ringBase = ringMemory.physicalAddress();
        // The ring and its completion records are shared with the device for the engine's whole
        // life: coherent memory. On a non-coherent machine that means uncached (as arm64 maps
        // dma_alloc_coherent memory Normal-NC); a coherent cache ignores the call.
        cpu.cache().memoryType(ringBase, ringMemory.length(), MemoryType.UNCACHED);
        this.inFlight = new AtomicReferenceArray<>(capacity);
        boolean mapRing = addressing.isEnabled() && addressing.translates();
        long deviceBase = ringBase;
        if (mapRing) {
            try {
                deviceBase = addressing.map(ringMemory, FrameAllocator.FRAME_SIZE);
            } catch (RuntimeException e) {
                cpu.cache().memoryType(ringBase, ringMemory.length(), MemoryType.WRITE_BACK);
                ringMemory.close();
                throw e;
            }
        }
        this.ringDeviceBase = deviceBase;
        this.ringMapped = mapRing;
        memory.addUseTracker(this);
        try {
            device.attach(ringDeviceBase, capacity);
        } catch (RuntimeException e) {
            memory.removeUseTracker(this);
            if (mapRing) {
                addressing.unmap(ringDeviceBase);
            }
            cpu.cache().memoryType(ringBase, ringMemory.length(), MemoryType.WRITE_BACK);
            ringMemory.close();
            throw e;
        }
    }

    // ---- the seed's module-level singleton -----------------------------------------------------

    private static final Object SINGLETON_LOCK = new Object();
    private static volatile DmaEngine instance;

    /**
     * Creates the system engine ({@value #DEFAULT_CAPACITY} slots, physical addressing) unless one
     * exists. Returns true when this call created it; false when an engine was already there, which
     * is kept (seed 000: {@code Once::set} — the first caller wins) and nothing is allocated.
     */
    public static boolean init(DmaMemory memory, RingDevice device) {
        synchronized (SINGLETON_LOCK) {
            if (instance != null) {
                return false;
            }
            instance = new DmaEngine(memory, device);
            return true;
        }
    }

    /** The system engine, if {@link #init} has run. */
    public static Optional<DmaEngine> get() {
        return Optional.ofNullable(instance);
    }

    /** Closes and forgets the system engine (kernel teardown). Returns false when there was none. */
    public static boolean shutdown() {
        synchronized (SINGLETON_LOCK) {
            DmaEngine e = instance;
            if (e == null) {
                return false;
            }
            instance = null;
            e.close();
            return true;
        }
    }

    // ---- descriptors ---------------------------------------------------------------------------

    /**
     * Seed 000's {@code prepare_descriptor}: the buffer's physical address and length with
     * {@code flags} (a NOOP for the copy engine; see {@link Descriptor}). Seed Warning 5: a
     * physical address is only right without an IOMMU; {@link #submitBuffer} gets a device address.
     */
    public Descriptor prepareDescriptor(DmaBuffer buffer, int flags) {
        return new Descriptor(buffer.physicalAddress(), buffer.length(), flags);
    }

    /** Seed 000's {@code prepare_descriptor_with_phys}: exactly these fields. */
    public Descriptor prepareDescriptorWithPhys(long phys, long length, int flags) {
        return new Descriptor(phys, length, flags);
    }

    public int submit(Descriptor... descriptors) {
        return submit(Arrays.asList(descriptors));
    }

    /**
     * Puts descriptors into the ring in order until it is full, then publishes them with one
     * doorbell. Returns how many were accepted: always a prefix of {@code descriptors} (submission
     * stops at the first descriptor that finds no free slot), 0 when the ring is full.
     *
     * @throws IllegalArgumentException, before anything is written, when a descriptor cannot be
     *         encoded (its length does not fit the device's 32-bit size field)
     * @throws IllegalStateException when the engine is closed
     */
    public int submit(List<Descriptor> descriptors) {
        checkOpen();
        for (int i = 0; i < descriptors.size(); i++) {
            Descriptor d = descriptors.get(i);
            if (d == null) {
                // Not requireNonNull(d, "descriptor " + i): that builds the message for every descriptor.
                throw new NullPointerException("descriptor " + i);
            }
            try {
                DescriptorCodec.checkEncodable(d);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("descriptor " + i + ": " + e.getMessage(), e);
            }
        }
        long h = (long) HEAD.getOpaque(this);
        int handle = device.interruptHandle();
        int accepted = 0;
        for (Descriptor d : descriptors) {
            if (h - cachedTail >= slots - 1) {
                cachedTail = (long) TAIL.getAcquire(this);
                if (h - cachedTail >= slots - 1) {
                    break;
                }
            }
            int slot = slot(h);
            long record = completionAddress(slot);
            cpu.fill(record, CopyRingLayout.COMPLETION_SIZE, (byte) 0);
            DescriptorCodec.encode(producerScratch, 0, d, ringDeviceBase + (record - ringBase), handle);
            cpu.write(descriptorAddress(slot), producerScratch, 0, CopyRingLayout.DESCRIPTOR_SIZE);
            inFlight.setRelease(slot, d);
            h++;
            accepted++;
        }
        if (accepted > 0) {
            HEAD.setRelease(this, h);
            // Orders every descriptor store above before the doorbell store (Linux: wmb() before
            // the MMIO write that rings it).
            VarHandle.releaseFence();
            device.doorbell(slot(h));
        }
        return accepted;
    }

    /**
     * Seed 000's {@code submit_buffer}: gets a device address for {@code buffer} (aligned to
     * {@code align}; 0 = one frame) from the engine's {@link DeviceAddressing}, and submits one
     * descriptor naming it. Without an IOMMU the address is the physical one.
     *
     * <p>An addressing that is not {@link DeviceAddressing#isEnabled() enabled} is bypassed: the
     * descriptor then carries the physical address.
     *
     * @return 1
     * @throws DmaException RING_FULL when no slot is free; the mapping made for it has been undone
     *         (seed 000 leaked it); MAPPING_FAILED or MISALIGNED from the addressing
     */
    public int submitBuffer(DmaBuffer buffer, int flags, long align) {
        checkOpen();
        DeviceAddressing a = liveAddressing();
        long deviceAddress = a.map(buffer, align);
        boolean accepted = false;
        try {
            accepted = submit(new Descriptor(deviceAddress, buffer.length(), flags)) == 1;
        } finally {
            if (!accepted) {
                a.unmap(deviceAddress);
            }
        }
        if (!accepted) {
            throw new DmaException(new DmaError.RingFull(slots - 1));
        }
        return 1;
    }

    /**
     * Moves completed descriptors, oldest first, into {@code out} from index 0, up to its length;
     * stops at the first descriptor the device has not completed. Returns how many; {@code out} is
     * untouched past that count (and entirely when nothing completed).
     */
    public int drain(CompletedDescriptor[] out) {
        checkOpen();
        long t = (long) TAIL.getOpaque(this);
        long h = (long) HEAD.getAcquire(this);
        int n = 0;
        while (n < out.length && t != h) {
            int slot = slot(t);
            long record = completionAddress(slot);
            int statusByte = cpu.read8Acquire(record + CompletionRecordLayout.STATUS);
            if (statusByte == CompletionStatus.NONE.code()) {
                break;
            }
            cpu.read(record, consumerScratch, 0, CopyRingLayout.COMPLETION_SIZE);
            DescriptorCodec.Completion c = DescriptorCodec.decodeCompletion(consumerScratch, 0);
            CompletionStatus status = CompletionStatus.fromStatusByte(statusByte);
            boolean error = status == null || status.isError();
            Descriptor d = inFlight.getAcquire(slot);
            Descriptor done = d.withFlags(d.flags() | Descriptor.DONE | (error ? Descriptor.ERROR : 0));
            out[n++] = new CompletedDescriptor(done, status, statusByte, c.bytesCompleted(), c.result(),
                    c.faultAddress(), slot, t);
            cpu.write8(record + CompletionRecordLayout.STATUS, CompletionStatus.NONE.code());
            inFlight.setRelease(slot, null);
            t++;
        }
        if (n > 0) {
            TAIL.setRelease(this, t);
        }
        return n;
    }

    /** Drains up to {@code max} completed descriptors into a list; returns how many were added. */
    public int drain(List<? super CompletedDescriptor> out, int max) {
        if (max <= 0) {
            return 0;
        }
        CompletedDescriptor[] buf = new CompletedDescriptor[Math.min(max, slots)];
        int n = drain(buf);
        out.addAll(Arrays.asList(buf).subList(0, n));
        return n;
    }

    /**
     * Whether the descriptor with submission number {@code sequence} has completed (its status is
     * written, or it has been drained). Read-only: does not drain.
     */
    public boolean isComplete(long sequence) {
        long h = (long) HEAD.getAcquire(this);
        if (sequence < 0 || sequence >= h) {
            throw new IllegalArgumentException("descriptor " + sequence + " has not been submitted (" + h + " so far)");
        }
        if (sequence < (long) TAIL.getAcquire(this)) {
            return true;
        }
        if (cpu.read8Acquire(completionAddress(slot(sequence)) + CompletionRecordLayout.STATUS) != CompletionStatus.NONE.code()) {
            return true;
        }
        // It may have been drained (and the slot cleared) between the two reads.
        return sequence < (long) TAIL.getAcquire(this);
    }

    /** Seed 000's {@code unmap_descriptor}: unmaps the descriptor's address as a device address. */
    public boolean unmapDescriptor(Descriptor descriptor) {
        return liveAddressing().unmap(descriptor.address());
    }

    /**
     * Seed 000's {@code unmap_iova}. Without an IOMMU there are no IOVAs and this returns false.
     */
    public boolean unmapIova(long iova) {
        return liveAddressing().unmap(iova);
    }

    /** The engine's addressing, or physical addressing while it is not enabled. */
    private DeviceAddressing liveAddressing() {
        return addressing.isEnabled() ? addressing : DeviceAddressing.physical();
    }

    // ---- state ---------------------------------------------------------------------------------

    /** Number of slots N; at most N - 1 descriptors are in flight. */
    public int capacity() {
        return slots;
    }

    /** Descriptors submitted and not yet drained. */
    public int size() {
        return (int) ((long) HEAD.getAcquire(this) - (long) TAIL.getAcquire(this));
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    public boolean isFull() {
        return size() == slots - 1;
    }

    /** Producer index: the slot the next submitted descriptor takes. */
    public int head() {
        return slot((long) HEAD.getAcquire(this));
    }

    /** Consumer index: the slot the next drained descriptor comes from. */
    public int tail() {
        return slot((long) TAIL.getAcquire(this));
    }

    /** Descriptors submitted since the engine was created; also the sequence number of the next one. */
    public long submittedCount() {
        return (long) HEAD.getAcquire(this);
    }

    /** Descriptors drained since the engine was created (counting those a restart dropped). */
    public long drainedCount() {
        return (long) TAIL.getAcquire(this);
    }

    /** Physical address of the ring block (slot 0's descriptor). */
    public long ringBase() {
        return ringBase;
    }

    /** The ring block's device address: {@link #ringBase()} or, behind an IOMMU, its IOVA. */
    public long ringDeviceBase() {
        return ringDeviceBase;
    }

    public DeviceAddressing addressing() {
        return addressing;
    }

    /**
     * After the device was reset: forgets every descriptor still in the ring (completed or not,
     * returned in submission order so the caller can resubmit or report them), zeroes the ring
     * memory, sets head and tail to slot 0 (where a reset device fetches next) and attaches the
     * device again. Call with neither producer nor consumer running.
     */
    public List<Descriptor> restart() {
        checkOpen();
        long t = (long) TAIL.getAcquire(this);
        long h = (long) HEAD.getAcquire(this);
        List<Descriptor> dropped = new ArrayList<>();
        for (long s = t; s < h; s++) {
            dropped.add(inFlight.getAndSet(slot(s), null));
        }
        cpu.fill(ringBase, CopyRingLayout.bytes(slots), (byte) 0);
        // Keep sequences monotonic; the next one lands on slot 0.
        long next = (h + indexMask) & ~(long) indexMask;
        cachedTail = next;
        TAIL.setRelease(this, next);
        HEAD.setRelease(this, next);
        device.attach(ringDeviceBase, slots);
        return dropped;
    }

    /** Stops the device, stops tracking buffers, and frees the ring. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        device.detach();
        memory.removeUseTracker(this);
        if (ringMapped) {
            addressing.unmap(ringDeviceBase);
        }
        cpu.cache().memoryType(ringBase, ringMemory.length(), MemoryType.WRITE_BACK);
        ringMemory.close();
    }

    public boolean isClosed() {
        return closed;
    }

    /** A descriptor between tail and head that names any byte of [address, address + length). */
    @Override
    public Optional<String> useOf(long address, long length) {
        long t = (long) TAIL.getAcquire(this);
        long h = (long) HEAD.getAcquire(this);
        for (long s = t; s < h; s++) {
            Descriptor d = inFlight.getAcquire(slot(s));
            if (d != null && d.touches(address, length)) {
                return Optional.of(String.format("descriptor #%d in slot %d (%s %#x, %d bytes) is still in flight",
                        s, slot(s), d.opcode(), d.address(), d.length()));
            }
        }
        return Optional.empty();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("DMA engine is closed");
        }
    }

    private int slot(long sequence) {
        return (int) (sequence & indexMask);
    }

    private long descriptorAddress(int slot) {
        return ringBase + CopyRingLayout.descriptorOffset(slot);
    }

    private long completionAddress(int slot) {
        return ringBase + CopyRingLayout.completionOffset(slots, slot);
    }
}
