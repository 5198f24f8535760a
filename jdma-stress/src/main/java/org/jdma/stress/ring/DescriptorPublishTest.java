package org.jdma.stress.ring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.drivers.memcpy.DescriptorCodec;
import org.jdma.kernel.drivers.memcpy.CopyRingLayout;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Publish/consume ordering of a descriptor slot. The producer does what {@code DmaEngine.submit}
 * does: encodes the descriptor ({@link DescriptorCodec#encode}) and copies it into ring memory
 * through the CPU path with plain stores, issues a release fence, and rings the doorbell. The
 * doorbell is what the copy engine's SUBMIT_INDEX write hook stores, a volatile int. The consumer
 * does what the copy engine's device thread does: reads that volatile index, then fetches the slot
 * through its {@code DmaPort}. The slot starts out holding the previous lap's descriptor.
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

    private static final long SLOT = 0;
    private static final long COMPLETION = 1024;
    private static final Descriptor OLD = Descriptor.memmove(0x1111_0000L, 0x2222_0000L, 0x10);
    private static final Descriptor NEW = Descriptor.memmove(0x3333_0000L, 0x4444_0000L, 0x20);

    private final RingMemory ram = new RingMemory();
    private final MemorySegment scratch = MemorySegment.ofArray(new byte[CopyRingLayout.DESCRIPTOR_SIZE]);
    private final MemorySegment fetched = MemorySegment.ofArray(new byte[CopyRingLayout.DESCRIPTOR_SIZE]);
    private volatile int submitIndex;

    public DescriptorPublishTest() {
        DescriptorCodec.encode(scratch, 0, OLD, COMPLETION, 0);
        ram.cpu.store(SLOT, scratch, 0, CopyRingLayout.DESCRIPTOR_SIZE);
    }

    @Actor
    public void producer() {
        DescriptorCodec.encode(scratch, 0, NEW, COMPLETION, 0);
        ram.cpu.store(SLOT, scratch, 0, CopyRingLayout.DESCRIPTOR_SIZE);
        VarHandle.releaseFence();
        submitIndex = 1;
    }

    @Actor
    public void device(II_Result r) {
        int index = submitIndex;
        r.r1 = index;
        if (index == 0) {
            r.r2 = -1;
            return;
        }
        ram.device.read(SLOT, fetched, 0, CopyRingLayout.DESCRIPTOR_SIZE);
        DescriptorCodec.Encoded e = DescriptorCodec.decode(fetched, 0);
        boolean isNew = e.sourceOrPattern() == NEW.address() && e.destination() == NEW.destination() && e.transferSize() == NEW.length();
        boolean isOld = e.sourceOrPattern() == OLD.address() && e.destination() == OLD.destination() && e.transferSize() == OLD.length();
        r.r2 = isNew ? 1 : isOld ? 0 : 2;
    }
}
