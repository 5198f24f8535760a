/**
 * PCI as the kernel sees it: configuration space reached through the ECAM regions the ACPI MCFG
 * table names ({@link org.jdma.kernel.pci.EcamConfigAccess}), the enumeration at boot
 * ({@link org.jdma.kernel.pci.PciSubsystem}: every bus below the host bridge and below each
 * bridge, every function), what each function is ({@link org.jdma.kernel.pci.PciDevice}: ids,
 * class, BARs sized with decoding off, capabilities), and the pieces of configuration a driver
 * sets: Memory Space and Bus Master Enable, and MSI-X ({@link org.jdma.kernel.pci.PciMsix}).
 *
 * <p>Models what Linux's drivers/pci does for a machine whose firmware already assigned every
 * BAR and bus number. Does not model: resource assignment or bus renumbering by the kernel, I/O
 * port configuration access (CF8/CFC), MSI (only MSI-X is programmed), hot plug, power
 * management, PCI Express capabilities.
 *
 * <p>Invariant: enumeration reads configuration space only through {@link org.jdma.kernel.pci.ConfigAccess};
 * it ends for any answers the hardware gives (every bus is scanned at most once, every capability
 * walk is bounded), and leaves each function's BARs and Command as it found them.
 */
package org.jdma.kernel.pci;
