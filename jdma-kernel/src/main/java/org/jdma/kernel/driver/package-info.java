/**
 * The driver model: what a driver binds to, how the kernel binds it, and what a bound driver gets.
 *
 * <ul>
 *   <li>{@link org.jdma.kernel.driver.Driver}: a name, a {@link org.jdma.kernel.driver.DeviceMatch}
 *       (PCI vendor/device id, PCI class code under a mask, or a legacy device's
 *       {@link org.jdma.kernel.driver.LegacyResources}) and a probe; options travel inside the
 *       registration;</li>
 *   <li>{@link org.jdma.kernel.driver.DriverRegistry}: the driver core. It binds registered drivers
 *       as the kernel boots (PCI functions from enumeration; legacy devices where their drivers
 *       say), reports failed probes ({@link org.jdma.kernel.driver.ProbeFailure}), and offers
 *       lookups, unbind and reset;</li>
 *   <li>{@link org.jdma.kernel.driver.DriverContext}: per bound device, everything its driver may
 *       use: MMIO windows ({@link org.jdma.kernel.driver.MmioWindow}) or port ranges
 *       ({@link org.jdma.kernel.driver.IoPorts}), interrupt vectors
 *       ({@link org.jdma.kernel.driver.InterruptVectors}: MSI-X or MSI) or a routed IRQ line
 *       ({@link org.jdma.kernel.driver.IrqLine}), its DMA API, the clock and the CPU;</li>
 *   <li>{@link org.jdma.kernel.driver.DriverInstance}: a bound driver's remove and reset.</li>
 * </ul>
 *
 * <p>Models Linux's driver core for built-in drivers on an enumerated PCI bus and on ISA: match,
 * probe with managed resources, remove, and a driver's own reset path. Every interrupt vector and
 * MSI message goes through one class (package-private {@code InterruptRouting}), where interrupt
 * remapping will plug in. Does not model: hot plug, deferred probing, driver unregistration,
 * asynchronous probing, shared or level-triggered legacy lines between devices, PCI I/O BARs as
 * port windows, power management.
 *
 * <p>Invariant: a device is bound to at most one driver; a driver sees only its context (no
 * machine object, no PCI enumeration, no IOMMU, no other driver); everything a context handed out
 * (vectors, routed lines, the DMA attachment with its mappings and coherent memory) is taken back
 * when its probe fails or its driver is removed.
 */
package org.jdma.kernel.driver;
