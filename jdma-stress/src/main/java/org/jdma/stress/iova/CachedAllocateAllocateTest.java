package org.jdma.stress.iova;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.jdma.kernel.iommu.iova.CachedIovaAllocator;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

/**
 * Two allocations of one page from one magazine holding both pfns of the space (freed in the
 * order HIGH, LOW, so LOW is on top). Each actor must get a different pfn; the tree is full, so
 * only the magazine can serve them.
 *
 * <p>r1, r2 = the pfn each actor got.
 */
@JCStressTest
@Outcome(id = {"1, 2", "2, 1"}, expect = ACCEPTABLE, desc = "each actor popped a different pfn")
@Outcome(id = {"1, 1", "2, 2"}, expect = FORBIDDEN, desc = "one pfn handed out twice")
@Outcome(expect = FORBIDDEN, desc = "an allocation failed (or got a pfn outside the space) while the magazine held two")
@State
public class CachedAllocateAllocateTest {

    private final CachedIovaAllocator iova = TwoPageIovaSpace.full();

    public CachedAllocateAllocateTest() {
        iova.free(TwoPageIovaSpace.HIGH, 1);
        iova.free(TwoPageIovaSpace.LOW, 1);
    }

    @Actor
    public void first(JJ_Result r) {
        r.r1 = iova.allocate(1, TwoPageIovaSpace.LIMIT);
    }

    @Actor
    public void second(JJ_Result r) {
        r.r2 = iova.allocate(1, TwoPageIovaSpace.LIMIT);
    }
}
