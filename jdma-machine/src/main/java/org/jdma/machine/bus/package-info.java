/**
 * The bus between devices and memory: each device's {@link org.jdma.machine.bus.DmaPort}.
 *
 * <p>Models: bus-master reads and writes of RAM by bus address, split into cache-line-sized
 * transactions with a modeled latency and bandwidth; address translation through a pluggable
 * {@link org.jdma.machine.bus.AddressTranslator} (identity until an IOMMU covers the device);
 * MSI delivery as a memory write into the interrupt address range; cache snooping on coherent
 * machines. Does not model: PCIe link training, credits, ordering relaxations, peer-to-peer DMA
 * (a DMA that lands on an MMIO window is refused as an unsupported request).
 *
 * <p>Invariant: a DMA never throws. It returns a {@link org.jdma.machine.bus.DmaResult}; a
 * faulting access moves no data past the first faulting byte.
 */
package org.jdma.machine.bus;
