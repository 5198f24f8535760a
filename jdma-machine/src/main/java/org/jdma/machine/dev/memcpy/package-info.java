/**
 * A bus-master memory-copy engine: Intel DSA's descriptor and completion-record formats fed from
 * an I/OAT-style descriptor ring in guest memory. A PCI endpoint ({@code CopyEngine.KIND}) with one
 * 64-bit BAR holding its registers, MSI-X table and PBA; it reaches memory only while its driver
 * has set Bus Master Enable.
 *
 * <p>Models: a ring of 64-byte descriptors (layout of {@code struct dsa_hw_desc}, DSA Architecture
 * Specification, doc 341204, §8.3.1) that the driver fills and announces through a doorbell
 * register; opcodes NOOP, BATCH (a descriptor list read through the DMA port, members in order,
 * one completion for the batch, §8.3.3), DRAIN, MEMMOVE, MEMFILL, COMPARE, and CHAIN, a jdma
 * extension (linked descriptors followed through the DMA port, one completion for the chain, as an
 * I/OAT chain; {@code ChainWalker}); a 32-byte completion record per descriptor
 * ({@code struct dsa_completion_record}, §8.3.2) written after the data it reports on, and on
 * failure whenever CRAV is set; MSI-X completion interrupts selected by the descriptor's interrupt
 * handle; per-descriptor error statuses with DSA's codes ({@code enum dsa_completion_status});
 * block on fault through a page request software answers in the engine's registers (modelled on
 * PCIe PRS, bounded by a timeout; {@code BlockOnFault}); an optional device thread that polls the
 * doorbell for real-concurrency runs (completion interrupts, but no error interrupt and no trace there). Does not model: DSA's work
 * queues and portals (ENQCMD), PASID, DIF/CRC/delta opcodes, ATS, PRS through the IOMMU's page
 * request queue, DRAIN's readback addresses, the fault-info byte, more than one descriptor in
 * flight (FENCE is therefore always honoured, and DRAIN completes at once).
 *
 * <p>Invariant: nothing a driver writes into the ring or the registers can throw inside the
 * machine. A bad descriptor completes with an error status and the engine goes on with the next;
 * a ring it cannot read halts the engine with an error bit set. Every device store of a descriptor
 * reaches the bus in the order data, completion record body, status byte (release), MSI.
 */
package org.jdma.machine.dev.memcpy;
