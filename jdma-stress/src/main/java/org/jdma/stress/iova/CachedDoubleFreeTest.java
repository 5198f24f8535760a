package org.jdma.stress.iova;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.jdma.kernel.iommu.iova.CachedIovaAllocator;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Two threads free the same held pfn at once (a driver's double free). With {@code verifyFrees}
 * the check and the mark happen under the tree lock, so exactly one free is accepted and the
 * other is refused with {@link IllegalArgumentException}; the pfn is then cached once, and the
 * next two allocations get two different pfns.
 *
 * <p>r1, r2 = 1 when that actor's free was refused, else 0; r3 (arbiter) = 1 when two allocations
 * after the race return two different pfns, else 0.
 */
@JCStressTest
@Outcome(id = {"0, 1, 1", "1, 0, 1"}, expect = ACCEPTABLE, desc = "one free accepted, the other refused")
@Outcome(id = "0, 0, 0", expect = FORBIDDEN, desc = "both frees accepted: the pfn is cached twice and handed out twice")
@Outcome(expect = FORBIDDEN, desc = "other")
@State
public class CachedDoubleFreeTest {

    private final CachedIovaAllocator iova = IovaSpace2.cached();

    public CachedDoubleFreeTest() {
        IovaSpace2.take(iova, IovaSpace2.HIGH);
    }

    @Actor
    public void first(III_Result r) {
        r.r1 = freeRefused();
    }

    @Actor
    public void second(III_Result r) {
        r.r2 = freeRefused();
    }

    private int freeRefused() {
        try {
            iova.free(IovaSpace2.HIGH, 1);
            return 0;
        } catch (IllegalArgumentException refused) {
            return 1;
        }
    }

    @Arbiter
    public void check(III_Result r) {
        long a = iova.allocate(1, IovaSpace2.LIMIT, false);
        long b = iova.allocate(1, IovaSpace2.LIMIT, false);
        r.r3 = a != b ? 1 : 0;
    }
}
