/**
 * Deterministic event kernel: virtual time in nanoseconds, events ordered by (time, insertion
 * sequence), one seeded random source, and a trace recorder.
 *
 * <p>Models: the passage of time for every device and bus in the machine. Does not model: wall
 * clock time (devices that run on real threads measure that themselves).
 *
 * <p>Invariant: with the same seed and the same sequence of calls, the same events run in the same
 * order at the same virtual times, so the recorded trace is identical byte for byte. Work posted
 * by device threads ({@link org.jdma.machine.time.EventKernel#post}) runs on the machine thread
 * between two events; when it arrives is up to real concurrency, so a machine with a device thread
 * running is not deterministic, and one without is unaffected.
 */
package org.jdma.machine.time;
