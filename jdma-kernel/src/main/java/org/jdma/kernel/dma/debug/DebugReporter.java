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

    private final List<DmaDebugListener> listeners = new CopyOnWriteArrayList<>();
    /** Reports that carry the stack of their call, from the start or the last {@link #clear()}. */
    private final long reportStacks;
    private final long[] counts = new long[DmaDebugCategory.values().length];
    private final List<DmaDebugReport> kept = new ArrayList<>();
    private long errorCount;

    DebugReporter(long reportStacks) {
        this.reportStacks = reportStacks;
    }

    /** Makes a report: {@code text} is the category's message for this case. */
    void report(DmaDebugCategory category, DmaDevice device, DebugEntry entry, long line, String text) {
        report(category, device, entry, line, text, false);
    }

    /** As {@link #report(DmaDebugCategory, DmaDevice, DebugEntry, long, String)}; {@code withUnmap}: name the entry's unmap site. */
    void report(DmaDebugCategory category, DmaDevice device, DebugEntry entry, long line, String text, boolean withUnmap) {
        String message = "DMA-API: " + device.name() + ": " + text;
        // Stacks are captured now and decoded only if someone reads them (ReportStack); capturing
        // one walks the whole call stack, so past the first reportStacks reports none is taken.
        ReportStack here = errorCount < reportStacks ? ReportStack.of(new Throwable()) : ReportStack.NONE;
        DmaDebugReport r = new DmaDebugReport(category, device.name(), message,
                Optional.ofNullable(entry).map(DebugEntry::snapshot), line,
                entry == null ? ReportStack.NONE : ReportStack.of(entry.origin), here,
                withUnmap && entry != null ? ReportStack.of(entry.unmapSite) : ReportStack.NONE);
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
}
