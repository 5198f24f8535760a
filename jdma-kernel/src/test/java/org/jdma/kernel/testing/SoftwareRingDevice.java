package org.jdma.kernel.testing;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import org.jdma.kernel.drivers.memcpy.DescriptorCodec;
import org.jdma.kernel.compat.hardware.RingDevice;
import org.jdma.kernel.drivers.memcpy.CopyRingLayout;
import org.jdma.platform.Cpu;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CompletionStatus;

/**
 * Test-only ring consumer for the ring's contract tests: reads descriptors from ring memory in the
 * device format and writes a completion record for each (fields first, then the status byte),
 * when the test calls {@link #process}, on the test's thread. Moves no data. Concurrency is tested
 * against the real copy engine's device thread instead.
 */
public final class SoftwareRingDevice implements RingDevice {

    private final Cpu cpu;
    private long ringBase;
    private int slots;
    private int submitIndex;
    private int fetchIndex;
    private final MemorySegment scratch = MemorySegment.ofArray(new byte[CopyRingLayout.DESCRIPTOR_SIZE]);
    private ToIntFunction<DescriptorCodec.Encoded> statusFor = d -> CompletionStatus.SUCCESS.code();
    private final List<Integer> doorbells = new ArrayList<>();
    private final List<DescriptorCodec.Encoded> fetched = new ArrayList<>();
    private boolean attached;

    /** Device address → physical address: identity, or a test IOMMU's translation. */
    private final java.util.function.LongUnaryOperator toPhysical;

    public SoftwareRingDevice(Cpu cpu) {
        this(cpu, a -> a);
    }

    /** A device whose ring and completion addresses are translated by {@code toPhysical} (a test IOMMU). */
    public SoftwareRingDevice(Cpu cpu, java.util.function.LongUnaryOperator toPhysical) {
        this.cpu = cpu;
        this.toPhysical = toPhysical;
    }

    @Override
    public void attach(long base, int n) {
        this.ringBase = base;
        this.slots = n;
        this.fetchIndex = 0;
        this.submitIndex = 0;
        this.attached = true;
    }

    @Override
    public void doorbell(int producerIndex) {
        doorbells.add(producerIndex);
        submitIndex = producerIndex;
    }

    @Override
    public int interruptHandle() {
        return 7;
    }

    @Override
    public void detach() {
        attached = false;
    }

    public boolean attached() {
        return attached;
    }

    public List<Integer> doorbells() {
        return doorbells;
    }

    public List<DescriptorCodec.Encoded> fetched() {
        return fetched;
    }

    /** Status byte to complete each fetched descriptor with (default SUCCESS). */
    public void statusFor(ToIntFunction<DescriptorCodec.Encoded> f) {
        this.statusFor = f;
    }

    /** Descriptors published but not yet consumed. */
    public int pending() {
        return Math.floorMod(submitIndex - fetchIndex, slots);
    }

    /** Completes up to {@code max} published descriptors; returns how many. */
    public int process(int max) {
        int n = 0;
        int submit = submitIndex;
        while (n < max && fetchIndex != submit) {
            completeOne();
            n++;
        }
        return n;
    }

    private void completeOne() {
        int slot = fetchIndex;
        cpu.read(toPhysical.applyAsLong(ringBase + CopyRingLayout.descriptorOffset(slot)), scratch, 0, CopyRingLayout.DESCRIPTOR_SIZE);
        DescriptorCodec.Encoded d = DescriptorCodec.decode(scratch, 0);
        fetched.add(d);
        long record = toPhysical.applyAsLong(d.completionAddress());
        cpu.write32(record + CompletionRecordLayout.BYTES_COMPLETED, (int) d.transferSize());
        cpu.write64(record + CompletionRecordLayout.FAULT_ADDR, 0);
        cpu.write8(record + CompletionRecordLayout.STATUS, statusFor.applyAsInt(d));
        fetchIndex = (slot + 1) & (slots - 1);
    }
}
