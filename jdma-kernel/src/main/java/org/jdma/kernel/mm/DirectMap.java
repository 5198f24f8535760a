package org.jdma.kernel.mm;

/**
 * The kernel's direct map: every physical address {@code p} is visible to kernel code at virtual
 * address {@code PAGE_OFFSET + p}, as on Linux x86-64 (Documentation/arch/x86/x86_64/mm.rst,
 * 4-level paging: "ffff888000000000 | ... | 64 TB | direct mapping of all physical memory
 * (page_offset_base)"). There are no page tables to walk: the map is one addition.
 *
 * <p>It exists so that a buffer's virtual address and its physical address are different numbers,
 * as they are on real hardware, so that code mixing them up is caught.
 */
public final class DirectMap {
    private DirectMap() { }

    /** Linux x86-64 {@code page_offset_base} without KASLR. */
    public static final long PAGE_OFFSET = 0xFFFF_8880_0000_0000L;
    /** The direct map covers 64 TiB of physical address space. */
    public static final long SIZE = 1L << 46;

    public static long virtualOf(long physical) {
        if (physical < 0 || physical >= SIZE) {
            throw new IllegalArgumentException(String.format("physical address %#x is outside the 64 TiB direct map", physical));
        }
        return PAGE_OFFSET + physical;
    }

    public static long physicalOf(long virtual) {
        long p = virtual - PAGE_OFFSET;
        if (p < 0 || p >= SIZE) {
            throw new IllegalArgumentException(String.format("virtual address %#x is not in the direct map", virtual));
        }
        return p;
    }
}
