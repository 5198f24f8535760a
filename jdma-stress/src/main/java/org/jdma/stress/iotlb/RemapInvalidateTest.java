package org.jdma.stress.iotlb;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.jdma.machine.bus.Access;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A device-thread translation racing the CPU's remap of the page (old page to new) and the
 * page-selective IOTLB invalidation after it; the IOTLB holds the old translation. The CPU sets
 * {@code invalidated} once the invalidation command returned; the device reads it before it
 * translates.
 *
 * <p>r1 = 1 when the device saw the invalidation done before it translated; r2 = what the
 * translation found (1 old page, 2 new page, 0 fault).
 */
@JCStressTest
@Outcome(id = {"0, 1", "0, 2"}, expect = ACCEPTABLE, desc = "translated before the invalidation was known done: old (IOTLB) or new page")
@Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "after the invalidation: the new page")
@Outcome(id = "1, 1", expect = FORBIDDEN, desc = "a stale IOTLB entry used after its invalidation completed")
@Outcome(expect = FORBIDDEN, desc = "a fault or another page: both mappings allow the read")
@State
public class RemapInvalidateTest {

    private final TranslatedPage page = new TranslatedPage();
    private volatile boolean invalidated;

    @Actor
    public void cpu() {
        page.remap();
        page.invalidatePage();
        invalidated = true;
    }

    @Actor
    public void device(II_Result r) {
        r.r1 = invalidated ? 1 : 0;
        r.r2 = page.translateOnDeviceThread(Access.READ);
    }
}
