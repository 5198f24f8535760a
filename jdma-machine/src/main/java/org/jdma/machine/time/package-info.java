/**
 * Deterministic event kernel: virtual time in nanoseconds, events ordered by (time, insertion
 * sequence), one seeded random source, and a trace recorder.
 *
 * <p>Models: the passage of time for every device and bus in the machine. Does not model: wall
 * clock time (devices that run on real threads measure that themselves).
 *
 * <p>Invariant: with the same seed and the same sequence of calls, the same events run in the same
 * order at the same virtual times, so the recorded trace is identical byte for byte.
 */
package org.jdma.machine.time;
