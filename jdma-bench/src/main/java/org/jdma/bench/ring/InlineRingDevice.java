package org.jdma.bench.ring;

import org.jdma.kernel.drivers.memcpy.CopyRing;
import org.jdma.kernel.drivers.memcpy.CopyRingLayout;
import org.jdma.platform.Cpu;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CompletionStatus;

/**
 * A stand-in device that completes every descriptor the moment the doorbell rings, on the ringing
 * thread, by storing SUCCESS into the slot's completion-record status byte. It reads nothing and
 * costs one CPU store per descriptor, so a {@link CopyRing} driven against it shows what the
 * ring's own submit and drain cost, with no device and no second thread.
 */
public final class InlineRingDevice implements CopyRing.Port {

    private final Cpu cpu;
    private long ringBase;
    private int slots;
    private int fetched;

    public InlineRingDevice(Cpu cpu) {
        this.cpu = cpu;
    }

    @Override
    public void attach(long ringBase, int slots) {
        this.ringBase = ringBase;
        this.slots = slots;
        this.fetched = 0;
    }

    @Override
    public void doorbell(int producerIndex) {
        while (fetched != producerIndex) {
            long record = ringBase + CopyRingLayout.completionOffset(slots, fetched) + CompletionRecordLayout.STATUS;
            cpu.write8(record, CompletionStatus.SUCCESS.code());
            fetched = (fetched + 1) & (slots - 1);
        }
    }

    @Override
    public int interruptHandle() {
        return 0;
    }

    @Override
    public void detach() {
        slots = 0;
    }
}
