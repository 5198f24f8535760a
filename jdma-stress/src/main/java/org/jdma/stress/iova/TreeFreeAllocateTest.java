package org.jdma.stress.iova;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.jdma.kernel.iommu.iova.IovaAllocator;
import org.jdma.kernel.iommu.iova.TreeIovaAllocator;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JI_Result;

/**
 * The uncached tree allocator with a full two-pfn space: one actor frees HIGH while the other
 * allocates one page. The allocation gets HIGH if the free came first and fails otherwise; the
 * arbiter checks that the tree agrees.
 *
 * <p>r1 = the pfn allocated (-1: none); r2 (arbiter) = 1 when HIGH is allocated exactly when the
 * allocation got it and LOW is still allocated, else 0.
 */
@JCStressTest
@Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "free first: the allocation got HIGH")
@Outcome(id = "-1, 1", expect = ACCEPTABLE, desc = "allocation first: the space was full")
@Outcome(expect = FORBIDDEN, desc = "other: a wrong pfn, or the tree disagrees with the result")
@State
public class TreeFreeAllocateTest {

    private final TreeIovaAllocator iova = IovaSpace2.tree();
    private long got = IovaAllocator.NONE;

    public TreeFreeAllocateTest() {
        IovaSpace2.take(iova, IovaSpace2.HIGH);
        IovaSpace2.take(iova, IovaSpace2.LOW);
    }

    @Actor
    public void freer() {
        iova.free(IovaSpace2.HIGH, 1);
    }

    @Actor
    public void allocator(JI_Result r) {
        got = iova.allocate(1, IovaSpace2.LIMIT);
        r.r1 = got;
    }

    @Arbiter
    public void check(JI_Result r) {
        boolean ok = iova.isAllocated(IovaSpace2.HIGH) == (got == IovaSpace2.HIGH) && iova.isAllocated(IovaSpace2.LOW);
        r.r2 = ok ? 1 : 0;
    }
}
