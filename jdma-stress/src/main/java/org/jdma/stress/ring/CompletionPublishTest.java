package org.jdma.stress.ring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.MemorySegment;
import org.jdma.kernel.drivers.memcpy.DescriptorCodec;
import org.jdma.kernel.drivers.memcpy.CopyRingLayout;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CompletionStatus;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Completion record fields versus its status byte. The device side does what the copy engine does
 * when it completes a descriptor: writes bytes 1..31 of the record through its {@code DmaPort},
 * then the status byte with {@code writeByteRelease}. The driver side does what
 * {@code DmaEngine.drain} does: reads the status byte with acquire through the CPU path and, when
 * it is non-zero, the whole record ({@link DescriptorCodec#decodeCompletion}). The record starts out
 * as drain leaves a reaped slot: status cleared, the previous lap's fields still there.
 *
 * <p>r1 = status byte seen; r2 = the other fields: 1 the new ones, 0 the previous lap's (stale),
 * 2 a mix (torn), -1 not read.
 */
@JCStressTest
@Outcome(id = "0, -1", expect = ACCEPTABLE, desc = "status not written yet; record not read")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "status SUCCESS seen; every field of the record visible")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "status seen but the fields are the previous lap's")
@Outcome(id = "1, 2", expect = FORBIDDEN, desc = "status seen but the record is torn")
@State
public class CompletionPublishTest {

    private static final long RECORD = 1024;
    private static final int NEW_RESULT = 1;
    private static final long NEW_BYTES = 0x8765_4321L;
    private static final long NEW_FAULT = 0x0BAD_F00D_0000L;
    private static final long OLD_BYTES = 0x10;
    private static final long OLD_FAULT = 0x1234_5000L;

    private final RingMemory ram = new RingMemory();
    private final MemorySegment written = MemorySegment.ofArray(new byte[CopyRingLayout.COMPLETION_SIZE]);
    private final MemorySegment readBack = MemorySegment.ofArray(new byte[CopyRingLayout.COMPLETION_SIZE]);

    public CompletionPublishTest() {
        MemorySegment old = MemorySegment.ofArray(new byte[CopyRingLayout.COMPLETION_SIZE]);
        DescriptorCodec.encodeCompletionFields(old, 0, 0, OLD_BYTES, OLD_FAULT);
        ram.cpu.store(RECORD, old, 0, CopyRingLayout.COMPLETION_SIZE);
    }

    @Actor
    public void device() {
        DescriptorCodec.encodeCompletionFields(written, 0, NEW_RESULT, NEW_BYTES, NEW_FAULT);
        ram.device.write(RECORD + 1, written, 1, CopyRingLayout.COMPLETION_SIZE - 1);
        ram.device.writeByteRelease(RECORD + CompletionRecordLayout.STATUS, (byte) CompletionStatus.SUCCESS.code());
    }

    @Actor
    public void driver(II_Result r) {
        int status = ram.cpu.loadByteAcquire(RECORD + CompletionRecordLayout.STATUS) & 0xFF;
        r.r1 = status;
        if (status == CompletionStatus.NONE.code()) {
            r.r2 = -1;
            return;
        }
        ram.cpu.load(RECORD, readBack, 0, CopyRingLayout.COMPLETION_SIZE);
        DescriptorCodec.Completion c = DescriptorCodec.decodeCompletion(readBack, 0);
        boolean isNew = c.result() == NEW_RESULT && c.bytesCompleted() == NEW_BYTES && c.faultAddress() == NEW_FAULT;
        boolean isOld = c.result() == 0 && c.bytesCompleted() == OLD_BYTES && c.faultAddress() == OLD_FAULT;
        r.r2 = isNew ? 1 : isOld ? 0 : 2;
    }
}
