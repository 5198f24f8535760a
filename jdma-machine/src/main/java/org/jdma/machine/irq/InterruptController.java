package org.jdma.machine.irq;

import java.util.Arrays;
import org.jdma.spec.pci.RequesterId;
import org.jdma.machine.time.EventKernel;
import org.jdma.machine.time.TraceRecorder;
import org.jdma.platform.irq.InterruptHandler;
import org.jdma.platform.irq.Interrupts;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.msi.MsiMessageLayout;

/**
 * Receives MSI writes from the bus and dispatches handlers in event order after
 * {@code deliveryLatencyNs}. Vectors below 16 are illegal (counted as invalid); a legal vector
 * with no handler is counted as spurious. One CPU (APIC id 0) is modeled.
 */
public final class InterruptController implements Interrupts {

    /** Named timing parameter: MSI write to handler entry, ns. */
    public static final long DEFAULT_DELIVERY_LATENCY_NS = 1_000;

    private final EventKernel kernel;
    private final long deliveryLatencyNs;
    private final InterruptHandler[] handlers = new InterruptHandler[256];
    private final boolean[] allocated = new boolean[256];
    private final long[] counts = new long[256];
    /** Event labels by vector, made once: building the string per MSI showed up in copy profiles. */
    private final String[] deliveryLabels = new String[256];
    private long spurious;
    private long invalid;
    private long received;

    public InterruptController(EventKernel kernel, long deliveryLatencyNs) {
        this.kernel = kernel;
        this.deliveryLatencyNs = deliveryLatencyNs;
        Arrays.fill(allocated, 0, 32, true);
        for (int v = 0; v < deliveryLabels.length; v++) {
            deliveryLabels[v] = "msi vector " + v;
        }
    }

    /** Called by the bus for a 32-bit write into the interrupt range. */
    public void deliver(RequesterId source, long address, int data) {
        received++;
        int vector = MsiMessageLayout.vector(data);
        int mode = (data & MsiMessageLayout.DATA_DELIVERY_MODE_MASK) >>> MsiMessageLayout.DATA_DELIVERY_MODE_SHIFT;
        if (vector < MsiMessageLayout.FIRST_LEGAL_VECTOR || mode != MsiMessageLayout.DELIVERY_FIXED
                || MsiMessageLayout.destination(address) != 0) {
            invalid++;
            kernel.trace().instant("irq", "invalid MSI", kernel.now(), TraceRecorder.args(
                    "source", source.toString(), "address", Long.toHexString(address), "data", Integer.toHexString(data)));
            return;
        }
        kernel.schedule(deliveryLatencyNs, deliveryLabels[vector], () -> dispatch(vector, source));
    }

    private void dispatch(int vector, RequesterId source) {
        InterruptHandler h = handlers[vector];
        if (h == null) {
            spurious++;
            return;
        }
        counts[vector]++;
        if (kernel.trace().enabled()) {
            kernel.trace().instant("irq", "vector " + vector, kernel.now(), TraceRecorder.args("source", source.toString()));
        }
        h.handle(vector);
    }

    @Override
    public int allocateVector() {
        for (int v = 32; v < 256; v++) {
            if (!allocated[v]) {
                allocated[v] = true;
                return v;
            }
        }
        throw new IllegalStateException("all interrupt vectors 32..255 are allocated");
    }

    @Override
    public void freeVector(int vector) {
        if (vector < 32 || vector > 255 || !allocated[vector]) {
            throw new IllegalArgumentException("vector " + vector + " is not allocated");
        }
        allocated[vector] = false;
        handlers[vector] = null;
    }

    @Override
    public void register(int vector, InterruptHandler handler) {
        if (vector < MsiMessageLayout.FIRST_LEGAL_VECTOR || vector > 255) {
            throw new IllegalArgumentException("vector " + vector + " is outside 16..255");
        }
        handlers[vector] = handler;
    }

    @Override
    public MsiMessage messageFor(int vector) {
        return MsiMessage.forVector(vector, 0);
    }

    @Override
    public long dispatched(int vector) {
        return counts[vector & 0xFF];
    }

    public long spurious() { return spurious; }
    public long invalid() { return invalid; }
    public long received() { return received; }
}
