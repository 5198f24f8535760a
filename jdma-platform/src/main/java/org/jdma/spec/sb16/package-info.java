/** The Sound Blaster 16 DSP's ports, commands and mixer interrupt status ({@link org.jdma.spec.sb16.Sb16DspLayout}). No state. */
package org.jdma.spec.sb16;
