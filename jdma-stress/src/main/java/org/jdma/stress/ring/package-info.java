/**
 * jcstress tests of the descriptor ring's memory ordering, through the kernel's real ring code
 * ({@code CopyRing} over the shared ring protocol, {@code org.jdma.kernel.ring}): descriptor slot
 * versus doorbell ({@code submit}), and completion-record fields versus status byte
 * ({@code drain}). The kernel side runs exactly the code drivers run, on the machine's CPU path;
 * the device side is the copy engine's {@code DmaPort} (and, for the doorbell, the volatile index
 * the copy engine's SUBMIT_INDEX hook stores).
 *
 * <p>Does not model the register file's dispatch of the doorbell write (the doorbell is the
 * volatile field the write ends in).
 *
 * <p>Invariant checked: a consumer that sees the index (or the status) also sees every byte
 * written before it was published.
 */
package org.jdma.stress.ring;
