/**
 * The driver of the floppy-like ISA block device: sector reads and writes through a transfer
 * buffer in ZONE_DMA, programmed with Linux's ISA DMA API in single mode; a command ends at the
 * channel's terminal count with one interrupt, and an error reports the channel's residue.
 */
package org.jdma.kernel.drivers.isablock;
