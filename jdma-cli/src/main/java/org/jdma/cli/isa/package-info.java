/**
 * {@code jdma run isa}'s scenario: the sound card playing a tone through auto-initialize DMA, then
 * the block device read in each transfer mode beside a CPU bus workload, and the WAV file of what
 * was played.
 */
package org.jdma.cli.isa;
