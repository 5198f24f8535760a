package org.jdma.stress.ring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import org.jdma.kernel.engine.Descriptor;
import org.jdma.kernel.engine.DescriptorCodec;
import org.jdma.kernel.engine.RingLayout;
import org.jdma.machine.cache.CpuCache;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Publish/consume ordering of a descriptor slot, as {@code DmaEngine.submit} does it: the producer
 * encodes the descriptor into its slot with plain stores ({@link DescriptorCodec#encode}, copied
 * into ring memory through the CPU path), issues a release fence and writes the doorbell index with a plain store (an MMIO write is no more);
 * the consumer (the device) reads the index with acquire and then the slot. The slot starts out
 * holding the descriptor of the previous lap around the ring.
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
    private static final long DOORBELL = 2048;
    private static final long COMPLETION = 1024;
    private static final Descriptor OLD = Descriptor.memmove(0x1111_0000L, 0x2222_0000L, 0x10);
    private static final Descriptor NEW = Descriptor.memmove(0x3333_0000L, 0x4444_0000L, 0x20);

    private final CpuCache ram = RingMemory.create();
    private final MemorySegment scratch = MemorySegment.ofArray(new byte[RingLayout.DESCRIPTOR_SIZE]);
    private final MemorySegment readBack = MemorySegment.ofArray(new byte[RingLayout.DESCRIPTOR_SIZE]);

    public DescriptorPublishTest() {
        DescriptorCodec.encode(scratch, 0, OLD, COMPLETION, 0);
        ram.store(SLOT, scratch, 0, RingLayout.DESCRIPTOR_SIZE);
    }

    @Actor
    public void producer() {
        DescriptorCodec.encode(scratch, 0, NEW, COMPLETION, 0);
        ram.store(SLOT, scratch, 0, RingLayout.DESCRIPTOR_SIZE);
        VarHandle.releaseFence();
        ram.storeInt(DOORBELL, 1);
    }

    @Actor
    public void consumer(II_Result r) {
        int index = ram.loadIntAcquire(DOORBELL);
        r.r1 = index;
        if (index == 0) {
            r.r2 = -1;
            return;
        }
        ram.load(SLOT, readBack, 0, RingLayout.DESCRIPTOR_SIZE);
        DescriptorCodec.Encoded e = DescriptorCodec.decode(readBack, 0);
        boolean isNew = e.sourceOrPattern() == NEW.address() && e.destination() == NEW.destination() && e.transferSize() == NEW.length();
        boolean isOld = e.sourceOrPattern() == OLD.address() && e.destination() == OLD.destination() && e.transferSize() == OLD.length();
        r.r2 = isNew ? 1 : isOld ? 0 : 2;
    }
}
