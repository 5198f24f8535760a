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
 * <p>Faults are told in generic terms ({@link org.jdma.machine.bus.FaultReason}: the bus's own
 * refusals, or a translator's not-present, no-permission, out-of-range, blocked, malformed-table);
 * a translator adds its own reason as a {@link org.jdma.machine.bus.FaultDetail} ("VT-d 0x5 ..."),
 * so nothing in this package knows any IOMMU's vocabulary.
 *
 * <p>Invariant: a DMA never throws. It returns a {@link org.jdma.machine.bus.DmaResult}; a
 * faulting access moves no data past the first faulting byte.
 */
package org.jdma.machine.bus;
