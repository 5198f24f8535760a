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
 * A free racing an allocation of the same size class on one magazine. The magazine holds LOW;
 * HIGH is held and the tree is full. One actor frees HIGH, the other allocates one page: it pops
 * LOW if it comes first, HIGH (the most recently freed) if the free comes first.
 *
 * <p>r1 = the pfn allocated; r2 (arbiter) = 1 when the other pfn is the one left cached and the
 * one handed out is allocated, with exactly one range cached, else 0.
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "allocation first: popped LOW; HIGH freed into the magazine")
@Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "free first: popped HIGH, the most recently freed; LOW stays cached")
@Outcome(id = {"1, 0", "2, 0"}, expect = FORBIDDEN, desc = "cache and tree disagree about which pfn is free")
@Outcome(expect = FORBIDDEN, desc = "allocation failed with a pfn in the magazine")
@State
public class CachedFreeAllocateTest {

    private final CachedIovaAllocator iova = TwoPageIovaSpace.full();
    private long got = IovaAllocator.NONE;

    public CachedFreeAllocateTest() {
        iova.free(TwoPageIovaSpace.LOW, 1);
    }

    @Actor
    public void freer() {
        iova.free(TwoPageIovaSpace.HIGH, 1);
    }

    @Actor
    public void allocator(JI_Result r) {
        got = iova.allocate(1, TwoPageIovaSpace.LIMIT);
        r.r1 = got;
    }

    @Arbiter
    public void check(JI_Result r) {
        long other = got == TwoPageIovaSpace.HIGH ? TwoPageIovaSpace.LOW : TwoPageIovaSpace.HIGH;
        boolean ok = iova.isAllocated(got) && !iova.isAllocated(other) && iova.stats().cachedRanges() == 1;
        r.r2 = ok ? 1 : 0;
    }
}
