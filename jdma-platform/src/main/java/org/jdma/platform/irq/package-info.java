/**
 * Interrupts as the OS programs them: vectors it allocates and attaches handlers to, and the MSI
 * message a device must write to raise a vector.
 */
package org.jdma.platform.irq;
