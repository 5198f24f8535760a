/**
 * jcstress tests of the IOVA allocators ({@code org.jdma.kernel.iommu.iova}) under contention:
 * two threads allocating from the same per-CPU magazine, a free racing an allocation of the same
 * size class, a flush racing an allocation (which also races the tree's batch free against its
 * allocation). Few tests on purpose: each costs 14 jcstress configurations (about 30 s in quick
 * mode on 2 cores), and {@code ./build jcstress} must stay short. Dropped for time after passing:
 * two frees of one pfn racing (with verifyFrees exactly one refused; 3 million samples) and the
 * tree allocator alone, one lock around every operation (allocate vs allocate, free vs allocate;
 * 104 million samples between them).
 *
 * <p>Every test works in a space of two pfns (start pfn 1, limit pfn 2), so that each outcome
 * names the pfns it got and the space is exhausted after two allocations. The cached allocator
 * is built with one CPU slot: jcstress picks the actor threads, and a slot per thread id would
 * make which magazine an actor uses depend on those ids; one slot puts both actors on the same
 * magazine, the contended case. Does not model several slots (that only moves contention to the
 * depot and the tree, which the flush test covers).
 *
 * <p>Invariant checked: a pfn is never handed out twice while held; a range is cached or
 * allocated, never both; an allocation fails only when the space really is full.
 */
package org.jdma.stress.iova;
