/**
 * What an OS sees of the machine, and nothing more: the CPU's loads and stores (RAM through the
 * cache, MMIO uncached) and cache maintenance, the firmware's memory map and ACPI tables (PCI
 * configuration space is found through MCFG and read with MMIO), interrupt vectors, and time.
 * Kernel code programs devices only through these.
 *
 * <p>The one deliberate exception is {@link org.jdma.platform.CacheObserver}: a debugging view of
 * cache-line events that checkers use to see what a device touched, the way a bus analyzer would.
 */
package org.jdma.platform;
