/**
 * Interrupts as the OS programs them: vectors it allocates and attaches handlers to, the MSI
 * message a device must write to raise a vector, and the routing of legacy interrupt lines
 * (I/O APIC inputs) to vectors, edge- or level-triggered.
 *
 * <p>Invariant: a handler runs on the machine's event thread, one interrupt at a time; a legacy
 * line's interrupt ends (EOI) when its handler returns.
 */
package org.jdma.platform.irq;
