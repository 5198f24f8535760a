/**
 * PCI datasheet: requester ids (segment:bus:device.function, as every DMA carries them), the
 * configuration-space header of endpoints and bridges ({@link org.jdma.spec.pci.PciConfigLayout},
 * PCI Local Bus Specification 3.0 §6.1-§6.2, PCI-to-PCI Bridge Architecture 1.2 §3.2), the MSI and
 * MSI-X capabilities (§6.8.1, §6.8.2), the MSI-X table and pending-bit array, and the memory-mapped
 * configuration mechanism (ECAM, PCI Express Base 4.0 §7.2.2).
 *
 * <p>Invariant: no class here holds state beyond immutable values.
 */
package org.jdma.spec.pci;
