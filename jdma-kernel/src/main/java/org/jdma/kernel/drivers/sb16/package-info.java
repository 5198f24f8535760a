/**
 * The driver of the Sound Blaster 16-like DAC: a double buffer in ZONE_DMA played through its
 * 8237A channel in auto-initialize mode (single or demand), the half the card just finished
 * refilled at each interrupt from a {@link org.jdma.kernel.drivers.sb16.SampleSource} (a
 * {@link org.jdma.kernel.drivers.sb16.ToneGenerator}), a clean stop at the end of a block.
 */
package org.jdma.kernel.drivers.sb16;
