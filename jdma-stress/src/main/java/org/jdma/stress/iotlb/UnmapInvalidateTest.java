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
 * A device-thread write racing the CPU's unmap of the page (leaf entry cleared) and the
 * page-selective IOTLB invalidation after it; the IOTLB holds the old translation. The fault the
 * write may meet is recorded from the device thread, as in the threaded copy engine.
 *
 * <p>r1 = 1 when the device saw the invalidation done before it translated; r2 = what the
 * translation found (1 old page, 0 fault).
 */
@JCStressTest
@Outcome(id = {"0, 1", "0, 0"}, expect = ACCEPTABLE, desc = "translated before the invalidation was known done: old page (IOTLB) or fault")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "after the invalidation: the write faults")
@Outcome(id = "1, 1", expect = FORBIDDEN, desc = "a write through a stale IOTLB entry after its invalidation completed")
@Outcome(expect = FORBIDDEN, desc = "a page nothing ever mapped")
@State
public class UnmapInvalidateTest {

    private final TranslatedPage page = new TranslatedPage();
    private volatile boolean invalidated;

    @Actor
    public void cpu() {
        page.unmap();
        page.invalidatePage();
        invalidated = true;
    }

    @Actor
    public void device(II_Result r) {
        r.r1 = invalidated ? 1 : 0;
        r.r2 = page.translateOnDeviceThread(Access.WRITE);
    }
}
