/**
 * jcstress tests of the descriptor ring's memory ordering: descriptor slot versus doorbell, and
 * completion-record fields versus status byte. Both sides use the code that really runs: the
 * kernel's {@code DescriptorCodec} and CPU memory path on one side, the device's {@code DmaPort}
 * (and, for the doorbell, the volatile index the copy engine's SUBMIT_INDEX hook stores) on the
 * other.
 *
 * <p>Models the two publication edges between {@code org.jdma.kernel.compat.hardware.DmaEngine} and the copy
 * engine. Does not model the register file's dispatch of the doorbell write (the doorbell is the
 * volatile field the write ends in) or the kernel-side ring indices, which are plain Java fields
 * with acquire/release accessors.
 *
 * <p>Invariant checked: a consumer that sees the index (or the status) also sees every byte
 * written before it was published.
 */
package org.jdma.stress.ring;
