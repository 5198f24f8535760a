/**
 * A floppy-like block device on the ISA bus ({@link org.jdma.machine.dev.isablock.IsaBlockDevice}):
 * sector reads and writes moved by the 8237A, one byte per DREQ at the medium's rate, ending on
 * terminal count. Does not model: seeks, heads, tracks, the 82077AA's FIFO and command phases.
 *
 * <p>Invariant: a byte moves only at DACK; a command ends with exactly one IRQ edge.
 */
package org.jdma.machine.dev.isablock;
