package org.jdma.kernel.dma;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.mm.DmaPins;
import org.jdma.kernel.mm.MappingHold;
import org.jdma.kernel.mm.RangeRefusal;

/**
 * Map only while in use, for one device: the service every ring driver uses so that a device is
 * only given addresses mapped for it, and a mapping does not go away while a descriptor that
 * names it is in flight.
 *
 * <ul>
 *   <li>Submit: the driver lists the ranges a descriptor names ({@link Ranges}: field, device
 *       address, length, the access the device makes) and {@link #hold}s them before the device
 *       can see the descriptor. Each range must lie inside one live mapping of the device (any
 *       backend: direct, bounced, IOMMU strict or lazy, identity, coherent, a scatterlist's device
 *       segments) whose direction allows the access; else a {@link DmaError.NotMapped} naming the
 *       field, the address and why, and nothing is held.</li>
 *   <li>Complete: the driver {@link #release}s a descriptor's holds when it reaps the completion,
 *       or all of its holds ({@link #releaseAll}) when it resets or stops the device.</li>
 *   <li>Unmap: while a hold is on a mapping, every way of unmapping it (single, page, sg, coherent
 *       free, and the seed API's unmaps) is refused with a {@link DmaError.InUse} naming the
 *       descriptor ({@link #inUse}); the mapping stays. A detach drops the device's holds with its
 *       mappings.</li>
 * </ul>
 *
 * The record is the memory's {@link DmaPins}, which the mapping layer keeps for every mapping
 * anyway; holds and unmaps meet under its lock, so a completion reaped on one thread and an unmap
 * on another cannot interleave. A DMA API that knows no memory ({@link DmaApi#memory()} empty)
 * has nothing to check against: then {@link #checks()} is false and every call does nothing.
 *
 * <p>Thread-safe. A {@link Ranges} belongs to one producer at a time.
 */
public final class DmaInFlight {

    /** Who holds mappings: describes one use (a descriptor) by its tag, only when a refusal names it. */
    @FunctionalInterface
    public interface User {
        /** E.g. "copy engine memcpy0 (00:03.0) ring slot 17, sequence 4113, MEMMOVE". */
        String describe(long tag);
    }

    /** Takes the ranges a descriptor names: field, device address, length, the access the device makes. */
    @FunctionalInterface
    public interface RangeSink {
        RangeSink add(String fieldName, long deviceAddress, long bytes, DmaDirection access);
    }

    /** The device-address ranges one descriptor names. Reusable ({@link #clear()}); allocates only to grow. */
    public static final class Ranges implements RangeSink {
        private long[] address = new long[4];
        private long[] length = new long[4];
        private int[] need = new int[4];
        private String[] field = new String[4];
        private int size;

        public Ranges clear() {
            size = 0;
            return this;
        }

        /**
         * Adds [address, address + length) (length 0 counts as one byte), named {@code field} in
         * messages, which the device accesses as {@code access} says: TO_DEVICE it reads,
         * FROM_DEVICE it writes, BIDIRECTIONAL both, NONE it only names (any live mapping will do).
         */
        @Override
        public Ranges add(String fieldName, long deviceAddress, long bytes, DmaDirection access) {
            if (bytes < 0) {
                throw new IllegalArgumentException(fieldName + ": length must not be negative, was " + bytes);
            }
            if (size == address.length) {
                int n = size * 2;
                address = Arrays.copyOf(address, n);
                length = Arrays.copyOf(length, n);
                need = Arrays.copyOf(need, n);
                field = Arrays.copyOf(field, n);
            }
            address[size] = deviceAddress;
            length[size] = bytes;
            need[size] = accessBits(Objects.requireNonNull(access, "access"));
            field[size] = Objects.requireNonNull(fieldName, "field");
            size++;
            return this;
        }

        public int size() {
            return size;
        }
    }

    private final DmaDevice device;
    private final DmaPins pins;

    DmaInFlight(DmaDevice device, Optional<DmaMemory> memory) {
        this.device = device;
        this.pins = memory.map(DmaMemory::pins).orElse(null);
    }

    /** Whether this device's addresses are checked (the DMA API knows its memory). */
    public boolean checks() {
        return pins != null;
    }

    /**
     * Holds every range of {@code r} for the use {@code tag} of {@code user}: hold ids go to
     * {@code ids[offset .. offset + r.size() - 1]}, to be given to {@link #release}.
     *
     * @throws DmaException {@link DmaError.NotMapped} naming the first range no live mapping of the
     *         device covers for its access; nothing is held then
     */
    public void hold(Ranges r, User user, long tag, long[] ids, int offset) {
        if (pins == null || r.size == 0) { // a NOOP names nothing: no need for the pins' lock
            Arrays.fill(ids, offset, offset + r.size, DmaPins.NO_HOLD);
            return;
        }
        RangeRefusal refusal = pins.hold(device, r.size, r.address, r.length, r.need, r.field, user, tag, ids, offset);
        if (refusal != null) {
            throw notMapped(r.field[refusal.index()], r.need[refusal.index()], refusal);
        }
    }

    /** As {@link #hold}, holding nothing: for a descriptor the device sees once and whose mappings the caller keeps. */
    public void check(Ranges r) {
        if (pins == null) {
            return;
        }
        RangeRefusal refusal = pins.check(device, r.size, r.address, r.length, r.need);
        if (refusal != null) {
            throw notMapped(r.field[refusal.index()], r.need[refusal.index()], refusal);
        }
    }

    /** Releases the holds {@code ids[offset .. offset + n - 1]} (the completion was reaped); sets them to {@link DmaPins#NO_HOLD}. */
    public void release(long[] ids, int offset, int n) {
        if (pins != null && anyHeld(ids, offset, n)) {
            pins.release(ids, offset, n);
        }
    }

    /** Whether a hold id is among {@code ids[offset .. offset + n - 1]} (descriptors that name nothing leave none). */
    private static boolean anyHeld(long[] ids, int offset, int n) {
        for (int i = offset; i < offset + n; i++) {
            if (ids[i] != DmaPins.NO_HOLD) {
                return true;
            }
        }
        return false;
    }

    /** Releases every hold {@code user} has on this device's mappings (the device was reset or stopped); returns how many. */
    public int releaseAll(User user) {
        return pins == null ? 0 : pins.releaseAll(device, user);
    }

    public DmaDevice device() {
        return device;
    }

    /** {@link org.jdma.kernel.mm.LiveMapping#kind()} of a mapping made outside the DMA API ({@link #recordExternal}). */
    public static final String EXTERNAL = "external";

    /**
     * Records a mapping made for the device outside the DMA API (the {@code hardware} crate's IOMMU
     * controller programs the domain itself): the device may then be given
     * [dmaAddress, dmaAddress + length), and the CPU-side bytes are pinned as any mapping's.
     * {@link #removeExternal} undoes it.
     */
    public void recordExternal(long physical, long length, long dmaAddress, DmaDirection direction) {
        if (pins != null) {
            pins.pin(physical, length, device, dmaAddress, DmaDirection.requireMappable(direction), accessBits(direction), EXTERNAL);
        }
    }

    /**
     * Forgets an {@link #recordExternal external} mapping before its maker unmaps it.
     *
     * @throws DmaException {@link DmaError.InUse} when a descriptor in flight holds it (it stays recorded)
     */
    public void removeExternal(long dmaAddress) {
        MappingHold held = pins == null ? null : pins.unpin(device, dmaAddress, EXTERNAL, 1);
        if (held != null) {
            throw inUse(device, held);
        }
    }

    /** The exception an unmap of {@code device}'s mapping refused because of {@code hold} throws: the layer's and the checker's. */
    public static DmaException inUse(DmaDevice device, MappingHold hold) {
        String use = hold.user() instanceof User u ? u.describe(hold.tag()) : String.valueOf(hold.user());
        return new DmaException(new DmaError.InUse(device.name(), hold.mapping().busAddress(), use + " " + hold.field(),
                hold.busAddress(), hold.length()));
    }

    static int accessBits(DmaDirection d) {
        return (d.deviceReads() ? DmaPins.DEVICE_READS : 0) | (d.deviceWrites() ? DmaPins.DEVICE_WRITES : 0);
    }

    private DmaException notMapped(String field, int need, RangeRefusal r) {
        String why = switch (r.reason()) {
            case NOT_MAPPED -> String.format("is not mapped for %s: no live mapping of the device covers %#x", device.name(), r.busAddress());
            case WRONG_DIRECTION -> String.format("lies in a mapping the device may not %s: %s", verb(need), r.mapping());
            case PAST_END -> String.format("runs past the end of the mapping [%#x, +%#x) by %#x bytes: %s", r.mapping().busFirst(),
                    r.mapping().busLength(), r.busAddress() + r.length() - r.mapping().busFirst() - r.mapping().busLength(), r.mapping());
        };
        return new DmaException(new DmaError.NotMapped(device.name(), field, r.busAddress(), r.length(), why));
    }

    private static String verb(int need) {
        return switch (need) {
            case DmaPins.DEVICE_READS -> "read";
            case DmaPins.DEVICE_WRITES -> "write";
            default -> "read and write";
        };
    }
}
