/**
 * The CPU's two address spaces: the physical address space (RAM regions, MMIO windows and the
 * holes between them) and the x86 I/O port space (64 Ki ports that devices claim in ranges).
 *
 * <p>Models: a flat physical address map where each address is RAM (backed by one long-lived
 * {@link java.lang.foreign.MemorySegment} per region), an MMIO window dispatched to a device's
 * register file, or unbacked; and {@link org.jdma.machine.memory.IoPortSpace}, where each port is
 * decoded by at most one claim and an access no single claim holds is split into byte cycles, as
 * a chipset's LPC bridge does. Does not model: memory controllers, NUMA, ECC, DRAM timing
 * (latency lives in the bus model), I/O cycle timing (the CPU charges it), PCI I/O BAR decoding.
 *
 * <p>Invariant: regions never overlap and port claims never overlap; an access to an unbacked
 * address or an unclaimed port yields a bus-error result (all ones on read, a dropped write),
 * never an exception escaping into the machine.
 */
package org.jdma.machine.memory;
