package org.jdma.kernel.compat.hardware;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.jdma.kernel.mm.DmaUseTracker;
import org.jdma.kernel.drivers.memcpy.Descriptor;
/**
 * The {@code hardware} crate's DMA mapping table: up to {@value #MAX_MAPPINGS} virtual-to-physical ranges, with what
 * the crate lacked: overlapping and wrapping ranges are rejected, translation covers every byte of a
 * range and nothing past it, and {@link #unmap} frees the slot for reuse.
 *
 * <p>Thread safety: writers ({@link #map}, {@link #unmap}) serialise on the table and publish a
 * new immutable snapshot of the slots; readers ({@link #translate}, {@link #mappingCount}) read
 * the current snapshot without locking. There is no read-modify-write of a shared count (the crate
 * loaded and stored {@code count} separately, so two racing maps could take the same slot).
 *
 * <p>Addresses are compared as unsigned 64-bit numbers (kernel virtual addresses have the top bit
 * set).
 */
public final class MappingTable implements DmaUseTracker {

    public static final int MAX_MAPPINGS = 64;

    /** One range: virtual [virt, virt + size) maps to physical [phys, phys + size). */
    public record Mapping(long virt, long phys, long size) {
        boolean containsVirtual(long v) {
            return Long.compareUnsigned(v, virt) >= 0 && Long.compareUnsigned(v - virt, size) < 0;
        }
    }

    /** Slots; null = free. Replaced, never mutated, once published. */
    private volatile Mapping[] slots = new Mapping[MAX_MAPPINGS];

    /** An empty table. */
    public MappingTable() {
    }

    /**
     * Adds a mapping.
     *
     * @return true when added; false when all {@value #MAX_MAPPINGS} slots are taken (a retry after
     *         an unmap can succeed)
     * @throws IllegalArgumentException when size is not positive or either range wraps past 2^64
     * @throws IllegalStateException naming the existing mapping when the virtual range overlaps it
     */
    public synchronized boolean map(long virt, long phys, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("mapping size must be positive, was " + size);
        }
        if (wraps(virt, size)) {
            throw new IllegalArgumentException(String.format("virtual range [%#x, +%#x) wraps past 2^64", virt, size));
        }
        if (wraps(phys, size)) {
            throw new IllegalArgumentException(String.format("physical range [%#x, +%#x) wraps past 2^64", phys, size));
        }
        Mapping[] current = slots;
        int free = -1;
        for (int i = 0; i < current.length; i++) {
            Mapping m = current[i];
            if (m == null) {
                if (free < 0) {
                    free = i;
                }
            } else if (Descriptor.overlaps(virt, size, m.virt(), m.size())) {
                throw new IllegalStateException(String.format(
                        "virtual range [%#x, +%#x) overlaps the mapping [%#x, +%#x) -> %#x in slot %d",
                        virt, size, m.virt(), m.size(), m.phys(), i));
            }
        }
        if (free < 0) {
            return false;
        }
        Mapping[] next = current.clone();
        next[free] = new Mapping(virt, phys, size);
        slots = next;
        return true;
    }

    /**
     * Removes the mapping whose virtual range starts exactly at {@code virt}.
     *
     * @return true when one was removed
     */
    public synchronized boolean unmap(long virt) {
        Mapping[] current = slots;
        for (int i = 0; i < current.length; i++) {
            if (current[i] != null && current[i].virt() == virt) {
                Mapping[] next = current.clone();
                next[i] = null;
                slots = next;
                return true;
            }
        }
        return false;
    }

    /** The physical address of virtual {@code virt}: {@code phys + (virt - start)} of the mapping holding it. */
    public OptionalLong translate(long virt) {
        for (Mapping m : slots) {
            if (m != null && m.containsVirtual(virt)) {
                return OptionalLong.of(m.phys() + (virt - m.virt()));
            }
        }
        return OptionalLong.empty();
    }

    public int mappingCount() {
        int n = 0;
        for (Mapping m : slots) {
            if (m != null) {
                n++;
            }
        }
        return n;
    }

    /** The live mappings, in slot order. */
    public List<Mapping> mappings() {
        List<Mapping> out = new ArrayList<>();
        for (Mapping m : slots) {
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    /** A live mapping whose physical range overlaps [address, address + length) blocks freeing it. */
    @Override
    public Optional<String> useOf(long address, long length) {
        for (Mapping m : slots) {
            if (m != null && Descriptor.overlaps(m.phys(), m.size(), address, length)) {
                return Optional.of(String.format("the mapping [%#x, +%#x) -> %#x still covers it", m.virt(), m.size(), m.phys()));
            }
        }
        return Optional.empty();
    }

    private static boolean wraps(long start, long size) {
        return Long.compareUnsigned(start + size - 1, start) < 0;
    }
}
