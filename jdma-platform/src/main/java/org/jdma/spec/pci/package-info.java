/**
 * PCI datasheet: requester ids (segment:bus:device.function, as every DMA carries them) and the
 * MSI-X table and pending-bit-array layout (PCI Local Bus Specification 3.0 §6.8.2).
 *
 * <p>Invariant: no class here holds state beyond immutable values.
 */
package org.jdma.spec.pci;
