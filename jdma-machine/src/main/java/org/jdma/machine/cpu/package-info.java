/**
 * The machine's CPUs: what kernel code runs on.
 *
 * <p>Models: {@code MachineConfig.cpus()} CPUs ({@link org.jdma.machine.cpu.MachineCpus}), CPU
 * {@code i} with local APIC id {@code i} (CPU 0 boots), each a {@link org.jdma.machine.cpu.MachineCpu}
 * with its own counters (MMIO reads and writes, port I/O, bus errors). Code runs as a CPU on the
 * calling Java thread: a thread is the boot CPU until it enters another
 * ({@link org.jdma.machine.cpu.MachineCpus#runOn}, nesting), and every access it makes is executed
 * and counted by the CPU it runs as. Interrupt handlers run as the CPU the interrupt was sent to,
 * on the thread that drives the event kernel. Virtual time is the machine's: CPUs do not run in
 * parallel in it; an MMIO or port stall of one lets devices (and handlers on any CPU) run.
 *
 * <p>Memory: all CPUs share the one {@link org.jdma.machine.cache.CpuCache}, so CPU-to-CPU
 * coherence is as on real SMP: a store by one CPU is seen by every other, and cache maintenance
 * by address (clean, invalidate) reaches every CPU's copy of the line, as x86 CLFLUSH and ARM's
 * by-VA maintenance to the point of coherency do. Whether DMA sees the CPUs' stores is the cache's
 * model (coherent, or a write-back cache DMA bypasses), the same with one CPU or many.
 *
 * <p>Does not model: per-CPU caches and the coherence protocol between them (their effect, a
 * single coherent view, is what is modeled), CPUs executing at the same virtual time, inter-
 * processor interrupts, CPU hot-plug, APIC ids other than the indices.
 *
 * <p>Invariant: an access never throws for any address (holes read all ones, drop writes and count
 * as bus errors); RAM-only bulk accesses reject other ranges naming the address.
 */
package org.jdma.machine.cpu;
