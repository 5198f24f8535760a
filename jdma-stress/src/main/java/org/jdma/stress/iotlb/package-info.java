/**
 * jcstress tests of the VT-d unit's IOTLB against invalidation when the device translates on a
 * thread of its own (the copy engine's threaded mode): a translation racing a remap and the
 * invalidation after it, and one racing an unmap and its invalidation. Two tests on purpose: each
 * costs jcstress configurations in CI.
 *
 * <p>Models the unit alone over a few pages of RAM ({@link org.jdma.stress.iotlb.TranslatedPage}),
 * the IOTLB loaded with the old translation; not the DMA port or the copy engine (the threaded
 * stress test in jdma-kernel covers those end to end).
 *
 * <p>Invariant checked: once the CPU has seen its invalidation command complete, no translation
 * that starts after it uses what the old entry allowed and the new one does not.
 */
package org.jdma.stress.iotlb;
