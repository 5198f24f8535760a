package org.jdma.kernel.dma.debug;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdma.kernel.dma.DmaDevice;

/**
 * Where the checker's findings go: each becomes a {@link DmaDebugReport} naming the device, the
 * mapping and the Java stack of the call that made the mapping, is counted per category (Linux's
 * debugfs {@code error_count}), kept (the first {@value #MAX_KEPT_REPORTS}) and handed to the
 * listeners. Not thread-safe: the checker's lock guards it, and listeners run with it held.
 */
final class DebugReporter {

    /** Reports kept for {@link #reports()}; the counters go on counting past it. */
    static final int MAX_KEPT_REPORTS = 10_000;
    /** Frames kept of a captured stack. */
    static final int MAX_STACK_FRAMES = 24;
    private static final StackTraceElement[] NO_STACK = new StackTraceElement[0];

    private final List<DmaDebugListener> listeners = new CopyOnWriteArrayList<>();
    private final long[] counts = new long[DmaDebugCategory.values().length];
    private final List<DmaDebugReport> kept = new ArrayList<>();
    private long errorCount;

    /** Makes a report: {@code text} is the category's message for this case. */
    void report(DmaDebugCategory category, DmaDevice device, DebugEntry entry, long line, String text) {
        report(category, device, entry, line, text, false);
    }

    /** As {@link #report(DmaDebugCategory, DmaDevice, DebugEntry, long, String)}; {@code withUnmap}: name the entry's unmap site. */
    void report(DmaDebugCategory category, DmaDevice device, DebugEntry entry, long line, String text, boolean withUnmap) {
        String message = "DMA-API: " + device.name() + ": " + text;
        StackTraceElement[] mapStack = entry == null || entry.origin == null ? NO_STACK : trim(entry.origin.getStackTrace());
        DmaDebugReport r = new DmaDebugReport(category, device.name(), message,
                Optional.ofNullable(entry).map(DebugEntry::snapshot), line, mapStack, trim(new Throwable().getStackTrace()),
                withUnmap && entry != null && entry.unmapSite != null ? trim(entry.unmapSite.getStackTrace()) : NO_STACK);
        errorCount++;
        counts[category.ordinal()]++;
        if (kept.size() < MAX_KEPT_REPORTS) {
            kept.add(r);
        }
        for (DmaDebugListener l : listeners) {
            l.report(r);
        }
    }

    void addListener(DmaDebugListener l) {
        listeners.add(Objects.requireNonNull(l, "listener"));
    }

    void removeListener(DmaDebugListener l) {
        listeners.remove(l);
    }

    long errorCount() {
        return errorCount;
    }

    long count(DmaDebugCategory category) {
        return counts[category.ordinal()];
    }

    List<DmaDebugReport> reports() {
        return List.copyOf(kept);
    }

    void clear() {
        kept.clear();
        Arrays.fill(counts, 0);
        errorCount = 0;
    }

    Set<DmaDebugCategory> reportedCategories() {
        EnumSet<DmaDebugCategory> s = EnumSet.noneOf(DmaDebugCategory.class);
        for (DmaDebugCategory c : DmaDebugCategory.values()) {
            if (counts[c.ordinal()] > 0) {
                s.add(c);
            }
        }
        return Collections.unmodifiableSet(s);
    }

    /** Drops the checker's own frames (and the cache's, for sanitizer reports) and caps the depth. */
    private static StackTraceElement[] trim(StackTraceElement[] stack) {
        int from = 0;
        while (from < stack.length && isInternal(stack[from].getClassName())) {
            from++;
        }
        if (from == stack.length) {
            from = 0;
        }
        return Arrays.copyOfRange(stack, from, Math.min(stack.length, from + MAX_STACK_FRAMES));
    }

    /** The checker's own classes. */
    private static final List<Class<?>> INTERNAL = List.of(DmaDebug.class, CheckerState.class, DebugChecks.class, DebugReporter.class,
            EntryTable.class, CachelineTracker.class, CoherencySanitizer.class, UnmapHistory.class, DeviceAccessCheck.class);

    /** The checker's own frames, and the cache model's (a sanitizer report is detected inside a cache event). */
    private static boolean isInternal(String className) {
        for (Class<?> c : INTERNAL) {
            if (className.equals(c.getName()) || className.startsWith(c.getName() + "$")) {
                return true;
            }
        }
        return className.startsWith("org.jdma.machine.cache.");
    }
}
