package org.jdma.machine.irq;

import java.util.Arrays;
import org.jdma.spec.pci.RequesterId;
import org.jdma.machine.time.EventKernel;
import org.jdma.machine.time.TraceRecorder;
import org.jdma.platform.irq.InterruptHandler;
import org.jdma.platform.irq.Interrupts;
import org.jdma.platform.irq.LineTrigger;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.msi.MsiMessageLayout;

/**
 * Receives MSI writes from the bus and signals on {@link #LEGACY_LINES} legacy lines, and
 * dispatches handlers in event order after {@code deliveryLatencyNs}. Vectors below 16 are
 * illegal (counted as invalid); a legal vector with no handler is counted as spurious. One CPU
 * (APIC id 0) is modeled.
 *
 * <p>Legacy lines behave as I/O APIC inputs ({@link LegacyLines}): a device drives its line with
 * {@link #assertLine}, {@link #deassertLine} or {@link #pulseLine}; the OS routes it with
 * {@link #routeLine}. A line's handler is followed by the end of interrupt, which re-raises a
 * level line that is still asserted.
 */
public final class InterruptController implements Interrupts {

    /** Named timing parameter: MSI write to handler entry, ns. */
    public static final long DEFAULT_DELIVERY_LATENCY_NS = 1_000;
    /** Legacy inputs: the 24 redirection entries of an 82093AA I/O APIC. */
    public static final int LEGACY_LINES = 24;

    private final EventKernel kernel;
    private final long deliveryLatencyNs;
    private final InterruptHandler[] handlers = new InterruptHandler[256];
    private final boolean[] allocated = new boolean[256];
    private final long[] counts = new long[256];
    /** Event labels by vector, made once: building the string per MSI showed up in copy profiles. */
    private final String[] deliveryLabels = new String[256];
    private final String[] lineLabels = new String[LEGACY_LINES];
    private final LegacyLines lines = new LegacyLines(LEGACY_LINES, this::sendLine);
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
        for (int l = 0; l < LEGACY_LINES; l++) {
            lineLabels[l] = "irq line " + l;
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

    // ---------------------------------------------------------------- legacy lines

    /** A device raises its line (level: holds it; edge: a rising edge if it was low). */
    public void assertLine(int line) {
        lines.assertLine(line);
    }

    /** A device lowers its line. */
    public void deassertLine(int line) {
        lines.deassertLine(line);
    }

    /** An edge device's pulse: the line rises and falls at once. */
    public void pulseLine(int line) {
        lines.assertLine(line);
        lines.deassertLine(line);
    }

    /** Whether {@code line} is asserted now. */
    public boolean lineAsserted(int line) {
        return lines.asserted(line);
    }

    /** Whether the OS has routed {@code line} (it is unmasked). */
    public boolean lineRouted(int line) {
        return lines.routed(line);
    }

    public LineCounters lineCounters(int line) {
        return lines.counters(line);
    }

    @Override
    public int legacyLines() {
        return lines.count();
    }

    @Override
    public void routeLine(int line, int vector, LineTrigger trigger) {
        lines.check(line);
        if (vector < MsiMessageLayout.FIRST_LEGAL_VECTOR || vector > 255) {
            throw new IllegalArgumentException("line " + line + ": vector " + vector + " is outside 16..255");
        }
        java.util.Objects.requireNonNull(trigger, "trigger");
        lines.route(line, vector, trigger);
    }

    @Override
    public void unrouteLine(int line) {
        lines.unroute(line);
    }

    /** A line's message, on its way to the CPU like an MSI. */
    private void sendLine(int line, int vector) {
        received++;
        kernel.schedule(deliveryLatencyNs, lineLabels[line], () -> dispatchLine(line, vector));
    }

    /** Runs the line's handler, then ends the interrupt (which may raise a level line again). */
    private void dispatchLine(int line, int vector) {
        lines.accepted(line);
        InterruptHandler h = handlers[vector];
        if (h == null) {
            spurious++;
        } else {
            counts[vector]++;
            if (kernel.trace().enabled()) {
                kernel.trace().instant("irq", "vector " + vector, kernel.now(), TraceRecorder.args("source", lineLabels[line]));
            }
            h.handle(vector);
        }
        lines.endOfInterrupt(line);
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

    /** Interrupts that found no handler for their vector. */
    public long spurious() { return spurious; }
    /** MSI writes that were not a legal fixed-mode message to CPU 0. */
    public long invalid() { return invalid; }
    /** MSI writes received plus messages sent by legacy lines. */
    public long received() { return received; }
}
