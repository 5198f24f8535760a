/**
 * ISA DMA: the PC/AT's two cascaded Intel 8237A controllers and their page registers
 * ({@link org.jdma.machine.legacy.isadma.IsaDma}), and the memory bus they share with the CPUs
 * ({@link org.jdma.machine.legacy.isadma.IsaBusArbiter}): DREQ, HRQ, HLDA at the end of the CPU's
 * bus cycle, DACK, transfer cycles at the ISA clock, EOP, in modeled time.
 *
 * <p>Models: every register of the 8237A as its datasheet says, single, block, demand and cascade
 * modes, verify, autoinitialize, increment and decrement, memory to memory on channels 0-1, 16-bit
 * channels with their shifted address and 128 KiB pages, fixed and rotating priority, the page
 * registers (no carry from the address counter into them, so nothing above 16 MiB is reachable),
 * CPU stalls while DMA owns the bus (a RAM access waits; a {@link
 * org.jdma.machine.legacy.isadma.CpuBusWorkload} stands for code with a known bus rate), and an
 * optional transparent grant that uses only the clocks the CPU leaves idle. Does not model:
 * DREQ/DACK polarity, extended write, an external EOP input, READY (wait states are fixed), the
 * PC/XT's DRAM refresh on channel 0.
 *
 * <p>Invariant: no data moves before HLDA; a channel moves data only through its own DMA port,
 * so its requests carry the LPC bridge's requester id.
 */
package org.jdma.machine.legacy.isadma;
