package org.jdma.stress.ring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.MemorySegment;
import org.jdma.kernel.drivers.memcpy.CopyRing;
import org.jdma.kernel.drivers.memcpy.CopyRingLayout;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.drivers.memcpy.DescriptorCodec;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Two producers on a shared ring ({@code CopyRing} with {@code Threads.SHARED}, over
 * {@code MpmcSubmissionRing}) each submit one descriptor: one claims slot 0, the other slot 1, and
 * either may finish writing first. Right after its own submit returns, the second producer plays
 * the device (jcstress runs no more actors than the 2 CPUs): it reads SUBMIT_INDEX (the volatile
 * the doorbell stores), then fetches through its {@code DmaPort} every slot below it. The case
 * that matters: it claimed slot 1 and finished while the first producer is still writing slot 0;
 * then the index must not yet cover slot 1. Slots 0 and 1 start out holding the previous lap's
 * descriptor.
 *
 * <p>r1 = index seen; r2, r3 = what slot 0 and slot 1 held: 1 one of the two new descriptors, 0
 * the previous lap's (stale), 2 a mix (torn), -1 not fetched (at or past the index). Slot 1
 * published before slot 0 is written shows as index 2 with r2 != 1.
 */
@JCStressTest
@Outcome(id = "0, -1, -1", expect = ACCEPTABLE, desc = "nothing announced yet: slot 0 still being written, or the other producer rings")
@Outcome(id = "1, 1, -1", expect = ACCEPTABLE, desc = "slot 0 published, whole")
@Outcome(id = "2, 1, 1", expect = ACCEPTABLE, desc = "both published, both whole")
@Outcome(expect = FORBIDDEN, desc = "a slot below the doorbell's index is stale or torn")
@State
public class SharedPublishOrderTest {

    private static final int SLOTS = 4;
    private static final Descriptor OLD = Descriptor.memmove(0x1111_0000L, 0x2222_0000L, 0x10);
    private static final Descriptor FIRST = Descriptor.memmove(0x3333_0000L, 0x4444_0000L, 0x20);
    private static final Descriptor SECOND = Descriptor.memmove(0x5555_0000L, 0x6666_0000L, 0x30);

    private final SharedRam ram = new SharedRam(SLOTS, CopyRing.Threads.SHARED);
    private final MemorySegment fetched = MemorySegment.ofArray(new byte[CopyRingLayout.DESCRIPTOR_SIZE]);

    public SharedPublishOrderTest() {
        MemorySegment old = MemorySegment.ofArray(new byte[CopyRingLayout.DESCRIPTOR_SIZE]);
        for (int slot = 0; slot < 2; slot++) {
            DescriptorCodec.encode(old, 0, OLD, CopyRingLayout.completionOffset(SLOTS, slot), 0);
            ram.memory.write(CopyRingLayout.descriptorOffset(slot), old, 0, CopyRingLayout.DESCRIPTOR_SIZE);
        }
    }

    @Actor
    public void producer1() {
        ram.ring.submit(FIRST);
    }

    @Actor
    public void producer2ThenDevice(III_Result r) {
        ram.ring.submit(SECOND);
        int index = ram.submitIndex;
        r.r1 = index;
        r.r2 = index > 0 ? fetch(0) : -1;
        r.r3 = index > 1 ? fetch(1) : -1;
    }

    private int fetch(int slot) {
        ram.device.read(CopyRingLayout.descriptorOffset(slot), fetched, 0, CopyRingLayout.DESCRIPTOR_SIZE);
        DescriptorCodec.Encoded e = DescriptorCodec.decode(fetched, 0);
        if (is(e, FIRST) || is(e, SECOND)) {
            return 1;
        }
        return is(e, OLD) ? 0 : 2;
    }

    private static boolean is(DescriptorCodec.Encoded e, Descriptor d) {
        return e.sourceOrPattern() == d.address() && e.destination() == d.destination() && e.transferSize() == d.length();
    }
}
