package org.jdma.kernel.testing;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import org.jdma.kernel.engine.DescriptorCodec;
import org.jdma.kernel.engine.RingDevice;
import org.jdma.kernel.engine.RingLayout;
import org.jdma.machine.Cpu;
import org.jdma.machine.dev.memcpy.CompletionRecordLayout;
import org.jdma.machine.dev.memcpy.CompletionStatus;

/**
 * Test-only ring consumer: reads descriptors from ring memory in the device format and writes a
 * completion record for each (fields first, then the status word with release), either when the
 * test calls {@link #process} or on its own thread ({@link #start}). Moves no data.
 */
public final class SoftwareRingDevice implements RingDevice {

    private final Cpu cpu;
    private volatile long ringBase;
    private volatile int slots;
    private volatile int submitIndex;
    private int fetchIndex;
    private final MemorySegment scratch = MemorySegment.ofArray(new byte[RingLayout.DESCRIPTOR_SIZE]);
    private volatile ToIntFunction<DescriptorCodec.Encoded> statusFor = d -> CompletionStatus.SUCCESS.code();
    private final List<Integer> doorbells = new ArrayList<>();
    private final List<DescriptorCodec.Encoded> fetched = new ArrayList<>();
    private volatile boolean recordFetched = true;
    private volatile boolean attached;
    private Thread thread;
    private volatile boolean running;
    private volatile Throwable failure;

    public SoftwareRingDevice(Cpu cpu) {
        this.cpu = cpu;
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
        if (thread == null) {
            doorbells.add(producerIndex);
        }
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
        cpu.read(ringBase + RingLayout.descriptorOffset(slot), scratch, 0, RingLayout.DESCRIPTOR_SIZE);
        DescriptorCodec.Encoded d = DescriptorCodec.decode(scratch, 0);
        if (recordFetched) {
            fetched.add(d);
        }
        long record = d.completionAddress();
        cpu.write32(record + CompletionRecordLayout.BYTES_COMPLETED, (int) d.transferSize());
        cpu.write64(record + CompletionRecordLayout.FAULT_ADDR, 0);
        cpu.write32Release(record + CompletionRecordLayout.STATUS, DescriptorCodec.statusWord(statusFor.applyAsInt(d), 0));
        fetchIndex = (slot + 1) & (slots - 1);
    }

    /** Consumes on a thread of its own until {@link #stop}. */
    public void start() {
        recordFetched = false;
        running = true;
        thread = new Thread(() -> {
            try {
                while (running) {
                    if (fetchIndex != submitIndex) {
                        completeOne();
                    } else {
                        Thread.onSpinWait();
                    }
                }
            } catch (Throwable t) {
                failure = t;
            }
        }, "software-ring-device");
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join();
            thread = null;
        }
        if (failure != null) {
            throw new AssertionError("software ring device failed", failure);
        }
    }
}
