/**
 * The Intel 82599 10 GbE controller's datasheet, the subset a minimal real driver (ixy's) uses:
 * PCI ids and BAR layout ({@link org.jdma.spec.ixgbe.IxgbeRegisters}), the register map with its
 * per-queue strides and bit fields, the interrupt vector allocation format
 * ({@link org.jdma.spec.ixgbe.IvarLayout}), and the advanced receive and transmit descriptors
 * ({@link org.jdma.spec.ixgbe.AdvancedRxDescriptorLayout},
 * {@link org.jdma.spec.ixgbe.AdvancedTxDescriptorLayout}). Section numbers are those of the
 * "Intel 82599 10 GbE Controller Datasheet" (rev. 3.x); offsets and bits agree with Linux's
 * {@code ixgbe_type.h}. The device model ({@code org.jdma.machine.dev.ixgbe}) and a driver agree
 * only on these bits.
 *
 * <p>Invariant: no class here holds state; each is a set of named constants and pure functions.
 */
package org.jdma.spec.ixgbe;
