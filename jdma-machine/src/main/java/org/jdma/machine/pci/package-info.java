/**
 * PCI identity of devices: requester ids (segment:bus:device.function) and the enumeration the
 * platform publishes (what an OS learns from scanning configuration space).
 *
 * <p>Models: the requester id every DMA carries, and each function's vendor/device/class and its
 * memory BAR. Does not model: configuration-space registers, bridges' bus numbering (a later
 * issue adds topology for the IOMMU's device scopes).
 */
package org.jdma.machine.pci;
