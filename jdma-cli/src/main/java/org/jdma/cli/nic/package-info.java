/**
 * {@code jdma run nic}: the 82599 scenarios (ixy-fwd, ixy-pktgen, pcap replay and capture) wired
 * on the machine: ports, cables, the far ends (traffic generators, sequence checkers, counting
 * sinks, pcap files) and the kernel's applications in modeled CPU time
 * ({@link org.jdma.kernel.net.app}). Reports per interval of modeled time and in total, a sweep
 * over IOMMU modes and frame sizes as a table and a PNG plot.
 *
 * <p>Does not model: RSS (every generated frame lands on queue 0), interrupts (the applications
 * poll, as ixy does).
 */
package org.jdma.cli.nic;
