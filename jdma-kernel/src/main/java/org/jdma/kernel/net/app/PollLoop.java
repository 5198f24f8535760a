package org.jdma.kernel.net.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import org.jdma.platform.Clock;
import org.jdma.platform.Platform;

/**
 * Runs applications as modeled-time loops, one per CPU: a poll runs every step given to its CPU
 * (as that CPU), the kernel counters it moved and the packets it handled are charged by a
 * {@link CpuCostModel}, and the CPU's next poll is an event that much later on the machine's
 * clock (or later, when a step paces itself). Work the kernel did between polls (a lazy flush
 * queue's timer) is charged to the next poll of any CPU.
 *
 * <p>Polls do not interleave: a poll that finds another CPU's poll in progress (waiting, so the
 * machine runs) tries again {@link #RETRY_NS} later, so counter deltas belong to one poll.
 *
 * <p>Idle polls are accounted, not made, while nothing can change: after a poll that did nothing
 * but find every step's input empty ({@link Step#idleUntilMachineRuns}), taking no modeled time,
 * each further poll before the next machine event (and within the run in progress,
 * {@link Clock#quietUntil}) would do the same, so the loop adds those polls' work, cost and count
 * one by one, exactly as they would have been, and schedules only the first poll after. A machine
 * event that runs first sees the same clock and state either way.
 */
public final class PollLoop {

    /** How long a poll that found another in progress waits before it tries again, ns. */
    public static final long RETRY_NS = 10;

    /** One application's work per poll: ixy's loop body. */
    public interface Step {
        /** Does one poll's work as the current CPU; returns its batch calls and packets (other fields 0). */
        CpuWork poll();

        /** The earliest time the step wants its CPU's next poll (pacing), ns of the machine's clock; 0 for none. */
        default long notBeforeNs() {
            return 0;
        }

        /**
         * After a poll that found nothing: whether every further poll would also find nothing,
         * change nothing and take no modeled time until a machine event runs (its input rings are
         * empty; it paces nothing). Lets the loop account for those polls without making them.
         * False by default.
         */
        default boolean idleUntilMachineRuns() {
            return false;
        }
    }

    private final Platform platform;
    private final Clock clock;
    private final KernelCounters counters;
    private final CpuCostModel model;
    private final boolean translated;
    private final TreeMap<Integer, Cpu> cpus = new TreeMap<>();
    private boolean running;
    private boolean fastForwardIdle = true;
    private boolean inPoll;
    /** The kernel's counters at the end of the last poll of any CPU, and a reading of them now. */
    private WorkTally lastSeen = new WorkTally();
    private WorkTally reading = new WorkTally();

    /**
     * Per CPU: its steps, what it did and what that cost, and its poll as a task (built once: a
     * poll is an event). Sums are kept in fields, not records: a poll allocates nothing here.
     */
    private final class Cpu {
        final int index;
        final List<Step> steps = new ArrayList<>();
        final String label;
        final String retryLabel;
        final Runnable pollTask = () -> poll(this);
        /** Runs every step as this CPU, summing what they report into {@link #pollWork}. */
        final Runnable stepsTask = this::runSteps;
        /** What the poll in progress did, and what that cost. */
        final WorkTally pollWork = new WorkTally();
        final CostTally pollCost = new CostTally();
        /** What the CPU did and what it cost, summed: idle polls are accounted by the thousand. */
        final WorkTally work = new WorkTally();
        final CostTally cost = new CostTally();
        long polls;
        /** Fractions of a nanosecond not yet waited (the clock has whole ns). */
        double carryNs;

        Cpu(int index) {
            this.index = index;
            this.label = "poll cpu" + index;
            this.retryLabel = label + " (another poll waits)";
        }

        private void runSteps() {
            for (Step s : steps) {
                pollWork.add(s.poll());
            }
        }

        CpuWork work() {
            return work.toWork();
        }

        CpuCost cost() {
            return cost.toCost();
        }
    }

    /**
     * Loops on {@code platform}'s CPUs, charging by {@code model}; {@code translated}: the devices
     * map through a translated IOMMU domain ({@link KernelCounters#translated}).
     */
    public PollLoop(Platform platform, KernelCounters counters, CpuCostModel model, boolean translated) {
        this.platform = Objects.requireNonNull(platform, "platform");
        this.clock = platform.clock();
        this.counters = Objects.requireNonNull(counters, "counters");
        this.model = Objects.requireNonNull(model, "model");
        this.translated = translated;
    }

    /** Adds {@code step} to CPU {@code cpu}'s loop (before {@link #start}). */
    public void add(int cpu, Step step) {
        if (cpu < 0 || cpu >= platform.cpus().size()) {
            throw new IllegalArgumentException("CPU " + cpu + " does not exist (CPUs 0.." + (platform.cpus().size() - 1) + ")");
        }
        if (running) {
            throw new IllegalStateException("add steps before start");
        }
        cpus.computeIfAbsent(cpu, Cpu::new).steps.add(Objects.requireNonNull(step, "step"));
    }

    /**
     * Whether idle polls are accounted without being made while nothing can change (the default;
     * see the class comment). Off, every poll is an event: the same results, more slowly.
     */
    public void fastForwardIdlePolls(boolean on) {
        this.fastForwardIdle = on;
    }

    /** Starts every CPU's loop now. */
    public void start() {
        if (running) {
            return;
        }
        running = true;
        counters.readInto(lastSeen);
        for (Cpu c : cpus.values()) {
            clock.schedule(0, c.label, c.pollTask);
        }
    }

    /** Stops every loop after the poll in progress. */
    public void stop() {
        running = false;
    }

    public CpuCostModel model() {
        return model;
    }

    /** The CPUs that have steps, ascending. */
    public List<Integer> cpus() {
        return List.copyOf(cpus.keySet());
    }

    public CpuWork work(int cpu) {
        return cpu(cpu).work();
    }

    public CpuCost cost(int cpu) {
        return cpu(cpu).cost();
    }

    public long polls(int cpu) {
        return cpu(cpu).polls;
    }

    public CpuWork totalWork() {
        return cpus.values().stream().map(Cpu::work).reduce(CpuWork.ZERO, CpuWork::plus);
    }

    public CpuCost totalCost() {
        return cpus.values().stream().map(Cpu::cost).reduce(CpuCost.ZERO, CpuCost::plus);
    }

    private Cpu cpu(int cpu) {
        Cpu c = cpus.get(cpu);
        if (c == null) {
            throw new IllegalArgumentException("CPU " + cpu + " runs no step");
        }
        return c;
    }

    private void poll(Cpu c) {
        if (!running) {
            return;
        }
        if (inPoll) {
            clock.schedule(RETRY_NS, c.retryLabel, c.pollTask);
            return;
        }
        inPoll = true;
        long startNs = clock.now();
        WorkTally done = c.pollWork;
        try {
            done.clear();
            platform.runOn(c.index, c.stepsTask);
            // The kernel's counts since the last poll of any CPU: this poll's own calls, and whatever
            // ran on the machine between the two (a NAPI softirq, a timer), which this CPU is charged.
            counters.readInto(reading);
            done.addDelta(reading, lastSeen);
        } finally {
            inPoll = false;
        }
        WorkTally seen = lastSeen;
        lastSeen = reading;
        reading = seen;
        long waitedNs = clock.now() - startNs;
        c.pollCost.set(model, done, translated, waitedNs);
        double costNs = c.pollCost.chargedNs();
        long next = account(c, costNs, clock.now());
        if (fastForwardIdle && waitedNs == 0 && done.onlyIdle() && idleUntilMachineRuns(c)) {
            // Every poll before the machine's next event repeats this one: account, don't run.
            long quiet = clock.quietUntil();
            while (next < quiet) {
                next = account(c, costNs, next);
            }
        }
        clock.schedule(next - clock.now(), c.label, c.pollTask);
    }

    /**
     * Adds the CPU's poll in progress (its work and cost, {@code costNs} of CPU time) as a poll made
     * at {@code atNs}; returns when the CPU's next poll is due.
     */
    private static long account(Cpu c, double costNs, long atNs) {
        c.work.add(c.pollWork);
        c.cost.add(c.pollCost);
        c.polls++;
        double wait = costNs + c.carryNs;
        long delay = Math.max(1, (long) wait);
        c.carryNs = Math.max(0, wait - delay);
        long next = atNs + delay;
        for (Step s : c.steps) {
            next = Math.max(next, s.notBeforeNs());
        }
        return next;
    }

    private static boolean idleUntilMachineRuns(Cpu c) {
        for (Step s : c.steps) {
            if (!s.idleUntilMachineRuns()) {
                return false;
            }
        }
        return true;
    }
}
