/**
 * Memory-mapped register files.
 *
 * <p>Models: a device's registers as a table of named registers, each with an offset, a width,
 * an access kind (read-only, read-write, write-1-to-clear, read-clears, write-only) and a mask of
 * the bits that exist; reserved bits read as zero and ignore writes. Does not model: byte enables
 * narrower than the access size beyond sub-register reads (a 1-, 2- or 4-byte read of a wider
 * register returns the matching bytes).
 *
 * <p>Invariant: no MMIO access throws; an access to an offset with no register reads as zero and
 * is dropped on write, and is counted as an unclaimed access.
 */
package org.jdma.machine.mmio;
