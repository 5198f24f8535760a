/**
 * {@code jdma run coherency}: drivers with missing cache maintenance on a non-coherent machine.
 *
 * <p>Models: a handful of small copy-engine drivers, each in a buggy variant (one kind of sync
 * forgotten or misplaced) and a fixed one, run over the real mapping layer behind the DMA-API
 * checker and its coherency sanitizer. The buggy variant really reads wrong data, because the
 * machine's write-back cache really holds stale or dirty lines; the checker names the line, the
 * mapping and the missing call. Does not model: concurrency (the engine completes each copy before
 * the driver goes on), IOMMU translation, bounce buffers (buffers sit below every mask).
 *
 * <p>Invariant: each scenario runs on a fresh machine, so one scenario's cache state cannot
 * change another's outcome.
 */
package org.jdma.cli.coherency;
