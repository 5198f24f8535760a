/**
 * What an OS sees of the machine, and nothing more: the CPU's loads and stores (RAM through the
 * cache, MMIO uncached) and cache maintenance, the firmware's memory map and ACPI tables (PCI
 * configuration space is found through MCFG and read with MMIO), interrupt vectors, and time.
 * Kernel code programs devices only through these.
 *
 * <p>The deliberate exceptions are {@link org.jdma.platform.CacheObserver} and
 * {@link org.jdma.platform.DeviceAccessObserver}: debugging views of cache-line events and of the
 * memory requests devices make, which checkers use to see what a device touched, the way a bus
 * analyzer would.
 */
package org.jdma.platform;
