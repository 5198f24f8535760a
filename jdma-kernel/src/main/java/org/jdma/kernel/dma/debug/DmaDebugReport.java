package org.jdma.kernel.dma.debug;

import java.util.Objects;
import java.util.Optional;

/**
 * One finding of the checker: what was wrong, the device, the Linux-style message, the mapping
 * concerned, and the Java stacks of the calls involved. The stacks are decoded when first asked
 * for (most reports are only counted), which is why this is a class and not a record.
 */
public final class DmaDebugReport {

    private final DmaDebugCategory category;
    private final String device;
    private final String message;
    private final Optional<DmaMapping> mapping;
    private final long lineAddress;
    private final ReportStack mapStack;
    private final ReportStack reportStack;
    private final ReportStack unmapStack;

    /**
     * A report with its stacks given.
     *
     * @param category    what was wrong
     * @param device      the device's name
     * @param message     the full message, Linux style: "DMA-API: DEVICE: category [details]"
     * @param mapping     the mapping concerned, when there is one (a snapshot at report time)
     * @param lineAddress the physical cache line concerned (sanitizer findings and cache-line checks), or -1
     * @param mapStack    the Java stack of the call that made the mapping (empty when unknown or not captured)
     * @param reportStack the Java stack where the fault was detected (the bad call, or the CPU/device access)
     * @param unmapStack  the Java stack of the call that unmapped or freed the mapping, for a double unmap
     *                    or a device access after unmap (empty otherwise, or when not captured)
     */
    public DmaDebugReport(DmaDebugCategory category, String device, String message, Optional<DmaMapping> mapping,
                          long lineAddress, StackTraceElement[] mapStack, StackTraceElement[] reportStack,
                          StackTraceElement[] unmapStack) {
        this(category, device, message, mapping, lineAddress, ReportStack.of(mapStack), ReportStack.of(reportStack),
                ReportStack.of(unmapStack));
    }

    /** A report that names no unmap. */
    public DmaDebugReport(DmaDebugCategory category, String device, String message, Optional<DmaMapping> mapping,
                          long lineAddress, StackTraceElement[] mapStack, StackTraceElement[] reportStack) {
        this(category, device, message, mapping, lineAddress, mapStack, reportStack, new StackTraceElement[0]);
    }

    /** The checker's: stacks as captured, decoded and trimmed on first use. */
    DmaDebugReport(DmaDebugCategory category, String device, String message, Optional<DmaMapping> mapping,
                   long lineAddress, ReportStack mapStack, ReportStack reportStack, ReportStack unmapStack) {
        this.category = Objects.requireNonNull(category, "category");
        this.device = Objects.requireNonNull(device, "device");
        this.message = Objects.requireNonNull(message, "message");
        this.mapping = Objects.requireNonNull(mapping, "mapping");
        this.lineAddress = lineAddress;
        this.mapStack = mapStack;
        this.reportStack = reportStack;
        this.unmapStack = unmapStack;
    }

    /** What was wrong. */
    public DmaDebugCategory category() {
        return category;
    }

    /** The device's name. */
    public String device() {
        return device;
    }

    /** The full message, Linux style: "DMA-API: DEVICE: category [details]". */
    public String message() {
        return message;
    }

    /** The mapping concerned, when there is one (a snapshot at report time). */
    public Optional<DmaMapping> mapping() {
        return mapping;
    }

    /** The physical cache line concerned (sanitizer findings and cache-line checks), or -1. */
    public long lineAddress() {
        return lineAddress;
    }

    /** The Java stack of the call that made the mapping (empty when unknown or not captured). */
    public StackTraceElement[] mapStack() {
        return mapStack.frames().clone();
    }

    /** The Java stack where the fault was detected (the bad call, or the CPU or device access). */
    public StackTraceElement[] reportStack() {
        return reportStack.frames().clone();
    }

    /** The Java stack of the call that unmapped or freed the mapping (double unmap, access after unmap), or empty. */
    public StackTraceElement[] unmapStack() {
        return unmapStack.frames().clone();
    }

    /** The message, the mapping, and both stacks, as a multi-line text for logs and test failures. */
    public String format() {
        StringBuilder b = new StringBuilder(message);
        mapping.ifPresent(m -> b.append("\n  mapping: ").append(m.describe()));
        if (lineAddress >= 0) {
            b.append(String.format("%n  cache line: 0x%x", lineAddress));
        }
        appendStack(b, "  mapped at:", mapStack.frames());
        appendStack(b, "  unmapped at:", unmapStack.frames());
        appendStack(b, "  detected at:", reportStack.frames());
        return b.toString();
    }

    private static void appendStack(StringBuilder b, String title, StackTraceElement[] stack) {
        if (stack.length == 0) {
            return;
        }
        b.append('\n').append(title);
        for (StackTraceElement e : stack) {
            b.append("\n\tat ").append(e);
        }
    }

    @Override
    public String toString() {
        return message;
    }
}
