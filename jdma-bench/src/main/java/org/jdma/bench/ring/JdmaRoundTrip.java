package org.jdma.bench.ring;

import java.util.Arrays;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.CompletionView;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.drivers.memcpy.CopyRing;
import org.jdma.machine.Machine;
import org.jdma.machine.dev.memcpy.CopyEngine;

/**
 * The copy-engine driver's {@link CopyRing} (128 slots in coherent guest RAM, the kernel's ring protocol) with the
 * copy engine on its own device thread ({@link CopyEngine#startThread()}): {@code submit} encodes
 * each NOOP into its 64-byte slot, clears the slot's completion record and rings SUBMIT_INDEX once
 * per batch by MMIO; the device thread fetches, validates and completes each descriptor, writing
 * the record's status byte last with release; {@code drain} polls status bytes with acquire and
 * shows each completion to a handler through a view (no allocation per descriptor).
 */
public final class JdmaRoundTrip implements RoundTrip {

    private final Machine machine;
    private final Kernel kernel;
    private final CopyEngine device;
    private final CopyRing engine;
    private final Descriptor[][] batches = new Descriptor[CAPACITY][];
    private int statusSum;
    /** Sums the status bytes drained: the ring's allocation-free drain shows each completion through a view. */
    private final CompletionView.Handler sumStatus = c -> statusSum += c.statusByte();

    public JdmaRoundTrip() {
        machine = Machine.createDefault();
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withDriver(
                CopyEngineDriver.driver(CopyEngineDriver.Options.DEFAULTS.withMode(CopyEngineDriver.CompletionMode.POLLED))));
        engine = kernel.copyEngine().ring();
        if (engine.capacity() != CAPACITY) {
            throw new IllegalStateException("driver ring has " + engine.capacity() + " slots, the benchmark compares " + CAPACITY);
        }
        device = machine.devices(CopyEngine.class).getFirst();
        device.startThread();
    }

    @Override
    public int roundTrip(int batch) {
        Descriptor[] descriptors = batches[batch];
        if (descriptors == null) {
            descriptors = new Descriptor[batch];
            for (int i = 0; i < batch; i++) {
                descriptors[i] = Descriptor.noop();
            }
            batches[batch] = descriptors;
        }
        int submitted = engine.submit(Arrays.asList(descriptors));
        if (submitted != batch) {
            throw new IllegalStateException("ring accepted " + submitted + " of " + batch + " with "
                    + engine.size() + " in flight");
        }
        statusSum = 0;
        for (int drained = 0; drained < batch; ) {
            int n = engine.drain(sumStatus, batch - drained);
            if (n == 0) {
                Thread.onSpinWait();
                continue;
            }
            drained += n;
        }
        return statusSum;
    }

    @Override
    public void close() {
        device.stopThread();
        kernel.close();
        machine.close();
    }
}
