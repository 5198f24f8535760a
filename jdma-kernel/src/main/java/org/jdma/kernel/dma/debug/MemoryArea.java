package org.jdma.kernel.dma.debug;

/**
 * Kinds of kernel memory a driver must not hand to a device (dma-debug checks 16 to 19). The
 * emulated kernel keeps no stacks, text or vmalloc space in guest memory, so these areas exist
 * only where someone declares them ({@link DmaDebug#declareArea}); RAM outside the firmware
 * memory map's RAM ranges is "outside the direct map" without declaration.
 */
public enum MemoryArea {
    /** A thread stack (check 16: "maps memory from stack"). */
    STACK,
    /** Kernel text or read-only data (check 17). */
    KERNEL_TEXT,
    /** vmalloc space: virtually contiguous, physically scattered (check 19; mapSingle only). */
    VMALLOC
}
