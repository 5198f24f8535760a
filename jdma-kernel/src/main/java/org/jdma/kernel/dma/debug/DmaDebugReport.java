package org.jdma.kernel.dma.debug;

import java.util.Objects;
import java.util.Optional;

/**
 * One finding of the checker.
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
public record DmaDebugReport(DmaDebugCategory category, String device, String message, Optional<DmaMapping> mapping,
                             long lineAddress, StackTraceElement[] mapStack, StackTraceElement[] reportStack,
                             StackTraceElement[] unmapStack) {

    /** A report that names no unmap. */
    public DmaDebugReport(DmaDebugCategory category, String device, String message, Optional<DmaMapping> mapping,
                          long lineAddress, StackTraceElement[] mapStack, StackTraceElement[] reportStack) {
        this(category, device, message, mapping, lineAddress, mapStack, reportStack, new StackTraceElement[0]);
    }

    public DmaDebugReport {
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(mapping, "mapping");
        mapStack = mapStack.clone();
        reportStack = reportStack.clone();
        unmapStack = unmapStack.clone();
    }

    @Override
    public StackTraceElement[] mapStack() {
        return mapStack.clone();
    }

    @Override
    public StackTraceElement[] reportStack() {
        return reportStack.clone();
    }

    @Override
    public StackTraceElement[] unmapStack() {
        return unmapStack.clone();
    }

    /** The message, the mapping, and both stacks, as a multi-line text for logs and test failures. */
    public String format() {
        StringBuilder b = new StringBuilder(message);
        mapping.ifPresent(m -> b.append("\n  mapping: ").append(m.describe()));
        if (lineAddress >= 0) {
            b.append(String.format("%n  cache line: 0x%x", lineAddress));
        }
        appendStack(b, "  mapped at:", mapStack);
        appendStack(b, "  unmapped at:", unmapStack);
        appendStack(b, "  detected at:", reportStack);
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
