package org.jdma.kernel.drivers.memcpy;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jdma.kernel.dma.CoherentAllocation;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaInFlight;
import org.jdma.kernel.dma.RingHolds;
import org.jdma.kernel.ring.CompletionTest;
import org.jdma.kernel.ring.MpmcSubmissionRing;
import org.jdma.kernel.ring.RingMemory;
import org.jdma.kernel.ring.SubmissionProtocol;
import org.jdma.kernel.ring.SubmissionRing;
import org.jdma.platform.Cpu;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CompletionStatus;

/**
 * The copy engine's descriptor ring: the shared ring protocol ({@link SubmissionRing}) in the
 * engine's own format ({@link CopyRingLayout}: 64-byte descriptors, then a 32-byte completion
 * record per slot), in one coherent allocation from the device's DMA API.
 *
 * <ul>
 *   <li>Submitting encodes each descriptor ({@link DescriptorCodec}) into its slot and clears the
 *       slot's completion record, with plain stores; the ring publishes the batch with one release
 *       and one SUBMIT_INDEX write ({@link Port#doorbell}).</li>
 *   <li>The engine writes a completion record's other fields first and its status byte last;
 *       draining reads the status byte with acquire, then the record, and clears the status before
 *       the slot is reused (the format's {@link CompletionTest}).</li>
 *   <li>Descriptors name their completion records by device address, so behind an IOMMU the
 *       engine reaches the ring and the records through the same IOVA range.</li>
 *   <li>Map only while in use ({@link RingHolds}, {@link DmaInFlight}): a ring in memory from the
 *       DMA API holds its own memory while it is open, and every descriptor's ranges
 *       ({@link Descriptor#namedRanges}) from submit until its completion is drained, so submit
 *       refuses a descriptor naming memory not mapped for the engine in the direction it is used
 *       ({@link DmaError.NotMapped}, nothing written), and an unmap of memory a descriptor in
 *       flight names is refused ({@link DmaError.InUse}). {@link #submitUnchecked} is the fault
 *       injector's way around the check.</li>
 * </ul>
 *
 * <p>Threads, chosen at construction ({@link Threads}): {@link Threads#SINGLE} is one producer and
 * one consumer at a time over {@link SubmissionRing}, allocation-free; {@link Threads#SHARED} is
 * any number of producer and draining threads over {@link MpmcSubmissionRing} (each call encodes,
 * decodes and stages its holds in scratch memory of its own, a few small objects). Either way the
 * descriptor kept per slot for {@link CompletedDescriptor#descriptor()} and the slot's holds are
 * stored before the slot is published. {@link #restart()} and {@link #close()} want every producer
 * and consumer stopped.
 */
public final class CopyRing implements AutoCloseable {

    /** The default ring: 128 slots. */
    public static final int DEFAULT_SLOTS = 128;

    /** Which threads may use the ring at once. */
    public enum Threads {
        /** One producer and one consumer at a time (they may be the same thread): no compare-and-set. */
        SINGLE,
        /** Any number of producer threads and of draining threads: slots claimed by compare-and-set, published in order. */
        SHARED
    }

    /** What the ring needs from the engine it feeds, and nothing more. */
    public interface Port {
        /** Points the engine at a ring of {@code slots} descriptors at device address {@code ringBase} and starts it; slot 0 first. */
        void attach(long ringBase, int slots);

        /** SUBMIT_INDEX: every slot before {@code producerIndex} (mod N) holds a descriptor. */
        void doorbell(int producerIndex);

        /** The MSI-X entry descriptors with {@link Descriptor#INTERRUPT} name. */
        int interruptHandle();

        /** Stops the engine fetching from or writing to the ring (before its memory is freed). */
        void detach();
    }

    private final Port port;
    private final int slots;
    /** The coherent allocation the ring owns and frees at close, or null when the caller owns the memory. */
    private final CoherentAllocation allocation;
    private final RingMemory memory;
    private final Threads threads;
    private final SubmissionProtocol ring;
    private final AtomicReferenceArray<Descriptor> inFlight;
    /** The mappings descriptors in flight hold; null for a ring in memory the caller owns (nothing to check against). */
    private final RingHolds holds;
    /** The engine's name in messages. */
    private final String owner;
    private final StatusByte status = new StatusByte();
    /** The one scratch of a {@link Threads#SINGLE} ring; null on a shared ring, whose calls make their own. */
    private final Scratch single;
    private volatile boolean closed;

    /**
     * Allocates the ring ({@link CopyRingLayout#bytes} of coherent memory, zeroed) from
     * {@code dma} and attaches the engine to it.
     *
     * @throws IllegalArgumentException when slots is not a power of two in
     *         [{@value CopyRingLayout#MIN_SLOTS}, {@value CopyRingLayout#MAX_SLOTS}]
     * @throws org.jdma.kernel.dma.DmaException when no coherent memory can be had
     */
    public CopyRing(DeviceDmaApi dma, Cpu cpu, Port port, int slots) {
        this(dma, cpu, port, slots, Threads.SINGLE);
    }

    /** As {@link #CopyRing(DeviceDmaApi, Cpu, Port, int)}, for the given {@code threads}. */
    public CopyRing(DeviceDmaApi dma, Cpu cpu, Port port, int slots, Threads threads) {
        this(Objects.requireNonNull(dma, "dma").allocCoherent(CopyRingLayout.bytes(CopyRingLayout.checkSlots(slots))), dma.inFlight(),
                cpu, port, slots, threads);
    }

    /**
     * A ring in memory the caller owns and keeps for the ring's life (it is not freed at close):
     * at least {@link CopyRingLayout#bytes} bytes, zeroed, shared with the engine (coherent).
     * The stress tests build rings this way, in memory both of whose access paths they drive.
     */
    public CopyRing(RingMemory memory, Port port, int slots) {
        this(memory, port, slots, Threads.SINGLE);
    }

    /** As {@link #CopyRing(RingMemory, Port, int)}, for the given {@code threads}. */
    public CopyRing(RingMemory memory, Port port, int slots, Threads threads) {
        this(null, null, Objects.requireNonNull(memory, "memory"), port, slots, threads);
    }

    private CopyRing(CoherentAllocation allocation, DmaInFlight inUse, Cpu cpu, Port port, int slots, Threads threads) {
        this(allocation, inUse, RingMemory.of(Objects.requireNonNull(cpu, "cpu"), allocation), port, slots, threads);
    }

    private CopyRing(CoherentAllocation allocation, DmaInFlight inUse, RingMemory memory, Port port, int slots, Threads threads) {
        this.port = Objects.requireNonNull(port, "port");
        this.threads = Objects.requireNonNull(threads, "threads");
        this.slots = CopyRingLayout.checkSlots(slots);
        if (memory.bytes() < CopyRingLayout.bytes(slots)) {
            throw new IllegalArgumentException(String.format("a ring of %d slots needs %d bytes; %s has %d",
                    slots, CopyRingLayout.bytes(slots), memory, memory.bytes()));
        }
        this.allocation = allocation;
        this.memory = memory;
        this.ring = switch (threads) {
            case SINGLE -> new SubmissionRing(memory, slots, port::doorbell);
            // A slot whose writer failed is published as a NOOP, which the engine completes harmlessly.
            case SHARED -> new MpmcSubmissionRing(memory, slots, port::doorbell,
                    (m, slot, sequence) -> writeSlot(m, slot, Descriptor.noop(), new Scratch()));
        };
        this.inFlight = new AtomicReferenceArray<>(slots);
        this.owner = inUse == null ? "copy engine" : inUse.device().toString();
        this.holds = inUse == null ? null : new RingHolds(inUse, slots, DESCRIPTOR_RANGES, this::describe);
        this.single = threads == Threads.SINGLE ? new Scratch() : null;
        try {
            if (holds != null) {
                holds.holdRing(memory.dmaAddress(), CopyRingLayout.bytes(slots));
            }
            port.attach(memory.dmaAddress(), slots);
        } catch (RuntimeException e) {
            if (holds != null) {
                holds.releaseAll(true);
            }
            if (allocation != null) {
                allocation.close();
            }
            throw e;
        }
    }

    // ---- producer ------------------------------------------------------------------------------

    /**
     * Puts descriptors into the ring in order until it is full, then publishes them with one
     * doorbell. Returns how many were accepted: always a prefix, 0 when the ring is full.
     *
     * @throws IllegalArgumentException before anything is written, naming the descriptor, when one
     *         cannot be encoded (its length does not fit the engine's 32-bit size field)
     * @throws NullPointerException naming the index of a null descriptor
     * @throws IllegalStateException when the ring is closed
     */
    public int submit(List<Descriptor> descriptors) {
        return submit(descriptors, true);
    }

    /**
     * Fault injection only: as {@link #submit(List)} without the map-only-while-in-use check, so a
     * test can hand the engine addresses nothing maps (the IOMMU-fault and attack scenarios). The
     * descriptors hold nothing, so nothing protects their memory while they run.
     */
    public int submitUnchecked(List<Descriptor> descriptors) {
        return submit(descriptors, false);
    }

    private int submit(List<Descriptor> descriptors, boolean check) {
        checkOpen();
        for (int i = 0; i < descriptors.size(); i++) {
            Descriptor d = descriptors.get(i);
            if (d == null) {
                throw new NullPointerException("descriptor " + i);
            }
            try {
                DescriptorCodec.checkEncodable(d);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("descriptor " + i + ": " + e.getMessage(), e);
            }
        }
        int n = descriptors.size();
        Scratch s = scratch();
        boolean holding = check && holds != null;
        if (holding) {
            for (int i = 0; i < n; i++) {
                stage(s.holds, i, descriptors.get(i), n);
            }
        }
        s.interruptHandle = port.interruptHandle();
        int accepted = 0;
        try {
            s.committing = holding;
            s.stagedCursor = 0;
            accepted = ring.submit(descriptors, 0, n, s.writer);
        } finally {
            s.committing = false;
            if (holding) {
                s.holds.releaseStaged(accepted, n - accepted);
            }
        }
        return accepted;
    }

    /** Most ranges one descriptor names: a source and a destination (the completion record lies in the ring, held as a whole). */
    private static final int DESCRIPTOR_RANGES = 2;

    /** Holds descriptor {@code i}'s ranges, or releases what earlier ones of the batch staged and throws naming it. */
    private void stage(RingHolds.Staging staging, int i, Descriptor d, int batch) {
        d.namedRanges(staging.ranges());
        try {
            staging.stage(i, ring.claimed() + i);
        } catch (DmaException e) {
            staging.releaseStaged(0, i);
            if (batch > 1 && e.error() instanceof DmaError.NotMapped m) {
                throw new DmaException(new DmaError.NotMapped(m.device(), "descriptor " + i + " (" + d.opcode() + "): " + m.field(),
                        m.address(), m.length(), m.reason()));
            }
            throw e;
        }
    }

    /** Who holds: the ring itself (tag -1) or the descriptor submitted as {@code sequence}. */
    private String describe(long sequence) {
        if (sequence < 0) {
            return "the descriptor ring of " + owner + " (the engine fetches from it while enabled)";
        }
        Descriptor d = inFlight.get(ring.slot(sequence));
        return String.format("the descriptor in ring slot %d of %s, sequence %d, %s", ring.slot(sequence), owner, sequence,
                d == null ? "(being written)" : d.opcode());
    }

    /**
     * One descriptor: true when the ring took it, false when full. Allocates nothing on a
     * single-producer ring. A single-producer ring has rung the doorbell when this
     * returns; a shared one has, or another producer will once every earlier slot is written.
     */
    public boolean submit(Descriptor descriptor) {
        return submit(descriptor, true);
    }

    /** Fault injection only: {@link #submit(Descriptor)} without the check (see {@link #submitUnchecked(List)}). */
    public boolean submitUnchecked(Descriptor descriptor) {
        return submit(descriptor, false);
    }

    private boolean submit(Descriptor descriptor, boolean check) {
        checkOpen();
        DescriptorCodec.checkEncodable(Objects.requireNonNull(descriptor, "descriptor"));
        Scratch s = scratch();
        boolean holding = check && holds != null;
        if (holding) {
            stage(s.holds, 0, descriptor, 1);
        }
        s.interruptHandle = port.interruptHandle();
        boolean accepted = false;
        try {
            s.committing = holding;
            s.stagedCursor = 0;
            accepted = ring.submitOne(descriptor, s.writer);
        } finally {
            s.committing = false;
            if (holding && !accepted) {
                s.holds.releaseStaged(0, 1);
            }
        }
        return accepted;
    }

    private void writeSlot(RingMemory m, int slot, Descriptor d, Scratch s) {
        // The record needs no clearing here: its status byte was cleared when the slot's last
        // completion was reaped (or the memory zeroed at attach and restart), and the engine writes
        // the whole record before it sets the status again.
        long record = CopyRingLayout.completionOffset(slots, slot);
        DescriptorCodec.encode(s.encode, 0, d, m.dmaAddressOf(record), s.interruptHandle);
        m.write(CopyRingLayout.descriptorOffset(slot), s.encode, 0, CopyRingLayout.DESCRIPTOR_SIZE);
        if (s.committing) {
            s.holds.commit(s.stagedCursor++, slot);
        }
        inFlight.setRelease(slot, d);
    }

    /**
     * The single-producer ring's scratch, or a fresh one per call on a shared ring. (Not a
     * ThreadLocal: its value would hold this ring, and so its own key, for as long as the thread
     * lives.)
     */
    private Scratch scratch() {
        return single != null ? single : new Scratch();
    }

    /** What one call encodes into and decodes from, stages its holds in, and where its drain puts descriptors. */
    private final class Scratch {
        final MemorySegment encode = MemorySegment.ofArray(new byte[CopyRingLayout.DESCRIPTOR_SIZE]);
        final MemorySegment record = MemorySegment.ofArray(new byte[CopyRingLayout.COMPLETION_SIZE]);
        final SubmissionRing.SlotWriter<Descriptor> writer = (m, slot, sequence, d) -> writeSlot(m, slot, d, this);
        final SubmissionRing.Reaper reaper = (m, slot, sequence) -> reapSlot(m, slot, sequence, this);
        /** This call's staged and reaped holds; null when the ring holds nothing. */
        final RingHolds.Staging holds = CopyRing.this.holds == null ? null : CopyRing.this.holds.staging();
        /** The MSI-X entry this call's descriptors name (the port's, read once per submit). */
        int interruptHandle;
        /** Whether the submission under way holds its descriptors, and which staged descriptor the writer commits next. */
        boolean committing;
        int stagedCursor;
        /** What the drain under way reaped (null until this scratch first drains). */
        CompletionView reaped;
        /** Whether a drain of this scratch is calling its handler (a drain from there would overwrite {@link #reaped}). */
        boolean delivering;

        /** The view a drain of up to {@code limit} reaps into, at most a ring's worth. */
        CompletionView reapedFor(int limit) {
            int need = Math.min(limit, slots);
            if (reaped == null || reaped.capacity() < need) {
                reaped = new CompletionView(this == single ? slots : need);
            }
            return reaped;
        }
    }

    // ---- consumer ------------------------------------------------------------------------------

    /**
     * Moves completed descriptors, oldest first, into {@code out} from index 0, up to its length;
     * stops at the first one the engine has not completed. Returns how many; {@code out} is
     * untouched past that count.
     */
    public int drain(CompletedDescriptor[] out) {
        checkOpen();
        Scratch s = scratch();
        requireNotDelivering(s);
        CompletionView view = s.reapedFor(out.length);
        int n = reap(s, view, out.length);
        for (int i = 0; i < n; i++) {
            view.moveTo(i);
            out[i] = view.toCompleted();
        }
        view.clear();
        return n;
    }

    /**
     * Reaps up to {@code limit} completed descriptors, oldest first, and shows each to
     * {@code handler} through a view that allocates nothing (on a single-producer ring). Every
     * descriptor reaped is shown once: when the handler throws, the rest are still shown, and the
     * first exception is rethrown afterwards (later ones suppressed). By the time the handler runs,
     * the descriptors' slots are free and their holds released, so it may unmap their buffers or
     * submit again; it may not drain this ring again.
     *
     * @return how many were reaped
     * @throws IllegalStateException when called from this ring's own drain handler
     */
    public int drain(CompletionView.Handler handler, int limit) {
        checkOpen();
        Objects.requireNonNull(handler, "handler");
        if (limit < 0) {
            throw new IllegalArgumentException("drain limit must not be negative, was " + limit);
        }
        Scratch s = scratch();
        requireNotDelivering(s);
        CompletionView view = s.reapedFor(limit);
        int n = reap(s, view, limit);
        Throwable failure = null;
        s.delivering = true;
        try {
            for (int i = 0; i < n; i++) {
                view.moveTo(i);
                try {
                    handler.completed(view);
                } catch (RuntimeException | Error e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        } finally {
            s.delivering = false;
            view.clear();
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        return n;
    }

    private static void requireNotDelivering(Scratch s) {
        if (s.delivering) {
            throw new IllegalStateException("drain called from this ring's own drain handler");
        }
    }

    /** Reaps up to {@code limit} into {@code view}, then releases their holds. */
    private int reap(Scratch s, CompletionView view, int limit) {
        try {
            return ring.reap(status, s.reaper, Math.min(limit, view.capacity()));
        } finally {
            if (s.holds != null) {
                s.holds.releaseReaped(); // the engine completed them; the tail has moved past them (shared: past this call's)
            }
        }
    }

    private void reapSlot(RingMemory m, int slot, long sequence, Scratch scratch) {
        // The status test read the status byte with acquire: the whole record is visible now, and
        // the engine does not write it again until the slot is reused.
        MemorySegment recordScratch = scratch.record;
        m.read(CopyRingLayout.completionOffset(slots, slot), recordScratch, 0, CopyRingLayout.COMPLETION_SIZE);
        if (scratch.holds != null) {
            scratch.holds.reaped(slot);
        }
        scratch.reaped.add(inFlight.getAcquire(slot), recordScratch, slot, sequence);
        inFlight.setRelease(slot, null);
    }

    /** The copy engine's completion marker: the record's status byte, cleared when the slot is reaped. */
    private final class StatusByte implements CompletionTest {
        @Override
        public boolean isComplete(RingMemory m, int slot, long sequence) {
            return m.readAcquire8(CopyRingLayout.completionOffset(slots, slot) + CompletionRecordLayout.STATUS)
                    != CompletionStatus.NONE.code();
        }

        @Override
        public void retire(RingMemory m, int slot, long sequence) {
            m.write8(CopyRingLayout.completionOffset(slots, slot) + CompletionRecordLayout.STATUS, CompletionStatus.NONE.code());
        }
    }

    /**
     * Whether the descriptor with submission number {@code sequence} has completed (its status is
     * written, or it has been drained). Read-only.
     */
    public boolean isComplete(long sequence) {
        return ring.isComplete(status, sequence);
    }

    // ---- life cycle ----------------------------------------------------------------------------

    /**
     * After the engine was reset: forgets every descriptor still in the ring (returned in
     * submission order so the caller can resubmit or report them), zeroes the ring memory, moves
     * both indexes to slot 0 (where a reset engine fetches next) and attaches the engine again.
     * Call with neither producer nor consumer running.
     */
    public List<Descriptor> restart() {
        checkOpen();
        long h = ring.claimed();
        long t = ring.restart();
        List<Descriptor> dropped = new ArrayList<>();
        for (long s = t; s < h; s++) {
            dropped.add(inFlight.getAndSet(ring.slot(s), null));
        }
        if (holds != null) {
            holds.releaseAll(false); // the reset engine no longer works on them
            if (single != null) {
                single.holds.releaseAll();
            }
        }
        memory.fill(0, memory.bytes(), (byte) 0);
        port.attach(memory.dmaAddress(), slots);
        return dropped;
    }

    /** Stops the engine and frees the ring's memory. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        port.detach();
        if (holds != null) {
            holds.releaseAll(true);
            if (single != null) {
                single.holds.releaseAll();
            }
        }
        if (allocation != null) {
            allocation.close();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * A descriptor between tail and head that names any byte of [address, address + length), as
     * a sentence, or empty. (Descriptors carry device addresses; the caller compares like with like.)
     */
    public Optional<String> useOf(long address, long length) {
        long t = ring.reaped();
        long h = ring.claimed();
        for (long s = t; s < h; s++) {
            Descriptor d = inFlight.getAcquire(ring.slot(s));
            if (d != null && d.touches(address, length)) {
                return Optional.of(String.format("descriptor #%d in slot %d (%s %#x, %d bytes) is still in flight",
                        s, ring.slot(s), d.opcode(), d.address(), d.length()));
            }
        }
        return Optional.empty();
    }

    // ---- state ---------------------------------------------------------------------------------

    /** Which threads may use the ring at once. */
    public Threads threads() {
        return threads;
    }

    /** Number of slots N; at most N - 1 descriptors are in flight. */
    public int capacity() {
        return slots;
    }

    /** Descriptors submitted and not yet drained. */
    public int size() {
        return ring.size();
    }

    public boolean isEmpty() {
        return ring.isEmpty();
    }

    public boolean isFull() {
        return ring.isFull();
    }

    /** Producer index: the slot the next submitted descriptor takes. */
    public int head() {
        return ring.headSlot();
    }

    /** Consumer index: the slot the next drained descriptor comes from. */
    public int tail() {
        return ring.tailSlot();
    }

    /** Descriptors submitted since the ring was made; also the sequence number of the next one. */
    public long submittedCount() {
        return ring.submitted();
    }

    /** Descriptors drained since the ring was made (counting those a restart dropped). */
    public long drainedCount() {
        return ring.reaped();
    }

    /** Where the CPU reaches the ring (slot 0's descriptor). */
    public long ringBase() {
        return memory.physical();
    }

    /** The ring's device address (RING_BASE): {@link #ringBase()}, or its IOVA behind an IOMMU. */
    public long ringDeviceBase() {
        return memory.dmaAddress();
    }

    /** The ring's memory. */
    public RingMemory memory() {
        return memory;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the copy engine's ring is closed");
        }
    }
}
