/**
 * Linux's ISA DMA API ({@code <asm/dma.h>}, {@code kernel/dma.c}) over the PC/AT's two 8237A
 * controllers, programmed through port I/O only: {@link org.jdma.kernel.isadma.IsaDma}.
 *
 * <p>Models: channel ownership ({@code request_dma}/{@code free_dma}, channel 4 held by the
 * cascade), the DMA lock every register sequence runs under, and the register calls with Linux's
 * arithmetic (bytes to counts and word addresses, the residue). Goes beyond Linux in one way: a
 * buffer that crosses its channel's 64 KiB (128 KiB) page or reaches past 16 MiB is refused,
 * naming the address, where Linux would silently wrap. Does not model: {@code /proc/dma}.
 *
 * <p>Invariant: the controllers' registers are touched only while the DMA lock is held by the caller.
 */
package org.jdma.kernel.isadma;
