package org.jdma.stress.ring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.MemorySegment;
import org.jdma.kernel.drivers.memcpy.CompletedDescriptor;
import org.jdma.kernel.drivers.memcpy.CopyRingLayout;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.drivers.memcpy.DescriptorCodec;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CompletionStatus;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Completion record fields versus its status byte, through the kernel's real ring code. A
 * descriptor is in flight in slot 0 (submitted by {@code CopyRing.submit}, which cleared the
 * slot's record). The device side does what the copy engine does when it completes a descriptor:
 * writes bytes 1..31 of the record through its {@code DmaPort}, then the status byte with
 * {@code writeByteRelease}. The driver side calls {@code CopyRing.drain}: the shared ring
 * protocol ({@code SubmissionRing.reap}) asks the copy engine's completion test, which reads the
 * status byte with acquire through the CPU path, and only then reads and decodes the record.
 *
 * <p>r1 = status the drained descriptor carries (0: nothing drained); r2 = its other fields: 1 the
 * new ones, 0 the cleared ones (stale), 2 a mix (torn), -1 not drained.
 */
@JCStressTest
@Outcome(id = "0, -1", expect = ACCEPTABLE, desc = "status not written yet; nothing drained")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "drained with SUCCESS; every field of the record visible")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "drained but the fields are the cleared record's")
@Outcome(id = "1, 2", expect = FORBIDDEN, desc = "drained but the record is torn")
@State
public class CompletionPublishTest {

    private static final int NEW_RESULT = 1;
    private static final long NEW_BYTES = 0x8765_4321L;
    private static final long NEW_FAULT = 0x0BAD_F00D_0000L;
    private static final long RECORD = CopyRingLayout.completionOffset(SharedRam.SLOTS, 0);

    private final SharedRam ram = new SharedRam();
    private final MemorySegment written = MemorySegment.ofArray(new byte[CopyRingLayout.COMPLETION_SIZE]);
    private final CompletedDescriptor[] out = new CompletedDescriptor[1];

    public CompletionPublishTest() {
        ram.ring.submit(Descriptor.noop());
    }

    @Actor
    public void device() {
        DescriptorCodec.encodeCompletionFields(written, 0, NEW_RESULT, NEW_BYTES, NEW_FAULT);
        ram.device.write(RECORD + 1, written, 1, CopyRingLayout.COMPLETION_SIZE - 1);
        ram.device.writeByteRelease(RECORD + CompletionRecordLayout.STATUS, (byte) CompletionStatus.SUCCESS.code());
    }

    @Actor
    public void driver(II_Result r) {
        if (ram.ring.drain(out) == 0) {
            r.r1 = CompletionStatus.NONE.code();
            r.r2 = -1;
            return;
        }
        CompletedDescriptor c = out[0];
        r.r1 = c.statusByte();
        boolean isNew = c.result() == NEW_RESULT && c.bytesCompleted() == NEW_BYTES && c.faultAddress() == NEW_FAULT;
        boolean isCleared = c.result() == 0 && c.bytesCompleted() == 0 && c.faultAddress() == 0;
        r.r2 = isNew ? 1 : isCleared ? 0 : 2;
    }
}
