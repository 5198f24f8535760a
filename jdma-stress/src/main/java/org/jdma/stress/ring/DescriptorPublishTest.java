package org.jdma.stress.ring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.MemorySegment;
import org.jdma.kernel.drivers.memcpy.CopyRingLayout;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.drivers.memcpy.DescriptorCodec;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Publish/consume ordering of a descriptor slot, through the kernel's real ring code. The producer
 * calls {@code CopyRing.submit}: the shared ring protocol ({@code SubmissionRing.submitOne})
 * encodes the descriptor into slot 0 with plain stores through the CPU path, publishes the new
 * head, issues its release fence and rings the doorbell, which stores SUBMIT_INDEX (a volatile, as
 * the copy engine's register hook does). The device does what the copy engine's device thread
 * does: reads that index, then fetches the slot through its {@code DmaPort}. The slot starts out
 * holding the previous lap's descriptor.
 *
 * <p>r1 = index seen; r2 = what the slot held: 1 the new descriptor, 0 the previous lap's
 * (stale), 2 a mix (torn), -1 not read.
 */
@JCStressTest
@Outcome(id = "0, -1", expect = ACCEPTABLE, desc = "doorbell not seen yet; slot not read")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "doorbell seen; the whole new descriptor visible")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "doorbell seen but the slot still holds the previous lap's descriptor")
@Outcome(id = "1, 2", expect = FORBIDDEN, desc = "doorbell seen but the descriptor is torn")
@State
public class DescriptorPublishTest {

    private static final Descriptor OLD = Descriptor.memmove(0x1111_0000L, 0x2222_0000L, 0x10);
    private static final Descriptor NEW = Descriptor.memmove(0x3333_0000L, 0x4444_0000L, 0x20);

    private final SharedRam ram = new SharedRam();
    private final MemorySegment fetched = MemorySegment.ofArray(new byte[CopyRingLayout.DESCRIPTOR_SIZE]);

    public DescriptorPublishTest() {
        // The previous lap's descriptor in slot 0, as a drained ring leaves it.
        MemorySegment old = MemorySegment.ofArray(new byte[CopyRingLayout.DESCRIPTOR_SIZE]);
        DescriptorCodec.encode(old, 0, OLD, CopyRingLayout.completionOffset(SharedRam.SLOTS, 0), 0);
        ram.memory.write(CopyRingLayout.descriptorOffset(0), old, 0, CopyRingLayout.DESCRIPTOR_SIZE);
    }

    @Actor
    public void producer() {
        ram.ring.submit(NEW);
    }

    @Actor
    public void device(II_Result r) {
        int index = ram.submitIndex;
        r.r1 = index;
        if (index == 0) {
            r.r2 = -1;
            return;
        }
        ram.device.read(CopyRingLayout.descriptorOffset(0), fetched, 0, CopyRingLayout.DESCRIPTOR_SIZE);
        DescriptorCodec.Encoded e = DescriptorCodec.decode(fetched, 0);
        boolean isNew = e.sourceOrPattern() == NEW.address() && e.destination() == NEW.destination() && e.transferSize() == NEW.length();
        boolean isOld = e.sourceOrPattern() == OLD.address() && e.destination() == OLD.destination() && e.transferSize() == OLD.length();
        r.r2 = isNew ? 1 : isOld ? 0 : 2;
    }
}
