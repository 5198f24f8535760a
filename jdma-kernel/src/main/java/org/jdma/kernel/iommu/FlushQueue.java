package org.jdma.kernel.iommu;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import org.jdma.platform.Clock;

/**
 * Lazy unmap: a flush queue (Linux {@code iova_fq} in {@code drivers/iommu/dma-iommu.c}). An
 * unmapped range (its IOVA and the table pages its unmap emptied) waits here until a whole-domain
 * IOTLB flush has completed; only then are the IOVA and the pages freed, so neither is reused while
 * the unit may still hold a translation or walk a page.
 *
 * <p>Linux's two-counter rule: an entry records {@code flushStart} when queued; a flush increments
 * {@code flushStart}, flushes, then increments {@code flushFinish}; an entry is freed only when its
 * counter is below {@code flushFinish} (a flush that started after it was queued has finished). A
 * full queue ({@value #DEFAULT_SIZE} entries) forces a flush; so does the timeout
 * ({@value #DEFAULT_TIMEOUT_NS} ns of virtual time after the first entry was queued).
 *
 * <p>TODO: one queue per domain, where Linux keeps one per CPU (sharing the domain's two counters):
 * unmaps from several CPUs contend for this queue's lock and fill it together (a full queue forces
 * the flush sooner than Linux's would). Which ranges are freed, and only after a completed flush,
 * is the same.
 *
 * <p>The timeout is a timer armed on the platform clock (Linux {@code fq_timer}); it fires while
 * the machine runs. When it fires in the middle of an operation on the unit (the kernel is polling
 * a register, or this queue is flushing), it re-arms itself {@value #TIMER_RETRY_NS} ns later, as
 * a timer handler would wait for the lock. On a clock without timers the deadline is checked on
 * every queue operation and by {@link #runTimer()}.
 */
public final class FlushQueue {

    public static final int DEFAULT_SIZE = 256;
    public static final long DEFAULT_TIMEOUT_NS = 10_000_000L;
    /** Delay before a timer that found the unit busy tries again. */
    public static final long TIMER_RETRY_NS = 1_000L;

    /** What the owning domain does for the queue. */
    public interface Owner {
        /** A whole-domain IOTLB invalidation, complete when it returns. */
        void flushIotlbAll();

        /** Frees the IOVA range and the table pages of an entry whose flush completed. */
        void release(long pfn, long pages, List<Long> tablePages);

        /** Whether the unit is in the middle of an operation, so the timer must not flush now. */
        default boolean busy() {
            return false;
        }
    }

    /**
     * @param flushes          whole-domain flushes done
     * @param fullFlushes      of them forced by a full queue
     * @param timeoutFlushes   of them forced by the timeout
     * @param queued           entries queued
     * @param freed            entries freed after their flush
     * @param staleMaxNs       longest window from an unmap to the completed flush that covered it
     * @param staleTotalNs     sum of the windows (for the mean)
     * @param staleMinNs       shortest window (Long.MAX_VALUE before any)
     */
    public record Stats(long flushes, long fullFlushes, long timeoutFlushes, long queued, long freed,
                        long staleMaxNs, long staleTotalNs, long staleMinNs) {
        public double staleMeanNs() {
            return freed == 0 ? 0 : (double) staleTotalNs / freed;
        }
    }

    private record Entry(long pfn, long pages, List<Long> tablePages, long counter, long unmappedAtNs) { }

    private final Owner owner;
    private final Clock clock;
    private final int size;
    private final long timeoutNs;
    private final ArrayDeque<Entry> ring;
    private long flushStart;
    private long flushFinish;
    /** Virtual time at which the timer fires; -1 when not armed. */
    private long timerDeadline = -1;
    private boolean timersSupported = true;
    private boolean flushing;

    private long flushes;
    private long fullFlushes;
    private long timeoutFlushes;
    private long queued;
    private long freed;
    private long staleMax;
    private long staleTotal;
    private long staleMin = Long.MAX_VALUE;
    /** Time the last flush completed (so a freed entry's window ends there). */
    private long lastFlushFinishedAt;

    public FlushQueue(Owner owner, Clock clock, int size, long timeoutNs) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (size < 1) {
            throw new IllegalArgumentException("flush queue size must be positive, was " + size);
        }
        if (timeoutNs <= 0) {
            throw new IllegalArgumentException("flush queue timeout must be positive, was " + timeoutNs);
        }
        this.size = size;
        this.timeoutNs = timeoutNs;
        this.ring = new ArrayDeque<>(size);
    }

    /**
     * Queues an unmapped range whose page-table entries are already cleared (Linux
     * {@code queue_iova}). Frees what earlier flushes released; flushes first when full.
     */
    public synchronized void queue(long pfn, long pages, List<Long> tablePages) {
        runTimer();
        freeCompleted();
        if (ring.size() == size) {
            fullFlushes++;
            flushNow();
        }
        ring.addLast(new Entry(pfn, pages, List.copyOf(tablePages), flushStart, clock.now()));
        queued++;
        if (timerDeadline < 0) {
            timerDeadline = clock.now() + timeoutNs;
            armTimer(timeoutNs);
        }
    }

    private void armTimer(long delayNs) {
        if (!timersSupported) {
            return;
        }
        try {
            clock.schedule(delayNs, "iova flush queue timer", this::onTimer);
        } catch (UnsupportedOperationException e) {
            timersSupported = false;
        }
    }

    /** The timer event: flushes when due, unless the unit is busy (then tries again shortly). */
    private synchronized void onTimer() {
        if (timerDeadline < 0 || clock.now() < timerDeadline) {
            return; // flushed meanwhile, or a later arming owns the deadline
        }
        if (flushing || owner.busy()) {
            armTimer(TIMER_RETRY_NS);
            return;
        }
        runTimer();
    }

    /** Fires the timeout flush when its deadline has passed. Returns whether it flushed. */
    public synchronized boolean runTimer() {
        if (timerDeadline >= 0 && clock.now() >= timerDeadline) {
            timeoutFlushes++;
            flushNow();
            return true;
        }
        return false;
    }

    /** Flushes the domain and frees every queued entry (Linux {@code fq_flush_timeout} body). */
    public synchronized void flushNow() {
        timerDeadline = -1;
        flushing = true;
        try {
            flushStart++;
            owner.flushIotlbAll();
            flushFinish++;
        } finally {
            flushing = false;
        }
        flushes++;
        lastFlushFinishedAt = clock.now();
        freeCompleted();
    }

    /** Linux {@code fq_ring_free_locked}: frees entries, oldest first, while counter < flushFinish. */
    private void freeCompleted() {
        while (!ring.isEmpty() && ring.peekFirst().counter() < flushFinish) {
            Entry e = ring.pollFirst();
            long window = lastFlushFinishedAt - e.unmappedAtNs();
            staleMax = Math.max(staleMax, window);
            staleMin = Math.min(staleMin, window);
            staleTotal += window;
            freed++;
            owner.release(e.pfn(), e.pages(), e.tablePages());
        }
    }

    /** Entries waiting for a flush. */
    public synchronized int pending() {
        return ring.size();
    }

    /** Whether [pfn, pfn + pages) overlaps a queued entry (its IOVA must not be handed out yet). */
    public synchronized boolean holds(long pfn) {
        for (Entry e : ring) {
            if (pfn >= e.pfn() && pfn < e.pfn() + e.pages()) {
                return true;
            }
        }
        return false;
    }

    public synchronized long flushStartCount() {
        return flushStart;
    }

    public synchronized long flushFinishCount() {
        return flushFinish;
    }

    public synchronized Stats stats() {
        return new Stats(flushes, fullFlushes, timeoutFlushes, queued, freed, staleMax, staleTotal, staleMin);
    }
}
