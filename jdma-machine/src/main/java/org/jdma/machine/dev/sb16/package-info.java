/**
 * A Sound Blaster 16-like DAC on the ISA bus ({@link org.jdma.machine.dev.sb16.Sb16Device}): the
 * DSP's reset, command and status ports, 8-bit samples on an 8-bit DMA channel and 16-bit samples
 * on a 16-bit one, single-cycle or auto-initialize output with an interrupt per block (the classic
 * double buffer), a FIFO the DMA fills ahead of the DAC, which takes one sample frame per sample
 * period in modeled time. Does not model: recording (A/D), ADPCM, the SB/SB Pro command set
 * (0x14, 0x1C, time constants), MIDI, the mixer beyond its interrupt status, analog output.
 *
 * <p>Invariant: a sample reaches the DAC only through DACK, in DMA order; the DAC plays what it
 * took, or counts a starved sample period when its FIFO was empty.
 */
package org.jdma.machine.dev.sb16;
