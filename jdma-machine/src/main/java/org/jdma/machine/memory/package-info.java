/**
 * The physical address space: RAM regions, MMIO windows and the holes between them.
 *
 * <p>Models: a flat physical address map where each address is RAM (backed by one long-lived
 * {@link java.lang.foreign.MemorySegment} per region), an MMIO window dispatched to a device's
 * register file, or unbacked. Does not model: memory controllers, NUMA, ECC, DRAM timing (latency
 * lives in the bus model).
 *
 * <p>Invariant: regions never overlap; an access to an unbacked address yields a bus-error result,
 * never an exception escaping into the machine.
 */
package org.jdma.machine.memory;
