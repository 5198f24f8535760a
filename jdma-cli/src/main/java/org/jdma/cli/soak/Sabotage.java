package org.jdma.cli.soak;

/**
 * Test hooks: one real fault of the kind each end-of-run check exists to catch, injected once so a
 * test can see the soak report it (and so a check that cannot fail would be noticed). A normal run
 * has none.
 */
public enum Sabotage {
    /** One byte of a copy's destination flipped after the engine finished (a device writing wrong data). */
    CORRUPT_COPY,
    /** One byte of an NVMe read's buffer flipped after completion. */
    CORRUPT_NVME_READ,
    /** One byte of a sector flipped on the ISA block device's medium. */
    CORRUPT_ISA_MEDIUM,
    /** One byte of the sound buffer changed behind the driver before the card plays it. */
    CORRUPT_SAMPLE,
    /** One forwarded frame swallowed before the far end counts it. */
    DROP_FRAME,
    /** One byte of a forwarded frame flipped before the far end checks it. */
    CORRUPT_FRAME,
    /** One streaming mapping made and never unmapped. */
    LEAK_MAPPING,
    /** One IOVA range allocated from a copy engine's domain and never freed (needs a translating IOMMU mode). */
    LEAK_IOVA,
    /** One frame of memory allocated and never freed. */
    LEAK_FRAME,
    /** One misuse of the DMA API (a double unmap) the soak does not count as injected. */
    UNEXPECTED_MISUSE
}
