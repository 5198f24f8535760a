package org.jdma.stress.ring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.jdma.kernel.drivers.memcpy.CompletedDescriptor;
import org.jdma.kernel.drivers.memcpy.CopyRing;
import org.jdma.kernel.drivers.memcpy.CopyRingLayout;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.drivers.memcpy.DescriptorCodec;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CompletionStatus;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * Two consumers on a full shared ring of 4 slots ({@code CopyRing} with {@code Threads.SHARED}):
 * descriptors 0, 1 and 2 are in flight and the device has completed them (record fields through
 * its {@code DmaPort}, then the status byte with release). Consumer A drains at most one; consumer
 * B drains at most two and then, as a producer, submits two more (jcstress runs no more actors
 * than the 2 CPUs). The second of those takes slot 0 again, which it may only do once descriptors
 * 0 and 1 have both been read: if B got 1 and 2 while A is still reading 0, B's submission must
 * wait for A, even though B has freed its own two.
 *
 * <p>r1, r2 = how many A and B drained (each completed descriptor goes to exactly one: 1 and 2);
 * r3, r4 = 1 when every descriptor A (B) drained carried its own record and descriptor, 0 when one
 * was cleared or overwritten by a producer reusing its slot; r5 = how many B then got in.
 */
@JCStressTest
@Outcome(id = "1, 2, 1, 1, 0", expect = ACCEPTABLE, desc = "drained once each, intact; A still reading 0 when B submitted")
@Outcome(id = "1, 2, 1, 1, 1", expect = ACCEPTABLE, desc = "drained once each, intact; 0 freed, 1 not yet, when B submitted")
@Outcome(id = "1, 2, 1, 1, 2", expect = ACCEPTABLE, desc = "drained once each, intact; 0 and 1 freed, slot 0 reused after")
@Outcome(expect = FORBIDDEN, desc = "a descriptor drained twice or not at all, or read after its slot was reused")
@State
public class SharedDrainTest {

    private static final int SLOTS = 4;
    private static final int NEW_RESULT = 1;
    private static final long NEW_BYTES = 0x8765_4321L;
    private static final long NEW_FAULT = 0x0BAD_F00D_0000L;
    private static final List<Descriptor> IN_FLIGHT = List.of(
            Descriptor.memmove(0x1000_0000L, 0x2000_0000L, 0x10),
            Descriptor.memmove(0x1100_0000L, 0x2100_0000L, 0x20),
            Descriptor.memmove(0x1200_0000L, 0x2200_0000L, 0x30));
    private static final List<Descriptor> MORE = List.of(
            Descriptor.memmove(0x1300_0000L, 0x2300_0000L, 0x40),
            Descriptor.memmove(0x1400_0000L, 0x2400_0000L, 0x50));

    private final SharedRam ram = new SharedRam(SLOTS, CopyRing.Threads.SHARED);
    private final CompletedDescriptor[] outA = new CompletedDescriptor[1];
    private final CompletedDescriptor[] outB = new CompletedDescriptor[2];

    public SharedDrainTest() {
        ram.ring.submit(IN_FLIGHT);
        MemorySegment written = MemorySegment.ofArray(new byte[CopyRingLayout.COMPLETION_SIZE]);
        DescriptorCodec.encodeCompletionFields(written, 0, NEW_RESULT, NEW_BYTES, NEW_FAULT);
        for (int slot = 0; slot < IN_FLIGHT.size(); slot++) {
            long record = CopyRingLayout.completionOffset(SLOTS, slot);
            ram.device.write(record + 1, written, 1, CopyRingLayout.COMPLETION_SIZE - 1);
            ram.device.writeByteRelease(record + CompletionRecordLayout.STATUS, (byte) CompletionStatus.SUCCESS.code());
        }
    }

    @Actor
    public void consumerA(IIIII_Result r) {
        int n = ram.ring.drain(outA);
        r.r1 = n;
        r.r3 = intact(outA, n);
    }

    @Actor
    public void consumerBThenProducer(IIIII_Result r) {
        int n = ram.ring.drain(outB);
        r.r5 = ram.ring.submit(MORE);
        r.r2 = n;
        r.r4 = intact(outB, n);
    }

    private static int intact(CompletedDescriptor[] out, int n) {
        for (int i = 0; i < n; i++) {
            CompletedDescriptor c = out[i];
            if (c.sequence() < 0 || c.sequence() >= IN_FLIGHT.size()) {
                return 0;
            }
            Descriptor sent = IN_FLIGHT.get((int) c.sequence());
            boolean own = c.descriptor().address() == sent.address() && c.descriptor().destination() == sent.destination()
                    && c.descriptor().length() == sent.length();
            boolean record = c.status() == CompletionStatus.SUCCESS && c.result() == NEW_RESULT && c.bytesCompleted() == NEW_BYTES
                    && c.faultAddress() == NEW_FAULT;
            if (!own || !record) {
                return 0;
            }
        }
        return 1;
    }
}
