/**
 * JMH benchmarks of jdma, each measured in the same run as a peer that does the same job:
 * {@code RingBenchmark} (the descriptor ring against JCTools and the LMAX Disruptor) and
 * {@code CopyBenchmark} (the copy engine's MEMMOVE against {@code MemorySegment.copy});
 * {@code RingPartsBenchmark} times the ring's sides alone, to attribute its cost;
 * {@code IovaBenchmark} and {@code IovaContendedBenchmark} (1 and 4 threads) compare IOVA
 * alloc+free through the per-CPU magazines with the bare tree allocator.
 * {@code BenchMain} is JMH's main plus a table of jdma-vs-peer ratios.
 *
 * <p>Not part of the unit test run: these classes live in {@code src/main} of this module only so
 * that JMH's annotation processor generates {@code META-INF/BenchmarkList}; run them with
 * {@code scripts/bench}. What each measures, and why the comparison is fair, is in
 * {@code docs/BENCHMARKS.md}.
 *
 * <p>Invariant: every benchmark checks the work it timed (a completion status, a copied byte), so
 * a broken path fails the run instead of reporting a fast number.
 */
package org.jdma.bench;
