/**
 * A countdown timer on the legacy bus: the smallest port-I/O device with an ISA IRQ line and no
 * PCI. Datasheet: {@link org.jdma.spec.timer.CountdownTimerPorts}.
 *
 * <p>Models: a 16-bit down-counter with a reload count written low byte then high byte through
 * one data port, a control port (start, stop, acknowledge, periodic), a status port, counting at
 * a fixed input clock on the machine's event kernel ({@link org.jdma.machine.dev.timer.CountdownTimerConfig}),
 * and one edge on its IRQ line at each expiry. It implements
 * {@link org.jdma.machine.legacy.LegacyDevice}: the legacy bus grants its four ports and its IRQ
 * line; a machine configuration places it with one line through
 * {@link org.jdma.machine.dev.timer.CountdownTimer#KIND}.
 *
 * <p>Does not model: the 8254's six counter modes, its control word, read-back and latch
 * commands, the GATE input and the OUT pin as a level; a DMA channel (the timer moves no data).
 *
 * <p>Invariant: no port access throws; a refused command sets a status bit; every expiry is one
 * edge on the IRQ line at exactly start + n * reload count * tick, n = 1, 2, ... for a periodic
 * count and n = 1 for a one-shot.
 */
package org.jdma.machine.dev.timer;
