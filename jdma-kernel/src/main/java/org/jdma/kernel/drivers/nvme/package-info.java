/**
 * The NVMe driver (Linux {@code drivers/nvme/host/pci.c}): controller bring-up through its
 * registers, the admin queue, Identify, queue negotiation, one I/O queue pair per CPU with its
 * MSI-X vector, and namespace 1 as a {@link org.jdma.kernel.block.BlockDevice}: requests mapped
 * with the DMA API's scatter lists, data pointers as PRPs (lists from a 256-byte and a page-sized
 * DMA pool) or SGLs above a size threshold when the controller has them, completions reaped by
 * phase tag, timeouts answered by Abort and then a controller reset; Get Log Page with typed
 * readers of the SMART, error and firmware slot logs, and a health monitor on asynchronous events.
 *
 * <p>Does not model: several namespaces, metadata, polled queues next to interrupt queues, the
 * host memory buffer, keep-alive.
 *
 * <p>Invariant: a request's CID, mapping and list blocks are held from submit until its
 * completion (or a reset) and released exactly then, before its callback runs.
 */
package org.jdma.kernel.drivers.nvme;
