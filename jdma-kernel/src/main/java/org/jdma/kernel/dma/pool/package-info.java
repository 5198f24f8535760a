/**
 * DMA pools (Linux {@code mm/dmapool.c}): small equal-sized coherent blocks for one device, cut
 * from coherent pages, aligned and never crossing the pool's boundary.
 *
 * <p>Models: Linux's block layout (size rounded to the alignment, pages of at least 4 KiB, blocks
 * skipping to the next boundary instead of crossing it), pages kept until destroy, LIFO reuse.
 * Does not model: poisoning of free blocks (CONFIG_DMAPOOL_DEBUG) or the sysfs "pools" file.
 * Every free is checked (double free, foreign address) whatever the configuration.
 *
 * <p>Invariant: a block is either free or allocated, never both; no two allocated blocks overlap;
 * every block lies in one page and inside one boundary-aligned window.
 */
package org.jdma.kernel.dma.pool;
