/**
 * The bus between devices and memory: each device's {@link org.jdma.machine.bus.DmaPort}, and
 * where its requests come from ({@link org.jdma.machine.bus.DmaOrigin}: a PCI function's own
 * requester id, or a legacy DMA channel forwarded under its bridge's id).
 *
 * <p>Models: bus-master reads and writes of RAM by bus address, split into cache-line-sized
 * transactions with a modeled latency and bandwidth; address translation through a pluggable
 * {@link org.jdma.machine.bus.AddressTranslator} (identity until an IOMMU covers the device);
 * MSI delivery as a memory write into the interrupt address range; cache snooping on coherent
 * machines. Does not model: ISA bus arbitration (DREQ/DACK, the 8237A: a legacy channel's port
 * moves data as the controller would, but nothing arbitrates yet), PCIe link training, credits, ordering relaxations, peer-to-peer DMA
 * (a DMA that lands on an MMIO window is refused as an unsupported request).
 *
 * <p>Invariant: a DMA never throws. It returns a {@link org.jdma.machine.bus.DmaResult}; a
 * faulting access moves no data past the first faulting byte.
 */
package org.jdma.machine.bus;
