/**
 * An NVM Express controller on PCI Express (NVMe base spec 1.4; datasheet {@code org.jdma.spec.nvme}):
 * registers and doorbells in BAR0 with the enable, disable and shutdown handshakes; an admin queue
 * pair and up to 64 I/O queue pairs in host memory whose 64-byte submission and 16-byte completion
 * entries it reads and writes by DMA (phase tag inverted at each wrap, SQ head in every entry, a
 * full completion queue waits for its head doorbell); the admin commands Identify, Create/Delete
 * I/O SQ/CQ, Get/Set Features, Abort, Asynchronous Event Request (SMART / Health events masked per
 * type until their log is read) and Get Log Page (Error Information, SMART / Health, Firmware Slot); the NVM commands Read, Write,
 * Flush, Write Zeroes and Dataset Management; data described by PRPs (lists chained across pages)
 * or SGLs (data block, bit bucket, segment, last segment), all walked through its DMA port so the
 * IOMMU translates them; one MSI-X vector per completion queue, coalesced by threshold and time;
 * namespaces in memory or in a memory-mapped file, blocks of 512 or 4096 bytes; and a media model
 * with channels working in parallel, so that queue depth changes throughput and latency.
 *
 * <p>Not modeled: metadata and end-to-end protection, fused commands, weighted round robin
 * arbitration (queues are served in doorbell order), namespace management, the
 * controller memory buffer, NSSR, power states, pin-based interrupts (INTMS/INTMC only keep their mask).
 *
 * <p>Invariant: no input (register write, doorbell, queue entry, list) throws into the machine: a
 * bad command completes with the status the spec names, a bad doorbell is an asynchronous event, a
 * queue entry the controller cannot fetch or post is CSTS.CFS.
 */
package org.jdma.machine.dev.nvme;
