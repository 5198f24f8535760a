package org.jdma.machine.time;

import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The machine's discrete-event scheduler.
 *
 * <p>Events are kept in a binary heap over parallel primitive arrays keyed by (time, sequence); the
 * sequence is a global insertion counter, so two events at the same virtual time run in the order
 * they were scheduled. That total order, plus the single {@link #random()} source, is what makes a
 * run reproducible.
 *
 * <p>Not thread-safe, with one exception: the event kernel belongs to the thread that drives the
 * machine (the machine thread), but a device that runs on a thread of its own registers it
 * ({@link #deviceThreadStarted()}), and code that may run there asks {@link #onDeviceThread()} and
 * hands its work over with {@link #post} (or {@link #runOnMachineThread}): an interrupt message, a
 * trace record, a report to listeners. The machine thread runs posted work at its next step, before
 * the next event and at the current virtual time, oldest first; a run of the machine thread is
 * deterministic only up to when such work arrives, which real concurrency decides. Posting takes
 * no lock; an empty inbox costs a step one volatile read.
 */
public final class EventKernel {

    private long now;
    private long nextSequence;
    private long executed;
    private final SplittableRandom random;
    private final long seed;
    private final TraceRecorder trace;
    private final Inbox inbox = new Inbox();
    private final Set<Thread> deviceThreads = ConcurrentHashMap.newKeySet();
    /** Size of {@link #deviceThreads}: 0 answers {@link #onDeviceThread()} without a lookup. */
    private final AtomicInteger deviceThreadCount = new AtomicInteger();
    private long postedRun;

    // Heap storage: parallel arrays, index 0 is the root.
    private long[] times = new long[64];
    private long[] sequences = new long[64];
    private Runnable[] actions = new Runnable[64];
    private String[] labels = new String[64];
    private int size;

    public EventKernel(long seed) {
        this(seed, new TraceRecorder());
    }

    public EventKernel(long seed, TraceRecorder trace) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.trace = Objects.requireNonNull(trace, "trace");
    }

    /** Current virtual time in nanoseconds. */
    public long now() {
        return now;
    }

    public long seed() {
        return seed;
    }

    /** The machine's one random source. Every random choice in the machine draws from it. */
    public SplittableRandom random() {
        return random;
    }

    public TraceRecorder trace() {
        return trace;
    }

    /** Number of events run so far. */
    public long executedEvents() {
        return executed;
    }

    /** Number of events waiting to run. */
    public int pendingEvents() {
        return size;
    }

    // ---------------------------------------------------------------- other threads

    /** The calling thread is a device's own thread from now on (it calls this first thing). */
    public void deviceThreadStarted() {
        if (deviceThreads.add(Thread.currentThread())) {
            deviceThreadCount.incrementAndGet();
        }
    }

    /** The calling device thread is done (it calls this last thing). */
    public void deviceThreadStopped() {
        if (deviceThreads.remove(Thread.currentThread())) {
            deviceThreadCount.decrementAndGet();
        }
    }

    /** Whether the calling thread is a registered device thread (then it must {@link #post}, not schedule). */
    public boolean onDeviceThread() {
        return deviceThreadCount.get() != 0 && deviceThreads.contains(Thread.currentThread());
    }

    /**
     * Any thread: {@code action} runs on the machine thread at its next step, before the next event,
     * at the virtual time of that moment. Posts run in the order they were made (one thread's in its
     * program order).
     */
    public void post(Runnable action) {
        inbox.post(Objects.requireNonNull(action, "action"));
    }

    /** Runs {@code action} now, or posts it when called from a device thread. */
    public void runOnMachineThread(Runnable action) {
        if (onDeviceThread()) {
            post(action);
        } else {
            action.run();
        }
    }

    /**
     * Machine thread: runs the work posted so far, oldest first. Returns how much ran.
     *
     * @throws IllegalStateException after running all of it, if any of it threw (the first cause)
     */
    public int runPosted() {
        if (inbox.isEmpty()) {
            return 0;
        }
        Runnable[] work = inbox.drain();
        RuntimeException failure = null;
        for (Runnable r : work) {
            postedRun++;
            try {
                r.run();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = new IllegalStateException("work posted by a device thread failed at " + now + " ns: " + e, e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return work.length;
    }

    /** Posted actions run so far. */
    public long postedRun() {
        return postedRun;
    }

    // ---------------------------------------------------------------- events

    /**
     * Schedules {@code action} to run {@code delayNs} nanoseconds from now.
     *
     * @param label a short name for diagnostics (shown when an event throws)
     * @throws IllegalArgumentException if the delay is negative
     */
    public void schedule(long delayNs, String label, Runnable action) {
        if (delayNs < 0) {
            throw new IllegalArgumentException("event '" + label + "' scheduled with negative delay " + delayNs + " ns");
        }
        scheduleAt(Math.addExact(now, delayNs), label, action);
    }

    /** Schedules {@code action} at absolute virtual time {@code timeNs}, which must not be in the past. */
    public void scheduleAt(long timeNs, String label, Runnable action) {
        Objects.requireNonNull(action, "action");
        if (timeNs < now) {
            throw new IllegalArgumentException("event '" + label + "' scheduled at " + timeNs
                    + " ns, before the current time " + now + " ns");
        }
        if (size == times.length) {
            int n = size * 2;
            times = Arrays.copyOf(times, n);
            sequences = Arrays.copyOf(sequences, n);
            actions = Arrays.copyOf(actions, n);
            labels = Arrays.copyOf(labels, n);
        }
        int i = size++;
        times[i] = timeNs;
        sequences[i] = nextSequence++;
        actions[i] = action;
        labels[i] = label;
        siftUp(i);
    }

    /**
     * Back to time 0 with nothing pending (for a machine reset, after device threads stopped): the
     * events and posted work waiting are dropped, unrun, and the sequence starts again, so what is scheduled next runs as on a new kernel. The
     * executed-event count and the random source go on.
     */
    public void reset() {
        Arrays.fill(actions, 0, size, null);
        Arrays.fill(labels, 0, size, null);
        size = 0;
        now = 0;
        nextSequence = 0;
        inbox.clear();
    }

    /**
     * Runs the work other threads posted, then the earliest event, if any. Returns false when
     * nothing was pending.
     */
    public boolean step() {
        int posted = runPosted();
        if (size == 0) {
            return posted > 0;
        }
        runEarliest();
        return true;
    }

    private void runEarliest() {
        long t = times[0];
        Runnable action = actions[0];
        String label = labels[0];
        removeRoot();
        now = t;
        executed++;
        try {
            action.run();
        } catch (RuntimeException e) {
            throw new IllegalStateException("event '" + label + "' at " + t + " ns failed: " + e, e);
        }
    }

    /** Runs events until none is pending. Returns the number run. */
    public long runUntilIdle() {
        long before = executed;
        while (step()) {
            // keep going
        }
        return executed - before;
    }

    /**
     * Runs every event scheduled at or before {@code timeNs}, then advances the clock to
     * {@code timeNs} (if it is later than now).
     */
    public long runUntil(long timeNs) {
        long before = executed;
        while (true) {
            runPosted();
            if (size == 0 || times[0] > timeNs) {
                break;
            }
            runEarliest();
        }
        if (timeNs > now) {
            now = timeNs;
        }
        return executed - before;
    }

    /** Advances virtual time by {@code deltaNs}, running everything due on the way. */
    public long runFor(long deltaNs) {
        if (deltaNs < 0) {
            throw new IllegalArgumentException("negative duration " + deltaNs);
        }
        return runUntil(Math.addExact(now, deltaNs));
    }

    /**
     * Runs events until {@code condition} holds (checked before each event) or no event is
     * pending. Returns whether the condition holds at the end.
     */
    public boolean runUntil(BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            if (!step()) {
                return condition.getAsBoolean();
            }
        }
        return true;
    }

    /**
     * Like {@link #runUntil(BooleanSupplier)} but gives up once virtual time would pass
     * {@code deadlineNs}; the clock then stands at the deadline. Returns whether the condition holds.
     */
    public boolean runUntil(BooleanSupplier condition, long deadlineNs) {
        while (!condition.getAsBoolean()) {
            if (runPosted() > 0) {
                continue;
            }
            if (size == 0 || times[0] > deadlineNs) {
                if (deadlineNs > now) {
                    now = deadlineNs;
                }
                return condition.getAsBoolean();
            }
            runEarliest();
        }
        return true;
    }

    private boolean less(int a, int b) {
        return times[a] < times[b] || (times[a] == times[b] && sequences[a] < sequences[b]);
    }

    private void swap(int a, int b) {
        long t = times[a]; times[a] = times[b]; times[b] = t;
        long s = sequences[a]; sequences[a] = sequences[b]; sequences[b] = s;
        Runnable r = actions[a]; actions[a] = actions[b]; actions[b] = r;
        String l = labels[a]; labels[a] = labels[b]; labels[b] = l;
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(i, parent)) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void removeRoot() {
        int last = --size;
        if (last > 0) {
            swap(0, last);
        }
        actions[last] = null;
        labels[last] = null;
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int r = l + 1;
            int smallest = (r < size && less(r, l)) ? r : l;
            if (!less(smallest, i)) {
                return;
            }
            swap(i, smallest);
            i = smallest;
        }
    }
}
