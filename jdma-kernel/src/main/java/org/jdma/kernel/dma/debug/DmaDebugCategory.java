package org.jdma.kernel.dma.debug;

/**
 * What a {@link DmaDebugReport} is about. The first 24 are Linux dma-debug's checks
 * ({@code kernel/dma/debug.c}), in the order of the reference table, with Linux's message
 * category as {@link #linuxMessage()}; then the coherency sanitizer's findings (a) to (e), which
 * Linux cannot make because it does not see CPU loads and stores; then the device-side findings
 * ({@link #deviceSide()}), which it cannot make because it does not see what the device touches;
 * then jdma's own checks of frees the memory manager refused ({@link #FREE_WHILE_MAPPED}) and of
 * unmaps the mapping layer refused because a descriptor in flight uses the mapping
 * ({@link #UNMAP_WHILE_IN_USE}).
 */
public enum DmaDebugCategory {
    /** 1: unmap/free of {@code DMA_MAPPING_ERROR}. */
    FREE_INVALID_ADDRESS(1, "device driver tries to free an invalid DMA memory address"),
    /** 2: unmap/free of an address that is not mapped. */
    FREE_NOT_ALLOCATED(2, "device driver tries to free DMA memory it has not allocated"),
    /** 3: unmap size differs from the map size. */
    FREE_SIZE_MISMATCH(3, "device driver frees DMA memory with different size"),
    /** 4: unmapped with another function than it was mapped with (page vs single vs sg vs coherent). */
    FREE_WRONG_FUNCTION(4, "device driver frees DMA memory with wrong function"),
    /** 5: coherent free with another CPU address than the allocation's. */
    FREE_CPU_ADDRESS_MISMATCH(5, "device driver frees DMA memory with different CPU address"),
    /** 6: unmapSg with another entry count than mapSg was given. */
    FREE_SG_COUNT_MISMATCH(6, "device driver frees DMA sg list with different entry count"),
    /** 7: unmap direction differs from the map direction. */
    FREE_DIRECTION_MISMATCH(7, "device driver frees DMA memory with different direction"),
    /** 8: unmapped without ever testing the handle with {@code mappingError}. */
    MAP_ERROR_NOT_CHECKED(8, "device driver failed to check map error"),
    /** 9: sync of a range no mapping contains. */
    SYNC_NOT_ALLOCATED(9, "device driver tries to sync DMA memory it has not allocated"),
    /** 10: sync reaching past the end of its mapping. */
    SYNC_OUT_OF_RANGE(10, "device driver syncs DMA memory outside allocated range"),
    /** 11: sync direction differs from the map direction (not checked for BIDIRECTIONAL mappings). */
    SYNC_DIRECTION_MISMATCH(11, "device driver syncs DMA memory with different direction"),
    /** 12: sync for the CPU of memory the device only reads. */
    SYNC_READ_ONLY_FOR_CPU(12, "device driver syncs device read-only DMA memory for cpu"),
    /** 13: sync for the device of memory the device only writes. */
    SYNC_WRITE_ONLY_TO_DEVICE(13, "device driver syncs device write-only DMA memory to device"),
    /** 14: syncSg with another entry count than mapSg was given. */
    SYNC_SG_COUNT_MISMATCH(14, "device driver syncs DMA sg list with different entry count"),
    /** 15: the device was detached with live mappings. */
    LEAK_ON_DETACH(15, "device driver has pending DMA allocations while released from device"),
    /** 16: mapping of memory declared as a stack. */
    MAP_STACK(16, "device driver maps memory from stack"),
    /** 17: mapping of memory declared as kernel text or rodata. */
    MAP_KERNEL_TEXT(17, "device driver maps memory from kernel text or rodata"),
    /** 18: mapSingle of memory outside the kernel's direct map (not RAM in the firmware map). */
    MAP_INVALID_AREA(18, "device driver maps memory from invalid area"),
    /** 19: mapSingle of memory declared as vmalloc space. */
    MAP_VMALLOC(19, "device driver maps memory from vmalloc area"),
    /** 20: an sg segment longer than the device's max segment size. */
    SG_SEGMENT_TOO_LONG(20, "mapping sg segment longer than device claims to support"),
    /** 21: a mapped sg segment crossing the device's segment boundary. */
    SG_SEGMENT_CROSSES_BOUNDARY(21, "mapping sg segment across boundary"),
    /** 22: two device-writable mappings share a cache line. */
    CACHELINE_OVERLAP(22, "cacheline tracking EEXIST, overlapping mappings aren't supported"),
    /** 23: more overlaps of one cache line than the tracker counts (a probable leak). */
    CACHELINE_OVERLAP_LIMIT(23, "exceeded overlapping mappings of cacheline"),
    /** 24: the cache-line tracker is full; the checker disables itself. */
    CACHELINE_TRACKING_OUT_OF_MEMORY(24, "cacheline tracking ENOMEM, dma-debug disabled"),

    /** (a) The device read a line the CPU wrote and never cleaned: the device got stale memory. */
    DEVICE_READ_DIRTY_LINE(0, "device read a cache line the CPU wrote and never cleaned"),
    /** (b) The CPU read a cached copy older than what the device wrote (no invalidate, or a refill while the device owned it). */
    CPU_READ_STALE_LINE(0, "CPU read a stale cache line the device had written"),
    /** (c) The CPU wrote a line the device owns, or a dirty eviction wrote over the device's data. */
    CPU_WRITE_DEVICE_OWNED(0, "CPU wrote a cache line the device owns"),
    /** (d) A device-writable mapping shares a cache line with unrelated data. */
    PARTIAL_CACHE_LINE(0, "mapping shares a cache line with unrelated data the device may overwrite"),
    /** (e) The CPU touched a streaming buffer between map (or syncForDevice) and syncForCpu. */
    CPU_TOUCH_DEVICE_OWNED(0, "CPU touched a streaming DMA buffer the device owns"),

    /** The device accessed a bus address it has no live mapping for, and never had one the checker remembers. */
    DEVICE_ACCESS_NOT_MAPPED(-1, "device accessed DMA memory it has no mapping for"),
    /** The device accessed a bus address after its mapping was unmapped or freed (the report names the unmap). */
    DEVICE_ACCESS_AFTER_UNMAP(-1, "device accessed DMA memory after it was unmapped"),
    /** The device wrote a TO_DEVICE mapping or read a FROM_DEVICE one (the report names the map). */
    DEVICE_ACCESS_WRONG_DIRECTION(-1, "device accessed DMA memory against its mapping's direction"),

    /** jdma's own: memory a live mapping still covers was freed (the free is refused as well). */
    FREE_WHILE_MAPPED(-1, "device driver frees memory that is still DMA-mapped"),

    /**
     * jdma's own: a mapping was unmapped (or a coherent allocation freed) while a descriptor in
     * flight names it (the unmap is refused as well; the report names the descriptor and the map).
     */
    UNMAP_WHILE_IN_USE(-1, "device driver unmaps DMA memory a descriptor in flight still uses");

    private final int linuxCheck;
    private final String linuxMessage;

    DmaDebugCategory(int linuxCheck, String linuxMessage) {
        this.linuxCheck = linuxCheck;
        this.linuxMessage = linuxMessage;
    }

    /**
     * The row of Linux's dma-debug check table (1..24), 0 for a sanitizer finding, or -1 for a
     * check of jdma's own that Linux cannot make (the device-side findings and refused frees).
     */
    public int linuxCheck() {
        return linuxCheck;
    }

    /** The message category (Linux's wording for checks 1..24). */
    public String linuxMessage() {
        return linuxMessage;
    }

    /** Whether this is a device-side finding: an access the device made through its DMA port. */
    public boolean deviceSide() {
        return switch (this) {
            case DEVICE_ACCESS_NOT_MAPPED, DEVICE_ACCESS_AFTER_UNMAP, DEVICE_ACCESS_WRONG_DIRECTION -> true;
            default -> false;
        };
    }

    /** Whether this is a coherency-sanitizer finding rather than a dma-debug check. */
    public boolean sanitizer() {
        return linuxCheck == 0;
    }

    /** The sanitizer's letter (a..e), or '\0' for a dma-debug check. */
    public char sanitizerLetter() {
        return sanitizer() ? (char) ('a' + ordinal() - DEVICE_READ_DIRTY_LINE.ordinal()) : '\0';
    }
}
