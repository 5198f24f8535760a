/**
 * The legacy (ISA/LPC-style) bus behind the chipset's LPC bridge (00:1f.0): devices without a
 * requester id or configuration space, known by fixed I/O ports, an ISA IRQ and DMA channels.
 *
 * <p>Models: claims of I/O port ranges, one ISA IRQ per device (IRQ n is interrupt controller
 * line n) and DMA channels 0-3 and 5-7 (4 is the PC/AT cascade), granted all-or-nothing; byte-wide
 * I/O cycles, as an LPC bridge splits wider CPU accesses; a {@link org.jdma.machine.bus.DmaPort}
 * per DMA channel whose requests carry the bridge's requester id
 * ({@link org.jdma.machine.bus.DmaOrigin.LegacyChannel}), as LPC/ISA DMA reaches an IOMMU on real
 * chipsets; the device side of ISA DMA ({@link org.jdma.machine.legacy.DmaRequestLine} for DREQ,
 * {@link org.jdma.machine.legacy.DmaHandshake} for DACK and EOP) and the seam the controllers
 * plug into ({@link org.jdma.machine.legacy.IsaDmaController}; the 8237A pair itself is
 * {@code legacy.isadma}). Does not model: the 8259A PIC,
 * LPC memory and firmware cycles, ISA plug and play. The bridge's own configuration space is the
 * PCI package's ({@link org.jdma.machine.pci.LpcBridge}); a machine configuration places devices
 * here with a legacy {@link org.jdma.machine.dev.Placement}.
 *
 * <p>Invariant: no two devices share a port, an IRQ or a DMA channel; a device is attached only
 * once all its resources are granted, and a refused device holds none.
 */
package org.jdma.machine.legacy;
