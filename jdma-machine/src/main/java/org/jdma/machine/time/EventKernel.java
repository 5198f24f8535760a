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
 * <p>Events run in (time, sequence) order; the sequence is a global insertion counter, so two
 * events at the same virtual time run in the order they were scheduled. That total order, plus the
 * single {@link #random()} source, is what makes a run reproducible. Future events are kept in a
 * binary heap over parallel primitive arrays, except those that arrive already in order, which go
 * to a FIFO {@link EventLane} and need no sifting: events for the current time (deferred work), and
 * events of a delay scheduled often (an interrupt's delivery latency, a device's fetch delay: "now +
 * the same delay" never goes back in time). The next event is the earliest by (time, sequence) of
 * the heap's root and the lanes' heads, so the order is the same as with the heap alone.
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
    /**
     * The last time the run in progress lets events happen at ({@link #runUntil(long)}'s limit),
     * or {@link Long#MIN_VALUE} while no run promises more than the event at hand (a step, a run
     * until a condition); see {@link #quietUntil()}.
     */
    private long runLimit = Long.MIN_VALUE;

    /**
     * The heap: a 4-ary min-heap on (time, sequence), entry 0 the root. Entry i keeps its time in
     * {@code keys[2i]} and its sequence in {@code keys[2i + 1]}, its action and label in
     * {@code refs[2i]} and {@code refs[2i + 1]}: a sift moves two arrays, not four, and an entry's
     * four children are 64 contiguous bytes of keys (half the levels of a binary heap). Sequences
     * are unique, so the order events run in does not depend on the heap's shape.
     */
    private long[] keys = new long[2 * 64];
    private Object[] refs = new Object[2 * 64];
    private int size;

    /** Lanes of events already in order: [0] for the current time, the rest one per frequent delay. */
    private final EventLane[] lanes = new EventLane[1 + DELAY_LANES];
    /** Delays that get a lane of their own at a time (an empty lane is given to the next new delay). */
    private static final int DELAY_LANES = 4;

    public EventKernel(long seed) {
        this(seed, new TraceRecorder());
    }

    public EventKernel(long seed, TraceRecorder trace) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.trace = Objects.requireNonNull(trace, "trace");
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new EventLane(0);
        }
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
        int n = size;
        for (EventLane lane : lanes) {
            n += lane.size();
        }
        return n;
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
        long timeNs = Math.addExact(now, delayNs);
        EventLane lane = delayNs == 0 ? null : laneFor(delayNs, timeNs);
        if (lane == null) {
            scheduleAt(timeNs, label, action);
        } else {
            lane.add(timeNs, nextSequence++, Objects.requireNonNull(action, "action"), label);
        }
    }

    /**
     * The lane of {@code delayNs} if it can take an event at {@code timeNs} (always, unless the
     * clock was set back); else an empty lane, the least used one, given to that delay now (so a
     * delay seen once does not take the lane of one seen every microsecond); else null (the heap).
     */
    private EventLane laneFor(long delayNs, long timeNs) {
        EventLane spare = null;
        for (int i = 1; i < lanes.length; i++) {
            EventLane lane = lanes[i];
            if (lane.delayNs == delayNs) {
                return lane.accepts(timeNs) ? lane : null;
            }
            if (lane.isEmpty() && (spare == null || lane.added() < spare.added())) {
                spare = lane;
            }
        }
        if (spare != null) {
            spare.serve(delayNs);
        }
        return spare;
    }

    /** Schedules {@code action} at absolute virtual time {@code timeNs}, which must not be in the past. */
    public void scheduleAt(long timeNs, String label, Runnable action) {
        Objects.requireNonNull(action, "action");
        if (timeNs < now) {
            throw new IllegalArgumentException("event '" + label + "' scheduled at " + timeNs
                    + " ns, before the current time " + now + " ns");
        }
        if (timeNs == now) {
            lanes[0].add(timeNs, nextSequence++, action, label);
            return;
        }
        if (2 * size == keys.length) {
            keys = Arrays.copyOf(keys, 2 * keys.length);
            refs = Arrays.copyOf(refs, 2 * refs.length);
        }
        siftUp(size++, timeNs, nextSequence++, action, label);
    }

    /**
     * Back to time 0 with nothing pending (for a machine reset, after device threads stopped): the
     * events and posted work waiting are dropped, unrun, and the sequence starts again, so what is
     * scheduled next runs as on a new kernel. The executed-event count and the random source go on.
     */
    public void reset() {
        Arrays.fill(refs, 0, 2 * size, null);
        size = 0;
        for (EventLane lane : lanes) {
            lane.clear();
        }
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
        if (pendingEvents() == 0) {
            return posted > 0;
        }
        long outer = runLimit;
        runLimit = Long.MIN_VALUE;
        try {
            runEarliest();
        } finally {
            runLimit = outer;
        }
        return true;
    }

    /**
     * The time before which nothing can change the machine but the event running now: the earliest
     * pending event's time, or just past the limit of the {@link #runUntil(long)} in progress when
     * that comes first (its events at the limit still run). An event that would only repeat work
     * that changes nothing (a poll loop that found its rings empty) may account for its repetitions
     * before this time instead of scheduling each one, and the machine is the same at the end of
     * the run. {@link Long#MIN_VALUE} (no time) while device threads may post work, work is posted,
     * or the run in progress stops at a condition or after one step.
     */
    public long quietUntil() {
        if (runLimit == Long.MIN_VALUE || deviceThreadCount.get() != 0 || !inbox.isEmpty()) {
            return Long.MIN_VALUE;
        }
        long next = runLimit == Long.MAX_VALUE ? Long.MAX_VALUE : runLimit + 1;
        if (!lanes[0].isEmpty()) {
            return Math.min(next, lanes[0].headTime());
        }
        if (size > 0) {
            next = Math.min(next, keys[0]);
        }
        for (int i = 1; i < lanes.length; i++) {
            if (!lanes[i].isEmpty()) {
                next = Math.min(next, lanes[i].headTime());
            }
        }
        return next;
    }

    /** Runs the earliest event, by (time, sequence): a lane's head or the heap's root (one is pending). */
    private void runEarliest() {
        runEarliestDue(Long.MAX_VALUE);
    }

    /**
     * Runs the earliest event if it is due at or before {@code timeNs}; returns false, running
     * nothing, when none is (the same search finds the event and tells whether it is due).
     */
    private boolean runEarliestDue(long timeNs) {
        EventLane lane = earliestLane();
        long t;
        Runnable action;
        String label;
        if (lane != null) {
            t = lane.headTime();
            if (t > timeNs) {
                return false;
            }
            action = lane.headAction();
            label = lane.headLabel();
            lane.removeHead();
        } else {
            if (size == 0 || keys[0] > timeNs) {
                return false;
            }
            t = keys[0];
            action = (Runnable) refs[0];
            label = (String) refs[1];
            removeRoot();
        }
        now = t;
        executed++;
        try {
            action.run();
        } catch (RuntimeException e) {
            throw new IllegalStateException("event '" + label + "' at " + t + " ns failed: " + e, e);
        }
        return true;
    }

    /** The lane whose head runs next, or null when the heap's root does (something is pending). */
    private EventLane earliestLane() {
        EventLane best = null;
        boolean any = size > 0;
        long time = any ? keys[0] : 0;
        long sequence = any ? keys[1] : 0;
        for (EventLane lane : lanes) {
            if (!lane.isEmpty() && (!any || lane.headTime() < time
                    || lane.headTime() == time && lane.headSequence() < sequence)) {
                best = lane;
                any = true;
                time = lane.headTime();
                sequence = lane.headSequence();
            }
        }
        return best;
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
        long outer = runLimit;
        runLimit = timeNs;
        try {
            while (true) {
                runPosted();
                if (!runEarliestDue(timeNs)) {
                    break;
                }
            }
        } finally {
            runLimit = outer;
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
            if (!step()) { // a step runs with no limit to skip ahead to: the condition may hold after any event
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
        long outer = runLimit;
        runLimit = Long.MIN_VALUE; // the condition may hold after any event: nothing to skip ahead to
        try {
            while (!condition.getAsBoolean()) {
                if (runPosted() > 0) {
                    continue;
                }
                if (!runEarliestDue(deadlineNs)) {
                    if (deadlineNs > now) {
                        now = deadlineNs;
                    }
                    return condition.getAsBoolean();
                }
            }
            return true;
        } finally {
            runLimit = outer;
        }
    }

    /** Moves the hole at {@code i} up until (time, sequence) fits, and puts the event there. */
    private void siftUp(int i, long time, long sequence, Runnable action, String label) {
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            long parentTime = keys[2 * parent];
            if (parentTime < time || (parentTime == time && keys[2 * parent + 1] < sequence)) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        put(i, time, sequence, action, label);
    }

    /** Takes the root out: the last event fills the hole left at the root, sifted down. */
    private void removeRoot() {
        int last = --size;
        long time = keys[2 * last];
        long sequence = keys[2 * last + 1];
        Object action = refs[2 * last];
        Object label = refs[2 * last + 1];
        refs[2 * last] = null;
        refs[2 * last + 1] = null;
        if (last == 0) {
            return;
        }
        int i = 0;
        while (true) {
            int first = 4 * i + 1;
            if (first >= size) {
                break;
            }
            int end = Math.min(first + 4, size);
            int c = first;
            long childTime = keys[2 * first];
            long childSequence = keys[2 * first + 1];
            for (int k = first + 1; k < end; k++) {
                long t = keys[2 * k];
                if (t < childTime || (t == childTime && keys[2 * k + 1] < childSequence)) {
                    c = k;
                    childTime = t;
                    childSequence = keys[2 * k + 1];
                }
            }
            if (time < childTime || (time == childTime && sequence < childSequence)) {
                break;
            }
            move(c, i);
            i = c;
        }
        put(i, time, sequence, action, label);
    }

    private void move(int from, int to) {
        keys[2 * to] = keys[2 * from];
        keys[2 * to + 1] = keys[2 * from + 1];
        refs[2 * to] = refs[2 * from];
        refs[2 * to + 1] = refs[2 * from + 1];
    }

    private void put(int i, long time, long sequence, Object action, Object label) {
        keys[2 * i] = time;
        keys[2 * i + 1] = sequence;
        refs[2 * i] = action;
        refs[2 * i + 1] = label;
    }
}
