package org.jdma.kernel.iommu;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.jdma.platform.Clock;
import org.jdma.platform.Platform;

/**
 * Lazy unmap: per-CPU flush queues (Linux {@code iova_fq} in {@code drivers/iommu/dma-iommu.c}).
 * An unmapped range (its IOVA and the table pages its unmap emptied) waits in the ring of the CPU
 * that unmapped it until a whole-domain IOTLB flush that started after it has completed; only then
 * are the IOVA and the pages freed, so neither is reused while the unit may still hold a
 * translation or walk a page.
 *
 * <p>Each CPU has its own ring and lock ({@code queue} picks the caller's CPU; a thread that never
 * entered a CPU is the boot CPU). The domain shares two counters: an entry records
 * {@code flushStart} when queued; a flush increments {@code flushStart}, flushes, then increments
 * {@code flushFinish}; an entry is freed only when its counter is below {@code flushFinish}, so by
 * whichever CPU frees it, an entry queued after a flush started waits for the next one. A full ring
 * ({@value #DEFAULT_SIZE} entries) flushes; so does the timeout ({@value #DEFAULT_TIMEOUT_NS} ns of
 * virtual time after the first entry was queued, one timer for the domain). Every flush then frees
 * what it covers in every ring, one ring lock at a time and never while holding another (Linux's
 * full-ring flush leaves the other CPUs' rings to their next {@code queue_iova} or the timer; freeing
 * them at once gives the IOVAs back sooner and keeps the timer's deadline the first live entry's).
 *
 * <p>The timeout is a timer armed on the platform clock (Linux {@code fq_timer}); it fires while
 * the machine runs. When it fires in the middle of an operation on the unit (the kernel is polling
 * a register, or a flush is under way), it re-arms itself {@value #TIMER_RETRY_NS} ns later, as
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
     * Summed over every CPU's ring.
     *
     * @param flushes          whole-domain flushes done
     * @param fullFlushes      of them forced by a full ring
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

    /**
     * One CPU's ring (Linux {@code struct iova_fq}): queued ranges oldest first, in parallel
     * primitive arrays so that queueing an unmap allocates nothing; guarded by its own monitor.
     * Package-private for its contract test.
     */
    static final class Ring {
        private long[] pfns;
        private long[] pageCounts;
        private long[] counters;
        private long[] unmappedAtNs;
        private List<?>[] tablePages;
        private int head;
        private int count;
        long queued;
        long freed;
        long staleMax;
        long staleTotal;
        long staleMin = Long.MAX_VALUE;

        Ring(int size) {
            allocate(size);
        }

        private void allocate(int capacity) {
            pfns = new long[capacity];
            pageCounts = new long[capacity];
            counters = new long[capacity];
            unmappedAtNs = new long[capacity];
            tablePages = new List<?>[capacity];
        }

        int size() {
            return count;
        }

        void add(long pfn, long pages, List<Long> tables, long counter, long atNs) {
            if (count == pfns.length) {
                grow(); // only when flushes on other CPUs kept a full ring's entries from their flush
            }
            int i = slot(count);
            pfns[i] = pfn;
            pageCounts[i] = pages;
            counters[i] = counter;
            unmappedAtNs[i] = atNs;
            tablePages[i] = tables;
            count++;
        }

        private int slot(int nth) {
            int i = head + nth;
            return i >= pfns.length ? i - pfns.length : i;
        }

        private void grow() {
            long[] p = pfns, n = pageCounts, c = counters, t = unmappedAtNs;
            List<?>[] tp = tablePages;
            int oldHead = head;
            allocate(p.length * 2);
            for (int k = 0; k < count; k++) {
                int from = (oldHead + k) % p.length;
                pfns[k] = p[from];
                pageCounts[k] = n[from];
                counters[k] = c[from];
                unmappedAtNs[k] = t[from];
                tablePages[k] = tp[from];
            }
            head = 0;
        }

        long headCounter() {
            return counters[head];
        }

        long headPfn() {
            return pfns[head];
        }

        long headPages() {
            return pageCounts[head];
        }

        long headUnmappedAtNs() {
            return unmappedAtNs[head];
        }

        @SuppressWarnings("unchecked")
        List<Long> headTablePages() {
            return (List<Long>) tablePages[head];
        }

        void removeHead() {
            tablePages[head] = null;
            head = slot(1);
            count--;
        }

        /** Whether a queued range covers {@code pfn}. */
        boolean covers(long pfn) {
            for (int k = 0; k < count; k++) {
                int i = slot(k);
                if (pfn >= pfns[i] && pfn < pfns[i] + pageCounts[i]) {
                    return true;
                }
            }
            return false;
        }
    }

    private final Owner owner;
    private final Clock clock;
    private final int size;
    private final long timeoutNs;
    private final Ring[] rings;
    private final IntSupplier currentCpu;
    private final AtomicLong flushStart = new AtomicLong();
    private final AtomicLong flushFinish = new AtomicLong();
    /** Flushes under way (the timer must not start one from inside another). */
    private final AtomicInteger flushing = new AtomicInteger();
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong fullFlushes = new AtomicLong();
    private final AtomicLong timeoutFlushes = new AtomicLong();
    /** Time the last flush completed (so a freed entry's window ends there). */
    private final AtomicLong lastFlushFinishedAt = new AtomicLong();

    /** Guards changes to the timer's deadline; never held while taking a ring's lock or flushing. */
    private final Object timerLock = new Object();
    /**
     * Virtual time at which the timer fires; -1 when not armed. Written under {@link #timerLock};
     * volatile so that every queue operation can see without the lock that the timer is armed
     * and not due (the common case), and take the lock only to change it.
     */
    private volatile long timerDeadline = -1;
    private boolean timersSupported = true;

    /** One ring, used by every caller (a single-CPU machine, or tests of the ring itself). */
    public FlushQueue(Owner owner, Clock clock, int size, long timeoutNs) {
        this(owner, clock, 1, () -> 0, size, timeoutNs);
    }

    /**
     * One ring per CPU, {@code cpus} of them, the caller's chosen by {@code currentCpu}
     * (0..cpus-1).
     */
    public FlushQueue(Owner owner, Clock clock, int cpus, IntSupplier currentCpu, int size, long timeoutNs) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.currentCpu = Objects.requireNonNull(currentCpu, "currentCpu");
        if (cpus < 1) {
            throw new IllegalArgumentException("flush queue needs at least one CPU, was " + cpus);
        }
        if (size < 1) {
            throw new IllegalArgumentException("flush queue size must be positive, was " + size);
        }
        if (timeoutNs <= 0) {
            throw new IllegalArgumentException("flush queue timeout must be positive, was " + timeoutNs);
        }
        this.size = size;
        this.timeoutNs = timeoutNs;
        this.rings = new Ring[cpus];
        for (int i = 0; i < cpus; i++) {
            rings[i] = new Ring(size);
        }
    }

    /** One ring per CPU of {@code platform}, the caller's chosen by the CPU it runs as. */
    public static FlushQueue perCpu(Owner owner, Platform platform, int size, long timeoutNs) {
        Objects.requireNonNull(platform, "platform");
        return new FlushQueue(owner, platform.clock(), platform.cpus().size(), () -> platform.cpu().index(),
                size, timeoutNs);
    }

    /**
     * Queues an unmapped range whose page-table entries are already cleared on the caller's CPU's
     * ring (Linux {@code queue_iova}). Frees what earlier flushes released; flushes first when the
     * ring is full.
     */
    public void queue(long pfn, long pages, List<Long> tablePages) {
        List<Long> tables = tablePages.isEmpty() ? List.of() : List.copyOf(tablePages);
        runTimer();
        long now = clock.now(); // read before the counter: the window never starts after its flush
        Ring ring = rings.length == 1 ? rings[0] : ring(currentCpu.getAsInt());
        boolean flushed = false;
        synchronized (ring) {
            freeCompleted(ring);
            if (ring.size() >= size) {
                fullFlushes.incrementAndGet();
                flushIotlb();
                freeCompleted(ring);
                flushed = true;
            }
            ring.add(pfn, pages, tables, flushStart.get(), now);
            ring.queued++;
        }
        if (flushed) {
            freeEveryRingAndRearm();
        } else {
            armIfIdle();
        }
    }

    private Ring ring(int cpu) {
        if (cpu < 0 || cpu >= rings.length) {
            throw new IllegalStateException("the caller runs as CPU " + cpu + "; this flush queue has rings for CPUs 0.."
                    + (rings.length - 1));
        }
        return rings[cpu];
    }

    /** Linux {@code fq_flush_iotlb}: start count, whole-domain invalidation, finish count. */
    private void flushIotlb() {
        flushing.incrementAndGet();
        try {
            flushStart.incrementAndGet();
            owner.flushIotlbAll();
            // The time first: whoever sees the new count frees with a window that ends here or later.
            lastFlushFinishedAt.accumulateAndGet(clock.now(), Math::max);
            flushFinish.incrementAndGet();
        } finally {
            flushing.decrementAndGet();
        }
        flushes.incrementAndGet();
    }

    /** Frees what the finished flushes cover in every ring, then times what is left afresh. */
    private void freeEveryRingAndRearm() {
        synchronized (timerLock) {
            timerDeadline = -1;
        }
        for (Ring r : rings) {
            synchronized (r) {
                freeCompleted(r);
            }
        }
        if (pending() > 0) {
            armIfIdle();
        }
    }

    /** Arms the timer unless it already is (Linux {@code fq_timer_on}). */
    private void armIfIdle() {
        if (timerDeadline >= 0) {
            // Armed. Had a flush just disarmed it, that flush re-arms after looking at the rings,
            // which it does after this caller's entry was added (under the ring's lock).
            return;
        }
        synchronized (timerLock) {
            if (timerDeadline >= 0) {
                return;
            }
            timerDeadline = clock.now() + timeoutNs;
        }
        armTimer(timeoutNs);
    }

    private void armTimer(long delayNs) {
        synchronized (timerLock) {
            if (!timersSupported) {
                return;
            }
        }
        try {
            clock.schedule(delayNs, "iova flush queue timer", this::onTimer);
        } catch (UnsupportedOperationException e) {
            synchronized (timerLock) {
                timersSupported = false;
            }
        }
    }

    /** The timer event: flushes when due, unless the unit is busy (then tries again shortly). */
    private void onTimer() {
        synchronized (timerLock) {
            if (timerDeadline < 0 || clock.now() < timerDeadline) {
                return; // flushed meanwhile, or a later arming owns the deadline
            }
        }
        if (flushing.get() > 0 || owner.busy()) {
            armTimer(TIMER_RETRY_NS);
            return;
        }
        runTimer();
    }

    /**
     * Fires the timeout when its deadline has passed (Linux {@code fq_flush_timeout}): one flush,
     * then every CPU's ring frees what it covers. Returns whether it flushed.
     */
    public boolean runTimer() {
        long deadline = timerDeadline;
        if (deadline < 0 || clock.now() < deadline) {
            return false; // not armed, or not due: seen again under the lock only when it may fire
        }
        synchronized (timerLock) {
            if (timerDeadline < 0 || clock.now() < timerDeadline) {
                return false;
            }
            timerDeadline = -1;
        }
        timeoutFlushes.incrementAndGet();
        flushIotlb();
        freeEveryRingAndRearm();
        return true;
    }

    /** Flushes the domain and frees every ring's entries queued before the flush. */
    public void flushNow() {
        synchronized (timerLock) {
            timerDeadline = -1;
        }
        flushIotlb();
        freeEveryRingAndRearm();
    }

    /** Linux {@code fq_ring_free_locked}: frees entries, oldest first, while counter &lt; flushFinish. */
    private void freeCompleted(Ring ring) {
        long finished = flushFinish.get();
        while (ring.size() > 0 && ring.headCounter() < finished) {
            long pfn = ring.headPfn();
            long pages = ring.headPages();
            List<Long> tablePages = ring.headTablePages();
            long window = lastFlushFinishedAt.get() - ring.headUnmappedAtNs();
            ring.removeHead();
            ring.staleMax = Math.max(ring.staleMax, window);
            ring.staleMin = Math.min(ring.staleMin, window);
            ring.staleTotal += window;
            ring.freed++;
            owner.release(pfn, pages, tablePages);
        }
    }

    /** Number of rings (the CPUs this queue serves). */
    public int cpus() {
        return rings.length;
    }

    /** Entries waiting for a flush, in every ring. */
    public int pending() {
        int n = 0;
        for (int cpu = 0; cpu < rings.length; cpu++) {
            n += pending(cpu);
        }
        return n;
    }

    /** Entries waiting for a flush in CPU {@code cpu}'s ring. */
    public int pending(int cpu) {
        Ring r = ring(cpu);
        synchronized (r) {
            return r.size();
        }
    }

    /** Whether [pfn, pfn + pages) overlaps a queued entry in any ring (its IOVA must not be handed out yet). */
    public boolean holds(long pfn) {
        for (Ring r : rings) {
            synchronized (r) {
                if (r.covers(pfn)) {
                    return true;
                }
            }
        }
        return false;
    }

    public long flushStartCount() {
        return flushStart.get();
    }

    public long flushFinishCount() {
        return flushFinish.get();
    }

    public Stats stats() {
        long queued = 0;
        long freed = 0;
        long max = 0;
        long total = 0;
        long min = Long.MAX_VALUE;
        for (Ring r : rings) {
            synchronized (r) {
                queued += r.queued;
                freed += r.freed;
                max = Math.max(max, r.staleMax);
                total += r.staleTotal;
                min = Math.min(min, r.staleMin);
            }
        }
        return new Stats(flushes.get(), fullFlushes.get(), timeoutFlushes.get(), queued, freed, max, total, min);
    }
}
