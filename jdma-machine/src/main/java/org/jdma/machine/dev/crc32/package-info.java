/**
 * A CRC-32 offload engine: the smallest bus-master PCI device that shows every part of the
 * device seam. Datasheet: {@link org.jdma.spec.crc32.Crc32Registers}.
 *
 * <p>Models: a {@link org.jdma.machine.pci.PciEndpoint} with one 32-bit memory BAR holding a
 * register table, an MSI-X capability with its table and PBA in that BAR, and one operation:
 * read LENGTH bytes at SRC_ADDR by DMA in chunks over modeled time, fold them into an IEEE 802.3
 * CRC-32, write the 4-byte result by DMA, set DONE, raise MSI-X entry 0. Every request goes through
 * the device's {@link org.jdma.machine.bus.DmaPort}: translated by the IOMMU unit that covers it,
 * refused while Bus Master Enable is clear, faults reported as results and turned into status
 * bits. Timing: {@link org.jdma.machine.dev.crc32.Crc32Config}. Plugged by one line of machine
 * configuration with {@link org.jdma.machine.dev.crc32.Crc32Engine#KIND}.
 *
 * <p>Does not model: more than one operation at a time (no queue, no descriptors), overlap of a
 * chunk's read with the previous chunk's checksum, INTx, PCI Express error reporting (a faulted
 * request sets no Status bit of the function).
 *
 * <p>Invariant: nothing software writes into the registers (or leaves at the addresses it names)
 * makes the engine throw; every operation ends in STATUS.DONE, with an error bit saying what went
 * wrong, and its interrupt (if enabled) leaves only after the result and DONE are visible.
 */
package org.jdma.machine.dev.crc32;
