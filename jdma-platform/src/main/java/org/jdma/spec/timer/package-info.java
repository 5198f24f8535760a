/**
 * The countdown timer's datasheet ({@link org.jdma.spec.timer.CountdownTimerPorts}): the I/O
 * ports of a small ISA-style device that counts down at a fixed clock and interrupts on an edge of
 * its IRQ line when the count runs out. A small example of a legacy device: the device model
 * ({@code org.jdma.machine.dev.timer}) and a driver agree only on these bits.
 *
 * <p>Invariant: no class here holds state; each is a set of named constants and pure functions.
 */
package org.jdma.spec.timer;
