/**
 * Driver for the machine's copy engine, built on {@code DmaEngine}: copy, fill and compare with
 * interrupt-driven or polled completion.
 */
package org.jdma.kernel.drivers.memcpy;
