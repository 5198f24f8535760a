/**
 * The Intel 8237A DMA controller as the PC/AT wires two of them, with its page registers: port
 * map, register bit layouts and the behaviour both the machine's model and the kernel's ISA DMA
 * API follow ({@link org.jdma.spec.i8237.I8237Layout}).
 *
 * <p>Models: the registers and their bits (8237A datasheet, "Register Description" and
 * "Programming"), the AT's port decoding of both controllers (IBM PC/AT Technical Reference,
 * "DMA Controller") and its 74LS612 page registers. Does not model: the PC/XT (one controller,
 * channel 0 refreshing DRAM), EISA and PS/2 extensions. No state.
 */
package org.jdma.spec.i8237;
