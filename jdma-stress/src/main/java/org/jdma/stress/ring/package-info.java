/**
 * jcstress tests of the descriptor ring's memory ordering: descriptor slot versus doorbell, and
 * completion-record fields versus status byte, through the kernel's own codec and the machine's
 * CPU memory path.
 *
 * <p>Models the two publication edges of {@code org.jdma.kernel.engine.DmaEngine}; does not model
 * the device's register file (the doorbell is a memory word here) or the ring indices, which are
 * plain Java fields with acquire/release accessors.
 *
 * <p>Invariant checked: a consumer that sees the index (or status) also sees every byte written
 * before it was published.
 */
package org.jdma.stress.ring;
