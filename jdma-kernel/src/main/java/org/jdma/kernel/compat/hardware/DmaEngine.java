package org.jdma.kernel.compat.hardware;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.drivers.memcpy.CompletedDescriptor;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.CopyRing;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.mm.DmaUseTracker;

/**
 * The {@code hardware} crate's {@code DmaEngine} (a 128-entry descriptor ring with
 * {@code submit}, {@code drain}, {@code submit_buffer}, {@code unmap_descriptor},
 * {@code unmap_iova} and a module singleton), as a thin adapter over the kernel's copy-engine ring
 * ({@link CopyRing}, the shared ring protocol in the engine's descriptor format) and the device's
 * DMA API ({@link DeviceDmaApi}): every device address it hands a descriptor comes from
 * {@code dma_map_single}, or from the crate's {@link IommuController} when one is given and
 * enabled, as the crate's {@code submit_buffer} used its controller singleton.
 *
 * <p>What the crate got wrong is fixed: {@link #submitBuffer} undoes its mapping when the ring is
 * full (the crate leaked it) and never maps into a controller that is not enabled; descriptors
 * carry device addresses, and the ring sits in coherent memory named by its device address.
 *
 * <p>Map only while in use (the crate's Warning 5, and "unmapping an IOVA while a transfer is in
 * flight causes data loss"): {@link #submit} refuses a descriptor whose buffer no live mapping of
 * the device covers ({@link DmaError.NotMapped}; a {@link #prepareDescriptorWithPhys raw physical
 * address} behind an IOMMU is exactly that), and {@link #unmapDescriptor}/{@link #unmapIova} of a
 * buffer a descriptor in flight names are refused ({@link DmaError.InUse}) until it is drained.
 * Mappings the crate's controller makes are recorded with the DMA layer so the engine may be
 * given them. {@link #submitUnchecked} is for fault injection.
 *
 * <p>Two ways to build one: on a {@link RingDevice} with a ring of its own (the crate's engine), or
 * {@link #over(CopyEngineDriver, DmaMemory) over a copy engine driver's ring}. Either way the
 * engine is a {@link DmaUseTracker} of its {@link DmaMemory}: a buffer named by a descriptor in
 * flight refuses to be freed.
 *
 * <p>Threads. An engine with a ring of its own is safe for any number of producer threads
 * ({@link #submit}, {@link #submitBuffer}) and draining threads ({@link #drain}) at once: its ring
 * is {@link CopyRing.Threads#SHARED} ({@link org.jdma.kernel.ring.MpmcSubmissionRing}), whose
 * slots are claimed by compare-and-set and published to the device in order, lock-free. What a
 * caller may rely on: every accepted descriptor reaches the device once, after every descriptor
 * accepted before it (the device runs them in that order); the descriptors one thread submits are
 * accepted in the order it submits them; every completed descriptor is drained by exactly one
 * thread, and one {@code drain} call returns consecutive descriptors, oldest first (their
 * {@link CompletedDescriptor#sequence()}s are consecutive), but calls on different threads
 * interleave in any way. A {@code submit} may return before the doorbell announced its
 * descriptors: another producer, or the one ringing the doorbell at that moment, announces them
 * as soon as every earlier slot is written. {@link #restart()} and {@link #close()} want every
 * producer and drainer stopped. An engine {@link #over(CopyEngineDriver, DmaMemory) over a
 * driver's ring} shares that ring with the driver and keeps its rule: the copy-engine driver runs
 * on one thread, so one producer and one consumer.
 */
public final class DmaEngine implements DmaUseTracker, AutoCloseable {

    public static final int DEFAULT_CAPACITY = CopyRing.DEFAULT_SLOTS;

    /** A mapping {@link #submitBuffer} made through the DMA API, until unmapped. */
    private record Mapped(long size) { }

    private final DeviceDmaApi dma;
    private final DmaMemory memory;
    private final CopyRing ring;
    private final boolean ownsRing;
    private final IommuController controller;
    private final Map<Long, Mapped> mapped = new HashMap<>();
    private volatile boolean closed;

    /** An engine of {@value #DEFAULT_CAPACITY} slots on {@code device}, addresses from {@code dma}. */
    public DmaEngine(DeviceDmaApi dma, DmaMemory memory, RingDevice device) {
        this(dma, memory, device, DEFAULT_CAPACITY, null);
    }

    /**
     * Allocates the ring (coherent memory from {@code dma}, shared by producer and draining
     * threads: see the class description), attaches {@code device} to it, and
     * registers the engine as a use tracker of {@code memory}. Descriptors carry 64-bit addresses,
     * so the device's streaming mask is set to 64 bits.
     *
     * @param controller the crate's IOMMU controller for {@link #submitBuffer}, or null
     */
    public DmaEngine(DeviceDmaApi dma, DmaMemory memory, RingDevice device, int capacity, IommuController controller) {
        this.dma = Objects.requireNonNull(dma, "dma");
        this.memory = Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(device, "device");
        if (!dma.setMask(DmaMask.BITS_64)) {
            throw new IllegalStateException(dma.device() + ": the platform refuses a 64-bit DMA mask");
        }
        this.ring = new CopyRing(dma, memory.cpu(), device, capacity, CopyRing.Threads.SHARED);
        this.ownsRing = true;
        this.controller = controller;
        memory.addUseTracker(this);
    }

    private DmaEngine(CopyEngineDriver driver, DmaMemory memory, IommuController controller) {
        this.dma = driver.dma();
        this.memory = Objects.requireNonNull(memory, "memory");
        this.ring = driver.ring();
        this.ownsRing = false;
        this.controller = controller;
        memory.addUseTracker(this);
    }

    /**
     * An engine over the ring of a copy engine driver: submissions go to the driver's ring (drain
     * them here or through the driver), addresses come from the driver's DMA API. Closing the
     * engine leaves the ring to the driver.
     */
    public static DmaEngine over(CopyEngineDriver driver, DmaMemory memory) {
        return new DmaEngine(driver, memory, null);
    }

    /** As {@link #over(CopyEngineDriver, DmaMemory)}, with the crate's IOMMU controller for {@link #submitBuffer}. */
    public static DmaEngine over(CopyEngineDriver driver, DmaMemory memory, IommuController controller) {
        return new DmaEngine(driver, memory, Objects.requireNonNull(controller, "controller"));
    }

    // ---- the crate's module-level singleton ----------------------------------------------------

    private static final Object SINGLETON_LOCK = new Object();
    private static volatile DmaEngine instance;

    /**
     * Creates the system engine ({@value #DEFAULT_CAPACITY} slots) unless one exists. Returns true
     * when this call created it; false when an engine was already there, which is kept (the crate's
     * {@code Once::set}: the first caller wins) and nothing is allocated.
     */
    public static boolean init(DeviceDmaApi dma, DmaMemory memory, RingDevice device) {
        synchronized (SINGLETON_LOCK) {
            if (instance != null) {
                return false;
            }
            instance = new DmaEngine(dma, memory, device);
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
     * The crate's {@code prepare_descriptor}: the buffer's physical address and length with
     * {@code flags} (a NOOP for the copy engine; see {@link Descriptor}). A physical address is a
     * device address only without an IOMMU; {@link #submitBuffer} gets a real one.
     */
    public Descriptor prepareDescriptor(DmaBuffer buffer, int flags) {
        return new Descriptor(buffer.physicalAddress(), buffer.length(), flags);
    }

    /** The crate's {@code prepare_descriptor_with_phys}: exactly these fields. */
    public Descriptor prepareDescriptorWithPhys(long phys, long length, int flags) {
        return new Descriptor(phys, length, flags);
    }

    public int submit(Descriptor... descriptors) {
        return submit(Arrays.asList(descriptors));
    }

    /**
     * Puts descriptors into the ring in order until it is full, then publishes them with one
     * doorbell. Returns how many were accepted: a prefix, 0 when the ring is full.
     *
     * @throws DmaException {@link DmaError.NotMapped} before anything is written, when a
     *         descriptor names a buffer no live mapping of the device covers
     * @throws IllegalArgumentException before anything is written, when a descriptor cannot be
     *         encoded (its length does not fit the engine's 32-bit size field)
     * @throws IllegalStateException when the engine is closed
     */
    public int submit(List<Descriptor> descriptors) {
        checkOpen();
        return ring.submit(descriptors);
    }

    /** Fault injection only: {@link #submit} without the map-only-while-in-use check (see {@link CopyRing#submitUnchecked(List)}). */
    public int submitUnchecked(Descriptor... descriptors) {
        return submitUnchecked(Arrays.asList(descriptors));
    }

    public int submitUnchecked(List<Descriptor> descriptors) {
        checkOpen();
        return ring.submitUnchecked(descriptors);
    }

    /**
     * The crate's {@code submit_buffer}: maps all of {@code buffer} for the device (aligned to
     * {@code align}; 0 = one page) and submits one descriptor naming the device address. The
     * address comes from the engine's {@link IommuController} when it is enabled, else from the
     * DMA API ({@code dma_map_single}, BIDIRECTIONAL: the crate's descriptor says nothing of a
     * direction).
     *
     * @return 1
     * @throws DmaException {@link DmaError.RingFull} when no slot is free (the mapping made for it
     *         has been undone); {@link DmaError.MappingFailed} when no device address could be
     *         made; {@link DmaError.AlignMismatch} when it is not aligned to {@code align}
     * @throws IllegalArgumentException when align is neither 0 nor a power of two
     */
    public int submitBuffer(DmaBuffer buffer, int flags, long align) {
        checkOpen();
        long a = effectiveAlignment(align);
        long deviceAddress = map(buffer, a);
        boolean accepted = false;
        try {
            accepted = ring.submit(new Descriptor(deviceAddress, buffer.length(), flags));
        } finally {
            if (!accepted) {
                unmapIova(deviceAddress);
            }
        }
        if (!accepted) {
            throw new DmaException(new DmaError.RingFull(ring.capacity() - 1));
        }
        return 1;
    }

    private long map(DmaBuffer buffer, long align) {
        if (buffer.isFreed()) {
            throw new IllegalStateException("cannot map a freed buffer: " + buffer);
        }
        if (controller != null && controller.isEnabled()) {
            long iova = controller.map(buffer, align);
            dma.inFlight().recordExternal(buffer.physicalAddress(), Math.max(buffer.length(), 1), iova, DmaDirection.BIDIRECTIONAL);
            return iova;
        }
        long size = Math.max(buffer.length(), 1);
        long address = dma.mapSingle(buffer.physicalAddress(), size, DmaDirection.BIDIRECTIONAL);
        if (dma.mappingError(address)) {
            throw new DmaException(new DmaError.MappingFailed(String.format("%s for %s", buffer, dma.device())));
        }
        if (address % align != 0) {
            dma.unmapSingle(address, size, DmaDirection.BIDIRECTIONAL);
            throw new DmaException(new DmaError.AlignMismatch(align, address));
        }
        synchronized (mapped) {
            mapped.put(address, new Mapped(size));
        }
        return address;
    }

    /**
     * Moves completed descriptors, oldest first, into {@code out} from index 0, up to its length;
     * stops at the first descriptor the device has not completed. Returns how many.
     */
    public int drain(CompletedDescriptor[] out) {
        checkOpen();
        return ring.drain(out);
    }

    /** Whether the descriptor with submission number {@code sequence} has completed. Read-only. */
    public boolean isComplete(long sequence) {
        return ring.isComplete(sequence);
    }

    /** The crate's {@code unmap_descriptor}: unmaps the descriptor's address as {@link #unmapIova} does. */
    public boolean unmapDescriptor(Descriptor descriptor) {
        return unmapIova(descriptor.address());
    }

    /**
     * The crate's {@code unmap_iova}: true iff {@link #submitBuffer} mapped something at exactly
     * this device address and it is unmapped now (through the controller or the DMA API that made
     * it); false for an address it did not map, or already unmapped.
     *
     * @throws DmaException {@link DmaError.InUse} (retryable) when a descriptor in flight names the
     *         mapping: nothing is unmapped; drain its completion, then unmap again
     */
    public boolean unmapIova(long deviceAddress) {
        synchronized (mapped) {
            Mapped m = mapped.get(deviceAddress);
            if (m != null) {
                dma.unmapSingle(deviceAddress, m.size(), DmaDirection.BIDIRECTIONAL); // refused while in flight: stays recorded
                mapped.remove(deviceAddress);
                return true;
            }
        }
        if (controller == null || !controller.isEnabled()) {
            return false;
        }
        dma.inFlight().removeExternal(deviceAddress);
        return controller.unmapIova(deviceAddress);
    }

    /** Checks an alignment argument and turns 0 into one page (the crate: {@code align == 0} means 4096). */
    static long effectiveAlignment(long align) {
        if (align == 0) {
            return 4096;
        }
        if (align < 0 || Long.bitCount(align) != 1) {
            throw new IllegalArgumentException("alignment must be 0 or a power of two, was " + align);
        }
        return align;
    }

    // ---- state ---------------------------------------------------------------------------------

    /** Number of slots N; at most N - 1 descriptors are in flight. */
    public int capacity() {
        return ring.capacity();
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
        return ring.head();
    }

    /** Consumer index: the slot the next drained descriptor comes from. */
    public int tail() {
        return ring.tail();
    }

    public long submittedCount() {
        return ring.submittedCount();
    }

    public long drainedCount() {
        return ring.drainedCount();
    }

    /** Where the CPU reaches the ring. */
    public long ringBase() {
        return ring.ringBase();
    }

    /** The ring's device address (an IOVA behind an IOMMU). */
    public long ringDeviceBase() {
        return ring.ringDeviceBase();
    }

    /** The DMA API the engine's addresses come from. */
    public DeviceDmaApi dma() {
        return dma;
    }

    /** Live mappings {@link #submitBuffer} made through the DMA API. */
    public int liveMappings() {
        synchronized (mapped) {
            return mapped.size();
        }
    }

    /** See {@link CopyRing#restart()}. */
    public List<Descriptor> restart() {
        checkOpen();
        return ring.restart();
    }

    /**
     * Stops tracking buffers and, when the ring is the engine's own, stops the device and frees the
     * ring. Mappings {@link #submitBuffer} made and nobody unmapped are unmapped, except those a
     * descriptor still in a driver's ring names (they go when the device is detached). Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        memory.removeUseTracker(this);
        if (ownsRing) {
            ring.close();
        }
        List<Long> left;
        synchronized (mapped) {
            left = List.copyOf(mapped.keySet());
        }
        for (long address : left) {
            try {
                unmapIova(address);
            } catch (DmaException e) {
                if (!(e.error() instanceof DmaError.InUse)) {
                    throw e;
                }
                // A descriptor in the driver's ring still names it: it stays mapped until the device is detached.
            }
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** A descriptor in flight that names any byte of physical [address, address + length). */
    @Override
    public Optional<String> useOf(long address, long length) {
        return ring.useOf(address, length);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("DMA engine is closed");
        }
    }
}
