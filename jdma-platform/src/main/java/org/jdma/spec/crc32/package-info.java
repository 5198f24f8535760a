/**
 * The CRC-32 offload engine's datasheet ({@link org.jdma.spec.crc32.Crc32Registers}): PCI ids,
 * the register map of its one memory BAR with the MSI-X table and PBA in it, the status bits and
 * the checksum it computes. A small example of a bus-master PCI device: the device model
 * ({@code org.jdma.machine.dev.crc32}) and a driver agree only on these bits.
 *
 * <p>Invariant: no class here holds state; each is a set of named constants and pure functions.
 */
package org.jdma.spec.crc32;
