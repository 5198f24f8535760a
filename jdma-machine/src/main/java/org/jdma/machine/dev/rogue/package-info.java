/**
 * A rogue bus master: a PCI function that DMAs to whatever bus address it is told, for attack
 * scenarios against the IOMMU (Thunderclap-style malicious peripherals, a compromised NIC firmware).
 *
 * <p>Models: a device whose DMA goes through its own {@link org.jdma.machine.bus.DmaPort}, hence
 * through exactly the same translation (identity, or the VT-d unit that covers its requester id)
 * as every honest device; reads, writes of given bytes or of a repeated pattern, of any length at
 * any address, including the interrupt range (where a 32-bit write is an MSI, untranslated); a
 * small read-only register file in a 32-bit BAR counting what it tried and what was blocked, so an
 * OS could see it. Unlike an honest function it ignores Command.Bus Master Enable.
 * Does not model: a descriptor ring or any driver interface (nobody programs an attacker: scenario
 * code calls its methods), ATS (translated-request spoofing), requester-id spoofing, PASID.
 *
 * <p>Invariant: the device never throws for an address or a length; every attempt ends in a
 * {@link org.jdma.machine.bus.DmaResult}, and a blocked attempt moved no data past the fault
 * (whatever the port moved before the first faulting byte is reported in {@code bytes()}).
 */
package org.jdma.machine.dev.rogue;
