package org.jdma.machine.irq;

import java.util.Arrays;
import java.util.Objects;
import org.jdma.spec.pci.RequesterId;
import org.jdma.machine.jfr.InterruptDeliveredEvent;
import org.jdma.machine.time.EventKernel;
import org.jdma.machine.time.TraceRecorder;
import org.jdma.platform.irq.InterruptHandler;
import org.jdma.platform.irq.Interrupts;
import org.jdma.platform.irq.LineTrigger;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.msi.MsiMessageLayout;

/**
 * Receives MSI writes from the bus and signals on {@link #LEGACY_LINES} legacy lines, and
 * dispatches handlers in event order after {@code deliveryLatencyNs}, each as the CPU the
 * interrupt was sent to ({@link InterruptTargets}), on the thread that drives the event kernel
 * (a message sent from a device thread is handed to that thread first).
 * Vectors below 16 are illegal (counted as invalid); a legal vector with no handler is counted as
 * spurious.
 *
 * <p>An MSI is delivered when it is fixed delivery in physical destination mode and its
 * destination field (address bits 19:12, Intel SDM Vol. 3A §11.11.1) is the APIC id of a CPU; that
 * CPU handles it. Everything else is counted invalid and traced with its source, address, data and
 * why, never delivered elsewhere: a destination no CPU has (0xFF, xAPIC broadcast, included),
 * logical destination mode (DM, bit 2) and the redirection hint (RH, bit 3), which ask for
 * lowest-priority arbitration among a set of CPUs.
 * TODO: logical destinations and lowest-priority redirection are not modeled; a driver that relies
 * on them gets no interrupt, only the invalid count and the trace.
 *
 * <p>Counters are kept per CPU and vector, as Linux's {@code /proc/interrupts} shows them:
 * {@link #dispatched(int, int)}, {@link #dispatchedOn(int)}; {@link #dispatched(int)} is the sum.
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
    private final InterruptTargets cpus;
    private final InterruptHandler[] handlers = new InterruptHandler[256];
    private final boolean[] allocated = new boolean[256];
    private final long[] counts = new long[256];
    /** [cpu][vector] */
    private final long[][] countsByCpu;
    private final long[] totalsByCpu;
    /** The CPU each legacy line is routed to (the redirection entry's destination). */
    private final int[] lineCpu = new int[LEGACY_LINES];
    /** Event labels by vector, made once: building the string per MSI showed up in copy profiles. */
    private final String[] deliveryLabels = new String[256];
    private final String[] lineLabels = new String[LEGACY_LINES];
    /**
     * By vector, the delivery event made last: the next MSI with that vector for the same CPU and
     * source schedules the same (immutable) event instead of a new one per message.
     */
    private final Dispatch[] dispatches = new Dispatch[256];
    private final LegacyLines lines = new LegacyLines(LEGACY_LINES, this::sendLine);
    private long spurious;
    private long invalid;
    private long received;

    /** A controller for a machine with one CPU. */
    public InterruptController(EventKernel kernel, long deliveryLatencyNs) {
        this(kernel, deliveryLatencyNs, InterruptTargets.ONE_CPU);
    }

    public InterruptController(EventKernel kernel, long deliveryLatencyNs, InterruptTargets cpus) {
        this.kernel = kernel;
        this.deliveryLatencyNs = deliveryLatencyNs;
        this.cpus = Objects.requireNonNull(cpus, "cpus");
        this.countsByCpu = new long[cpus.count()][256];
        this.totalsByCpu = new long[cpus.count()];
        Arrays.fill(allocated, 0, 32, true);
        for (int v = 0; v < deliveryLabels.length; v++) {
            deliveryLabels[v] = "msi vector " + v;
        }
        for (int l = 0; l < LEGACY_LINES; l++) {
            lineLabels[l] = "irq line " + l;
        }
    }

    /**
     * Called by the bus for a 32-bit write into the interrupt range. From a device thread the
     * message is posted to the machine thread ({@link EventKernel#post}) and handled there as if it
     * arrived at that moment; counters and trace are kept on the machine thread only.
     */
    public void deliver(RequesterId source, long address, int data) {
        if (kernel.onDeviceThread()) {
            kernel.post(() -> deliver(source, address, data));
            return;
        }
        received++;
        int vector = MsiMessageLayout.vector(data);
        int mode = (data & MsiMessageLayout.DATA_DELIVERY_MODE_MASK) >>> MsiMessageLayout.DATA_DELIVERY_MODE_SHIFT;
        int cpu = cpus.indexOfApicId(MsiMessageLayout.destination(address));
        String why = vector < MsiMessageLayout.FIRST_LEGAL_VECTOR ? "vector below 16"
                : mode != MsiMessageLayout.DELIVERY_FIXED ? "delivery mode " + mode + " is not fixed"
                : (address & MsiMessageLayout.ADDRESS_DM) != 0 ? "logical destination mode"
                : (address & MsiMessageLayout.ADDRESS_RH) != 0 ? "redirection hint"
                : cpu < 0 ? "no CPU has APIC id " + MsiMessageLayout.destination(address)
                : null;
        if (why != null) {
            invalid++;
            kernel.trace().instant("irq", "invalid MSI", kernel.now(), TraceRecorder.args(
                    "source", source.toString(), "address", Long.toHexString(address), "data", Integer.toHexString(data),
                    "reason", why));
            return;
        }
        Dispatch d = dispatches[vector];
        if (d == null || d.cpu != cpu || !d.source.equals(source)) {
            d = new Dispatch(vector, cpu, source);
            dispatches[vector] = d;
        }
        kernel.schedule(deliveryLatencyNs, deliveryLabels[vector], d);
    }

    /** The delivery of a message with {@code vector} from {@code source} to {@code cpu}. */
    private final class Dispatch implements Runnable {
        final int vector;
        final int cpu;
        final RequesterId source;

        Dispatch(int vector, int cpu, RequesterId source) {
            this.vector = vector;
            this.cpu = cpu;
            this.source = source;
        }

        @Override
        public void run() {
            dispatch(vector, cpu, source);
        }
    }

    private void dispatch(int vector, int cpu, RequesterId source) {
        InterruptHandler h = handlers[vector];
        if (h == null) {
            spurious++;
            return;
        }
        count(vector, cpu);
        if (kernel.trace().enabled()) {
            kernel.trace().instant("irq", "vector " + vector, kernel.now(), TraceRecorder.args("source", source.toString(), "cpu", cpu));
        }
        InterruptDeliveredEvent event = InterruptDeliveredEvent.start();
        handle(h, vector, cpu);
        if (event != null) {
            event.finish(vector, cpu, source, kernel.now());
        }
    }

    private void count(int vector, int cpu) {
        counts[vector]++;
        countsByCpu[cpu][vector]++;
        totalsByCpu[cpu]++;
    }

    /** Runs the handler as {@code cpu}. */
    private void handle(InterruptHandler h, int vector, int cpu) {
        if (cpus.count() == 1) {
            h.handle(vector);
        } else {
            cpus.runOn(cpu, () -> h.handle(vector));
        }
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
        routeLine(line, vector, trigger, 0);
    }

    @Override
    public void routeLine(int line, int vector, LineTrigger trigger, int cpu) {
        lines.check(line);
        if (vector < MsiMessageLayout.FIRST_LEGAL_VECTOR || vector > 255) {
            throw new IllegalArgumentException("line " + line + ": vector " + vector + " is outside 16..255");
        }
        Objects.requireNonNull(trigger, "trigger");
        cpus.apicId(cpu); // throws naming a CPU that does not exist
        lineCpu[line] = cpu;
        lines.route(line, vector, trigger);
    }

    /** The CPU legacy line {@code line} is routed to (the boot CPU until routed elsewhere). */
    public int lineCpu(int line) {
        lines.check(line);
        return lineCpu[line];
    }

    @Override
    public void unrouteLine(int line) {
        lines.unroute(line);
    }

    /** A line's message, on its way to the CPU its entry names now, like an MSI. */
    private void sendLine(int line, int vector) {
        received++;
        int cpu = lineCpu[line];
        kernel.schedule(deliveryLatencyNs, lineLabels[line], () -> dispatchLine(line, vector, cpu));
    }

    /** Runs the line's handler, then ends the interrupt (which may raise a level line again). */
    private void dispatchLine(int line, int vector, int cpu) {
        lines.accepted(line);
        InterruptHandler h = handlers[vector];
        if (h == null) {
            spurious++;
        } else {
            count(vector, cpu);
            if (kernel.trace().enabled()) {
                kernel.trace().instant("irq", "vector " + vector, kernel.now(), TraceRecorder.args("source", lineLabels[line], "cpu", cpu));
            }
            InterruptDeliveredEvent event = InterruptDeliveredEvent.start();
            handle(h, vector, cpu);
            if (event != null) {
                event.finish(vector, cpu, lineLabels[line], kernel.now());
            }
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
        return messageFor(vector, 0);
    }

    @Override
    public MsiMessage messageFor(int vector, int cpu) {
        return MsiMessage.forVector(vector, cpus.apicId(cpu));
    }

    @Override
    public long dispatched(int vector) {
        return counts[vector & 0xFF];
    }

    @Override
    public long dispatched(int vector, int cpu) {
        return countsByCpu[checkCpu(cpu)][vector & 0xFF];
    }

    @Override
    public long dispatchedOn(int cpu) {
        return totalsByCpu[checkCpu(cpu)];
    }

    /** The CPUs interrupts go to. */
    public int cpus() {
        return cpus.count();
    }

    private int checkCpu(int cpu) {
        cpus.apicId(cpu); // throws naming a CPU that does not exist
        return cpu;
    }

    /** Interrupts that found no handler for their vector. */
    public long spurious() { return spurious; }
    /** MSI writes that were not a legal fixed-mode, physical-destination message to a CPU that exists. */
    public long invalid() { return invalid; }
    /** MSI writes received plus messages sent by legacy lines. */
    public long received() { return received; }
}
