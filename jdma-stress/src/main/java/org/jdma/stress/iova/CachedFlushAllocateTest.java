package org.jdma.stress.iova;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.jdma.kernel.iommu.iova.CachedIovaAllocator;
import org.jdma.kernel.iommu.iova.IovaAllocator;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JI_Result;

/**
 * A flush racing an allocation. The magazine holds HIGH, LOW is held, so the tree is full until
 * the flush has given HIGH back. The allocator pops HIGH from the magazine, or, if the flush has
 * emptied the magazine, takes it from the tree; when the tree is still full it flushes itself and
 * asks again. Linux frees a CPU's magazines into the tree while holding that CPU's cache lock
 * ({@code free_cpu_cached_iovas}), so the allocation's own flush waits for the concurrent one and
 * its retry finds HIGH: failing here would report a full space that has a free pfn.
 *
 * <p>r1 = the pfn allocated; r2 (arbiter) = 1 when HIGH is allocated and nothing is cached.
 */
@JCStressTest
@Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "got HIGH, from the magazine or from the tree after the flush")
@Outcome(id = "-1, 0", expect = FORBIDDEN, desc = "allocation failed while the concurrent flush had HIGH in flight to the tree")
@Outcome(expect = FORBIDDEN, desc = "other: a wrong pfn, or cache and tree disagree")
@State
public class CachedFlushAllocateTest {

    private final CachedIovaAllocator iova = TwoPageIovaSpace.full();
    private long got = IovaAllocator.NONE;

    public CachedFlushAllocateTest() {
        iova.free(TwoPageIovaSpace.HIGH, 1);
    }

    @Actor
    public void flusher() {
        iova.flush();
    }

    @Actor
    public void allocator(JI_Result r) {
        got = iova.allocate(1, TwoPageIovaSpace.LIMIT);
        r.r1 = got;
    }

    @Arbiter
    public void check(JI_Result r) {
        r.r2 = got == TwoPageIovaSpace.HIGH && iova.isAllocated(TwoPageIovaSpace.HIGH) && iova.stats().cachedRanges() == 0 ? 1 : 0;
    }
}
