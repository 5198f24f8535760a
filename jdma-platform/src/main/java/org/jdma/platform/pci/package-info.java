/**
 * PCI functions as enumeration shows them to the OS.
 */
package org.jdma.platform.pci;
