/**
 * The peers of the descriptor-ring benchmark: the same "submit a batch of descriptors to a
 * consumer thread, get every completion back" loop built on JCTools' SPSC queue and on the LMAX
 * Disruptor, with a request shaped like a copy descriptor and a completion status the consumer
 * writes.
 *
 * <p>Does not model: any data movement (the requests are NOOPs), blocking waits (every side
 * busy-spins, as the copy engine's device thread does).
 *
 * <p>Invariant: one producer thread (the JMH thread) and one consumer thread per harness;
 * capacity {@link RoundTrip#CAPACITY} for every implementation; a round trip returns only when
 * every request of the batch has come back with a status the consumer wrote.
 */
package org.jdma.bench.ring;
