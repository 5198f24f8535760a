/**
 * The copy engine's datasheet: its register map ({@link org.jdma.spec.memcpy.CopyEngineRegisters}),
 * the 64-byte descriptor ({@code struct dsa_hw_desc}, Intel DSA Architecture Specification, doc
 * 341204, §8.3.1), the 32-byte completion record (§8.3.2), opcodes and completion statuses. The
 * device model and its driver agree only on these bits.
 *
 * <p>Invariant: no class here holds state; each is a set of named constants and pure functions.
 */
package org.jdma.spec.memcpy;
