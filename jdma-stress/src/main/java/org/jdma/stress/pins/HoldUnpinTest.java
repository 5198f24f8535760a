package org.jdma.stress.pins;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.jdma.kernel.mm.DmaPins;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A ring driver holding a buffer for a descriptor races the unmap of that buffer: one page is
 * pinned for a device; one actor holds the page's bus range, the other unpins it. Exactly one may
 * win: the hold first, and the unpin is refused (naming the hold) and removes nothing; the unpin
 * first, and the hold is refused because nothing maps the range any more.
 *
 * <p>r1 = 1 when the hold succeeded; r2 = 1 when the unpin removed the pin; r3 (arbiter) = live
 * pins * 10 + live holds afterwards.
 */
@JCStressTest
@Outcome(id = "1, 0, 11", expect = ACCEPTABLE, desc = "hold first: the unpin is refused and the pin stays, held")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "unpin first: the hold is refused, nothing is left")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "a hold on a mapping that was removed")
@Outcome(expect = FORBIDDEN, desc = "both refused, or pins and holds disagree with who won")
@State
public class HoldUnpinTest {

    private static final long PHYSICAL = 0x10_0000L;
    private static final long BUS = 0x8000_0000L;
    private static final long PAGE = 4096;
    private static final Object DEVICE = "device";
    private static final String KIND = "single";

    private final DmaPins pins = new DmaPins();

    public HoldUnpinTest() {
        pins.pin(PHYSICAL, PAGE, DEVICE, BUS, "TO_DEVICE", DmaPins.DEVICE_READS, KIND);
    }

    @Actor
    public void ringDriver(III_Result r) {
        long[] ids = new long[1];
        r.r1 = pins.hold(DEVICE, 1, new long[] {BUS}, new long[] {PAGE}, new int[] {DmaPins.DEVICE_READS},
                new String[] {"source"}, "ring", 0, ids, 0) == null ? 1 : 0;
    }

    @Actor
    public void unmapper(III_Result r) {
        r.r2 = pins.unpin(DEVICE, BUS, KIND, 1) == null ? 1 : 0;
    }

    @Arbiter
    public void check(III_Result r) {
        r.r3 = pins.size() * 10 + pins.holdCount();
    }
}
