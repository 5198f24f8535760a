package org.jdma.machine.dev.nvme;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.function.IntPredicate;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.nvme.CompletionEntryLayout;
import org.jdma.spec.nvme.NvmeCommands;
import org.jdma.spec.nvme.NvmeStatus;
import org.jdma.spec.nvme.SubmissionEntryLayout;

/**
 * The queues of an enabled controller and the path of a command through them (NVMe base spec
 * §4.1, §4.6, §7.2): a tail doorbell schedules a fetch {@code fetchNs} later, which reads every
 * entry up to the tail by DMA, moves the SQ head and hands each command to the admin or I/O
 * command set; a completion is written by DMA at the CQ tail with the SQ's head at that moment,
 * the CQ's phase, SQ id and CID, then the CQ's vector is signalled (I/O queues coalesced by
 * threshold and time, Set Features 08h). A completion queue that is full keeps completions
 * waiting until the head doorbell frees slots. A failed SQE fetch or CQE write is a controller
 * fatal status (CSTS.CFS): the controller stops, the machine does not.
 *
 * <p>I/O commands are reused: one whose completion is posted and whose media event (if any) has
 * run goes back to {@link #free}, and the next fetch takes it, so the steady I/O path allocates
 * no command. There are never more than the peak number outstanding. Admin commands are new
 * each time (an Asynchronous Event Request stays outstanding for as long as the host wants).
 */
final class CommandEngine {

    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** What runs a fetched command. */
    interface CommandSet {
        void execute(Command c);
    }

    /** Sees every command fetched and completed (the SMART counters and the error log). */
    interface Observer {
        void fetched(Command c);

        void completed(Command c, int status);
    }

    /** Signals an MSI-X entry; false when the message did not go out (masked or disabled). */
    interface Signal {
        boolean raise(int vector);
    }

    final SubmissionQueue[] sqs;
    final CompletionQueue[] cqs;
    private final DmaPort port;
    private final EventKernel kernel;
    private final Signal signal;
    private final Runnable fatal;
    private final long fetchNs;
    private final String fetchLabel;
    private final String coalesceLabel;
    private final MemorySegment cqe = MemorySegment.ofArray(new byte[CompletionEntryLayout.SIZE]);
    private final CommandTable outstanding = new CommandTable();
    /** I/O commands nothing refers to any more, for the next fetches. */
    private final ArrayDeque<Command> free = new ArrayDeque<>();
    private CommandSet admin;
    private CommandSet io;
    /** Bumped when the controller is disabled or reset: events of an earlier one do nothing. */
    long generation;
    /** Interrupt coalescing (Set Features 08h): threshold (0's based) and time in 100 us units. */
    int coalesceThreshold;
    int coalesceTime;
    /** Per vector: coalescing disabled (Set Features 09h CD). */
    IntPredicate coalescingDisabled = v -> false;
    Observer observer = new Observer() {
        @Override public void fetched(Command c) { }

        @Override public void completed(Command c, int status) { }
    };
    private long fetched;
    private long completed;
    private long interrupts;

    CommandEngine(int queues, DmaPort port, EventKernel kernel, Signal signal, Runnable fatal, long fetchNs, String name) {
        this.sqs = new SubmissionQueue[queues];
        this.cqs = new CompletionQueue[queues];
        this.port = port;
        this.kernel = kernel;
        this.signal = signal;
        this.fatal = fatal;
        this.fetchNs = fetchNs;
        this.fetchLabel = name + " fetch";
        this.coalesceLabel = name + " coalesce";
    }

    void commandSets(CommandSet adminSet, CommandSet ioSet) {
        this.admin = adminSet;
        this.io = ioSet;
    }

    long fetched() { return fetched; }

    long completed() { return completed; }

    /** Completions held because their queue is full (the host has not moved its head). */
    long waiting() {
        long n = 0;
        for (CompletionQueue cq : cqs) {
            n += cq == null ? 0 : cq.waiting.size();
        }
        return n;
    }

    long interrupts() { return interrupts; }

    /** Forgets every queue and command (disable, reset): nothing scheduled before runs. */
    void clear() {
        generation++;
        java.util.Arrays.fill(sqs, null);
        java.util.Arrays.fill(cqs, null);
        outstanding.clear();
        coalesceThreshold = 0;
        coalesceTime = 0;
    }

    /** The outstanding command {@code cid} of queue {@code sqid}, or null. */
    Command outstanding(int sqid, int cid) {
        return outstanding.get(Command.key(sqid, cid));
    }

    /** Every outstanding command of queue {@code sqid}, by ascending CID. */
    java.util.List<Command> outstandingOf(int sqid) {
        return outstanding.of(sqid);
    }

    // ---------------------------------------------------------------- submission

    /**
     * The host wrote SQ {@code sq}'s tail doorbell (already checked). The fetch event is the
     * queue's own, made once: a queue has at most one pending ({@code fetching}).
     */
    void tail(SubmissionQueue sq, int tail) {
        sq.tail = tail;
        if (!sq.fetching && !sq.empty()) {
            sq.fetching = true;
            if (sq.fetchEvent == null) {
                sq.fetchEvent = () -> {
                    if (sq.fetchGeneration == generation) {
                        fetch(sq);
                    }
                };
            }
            sq.fetchGeneration = generation;
            kernel.schedule(fetchNs, fetchLabel, sq.fetchEvent);
        }
    }

    private void fetch(SubmissionQueue sq) {
        sq.fetching = false;
        long g = generation;
        while (!sq.empty() && g == generation && sqs[sq.id] == sq) {
            Command c = sq.id == 0 || free.isEmpty() ? new Command() : free.pop();
            DmaResult r = port.read(sq.entryAddress(sq.head), c.entry(), 0, SubmissionEntryLayout.SIZE);
            if (!r.isOk()) {
                fatal.run();
                return;
            }
            sq.head = (sq.head + 1) % sq.size;
            fetched++;
            c.fetched(sq, kernel.now());
            if (outstanding.putIfAbsent(c.key(), c) != null) {
                c.done = true;
                post(sq, c.cid(), NvmeStatus.CID_CONFLICT, 0, true);
                release(c);
                continue;
            }
            observer.fetched(c);
            if (c.admin()) {
                admin.execute(c);
            } else {
                io.execute(c);
                if (c.done && !c.mediaPending) {
                    release(c); // completed at once (a bad field, a refused DMA)
                }
            }
        }
    }

    /**
     * {@code c} is done and its media event (if it had one) has run: nothing refers to it, and an
     * I/O command goes back to the free ones.
     */
    void release(Command c) {
        if (c.sq != null && c.sq.id != 0) {
            c.recycle();
            free.push(c);
        }
    }

    // ---------------------------------------------------------------- completion

    /** Completes {@code c} with {@code status} (and DNR for every error) and result {@code dw0}, now. */
    void complete(Command c, int status, int dw0) {
        if (c.done) {
            return;
        }
        c.done = true;
        outstanding.remove(c.key());
        observer.completed(c, status);
        post(c.sq, c.cid(), status, dw0, status != NvmeStatus.SUCCESS && status != NvmeStatus.ABORTED_BY_REQUEST
                && status != NvmeStatus.ABORTED_SQ_DELETED);
    }

    private void post(SubmissionQueue sq, int cid, int status, int dw0, boolean dnr) {
        CompletionQueue cq = sq.cq;
        if (cq.full() || !cq.waiting.isEmpty()) {
            cq.waiting.add(new CompletionQueue.Entry(dw0, sq.id, cid, status, dnr));
            return;
        }
        if (write(cq, dw0, sq.id, cid, status, dnr)) {
            interrupt(cq, 1);
        }
    }

    private boolean write(CompletionQueue cq, CompletionQueue.Entry e) {
        return write(cq, e.dw0(), e.sqid(), e.cid(), e.status(), e.dnr());
    }

    /** Writes one entry at the CQ tail: DW0, SQ head, SQ id, CID and the phase-tagged status. */
    private boolean write(CompletionQueue cq, int dw0, int sqid, int cid, int status, boolean dnr) {
        cqe.set(LE_INT, CompletionEntryLayout.DW0, dw0);
        cqe.set(LE_INT, CompletionEntryLayout.DW1, 0);
        SubmissionQueue sq = sqs[sqid];
        cqe.set(LE_SHORT, CompletionEntryLayout.SQHD, (short) (sq == null ? 0 : sq.head));
        cqe.set(LE_SHORT, CompletionEntryLayout.SQID, (short) sqid);
        cqe.set(LE_SHORT, CompletionEntryLayout.CID, (short) cid);
        cqe.set(LE_SHORT, CompletionEntryLayout.STATUS, (short) CompletionEntryLayout.statusWord(status, dnr, cq.phase));
        DmaResult r = port.write(cq.entryAddress(cq.tail), cqe, 0, CompletionEntryLayout.SIZE);
        if (!r.isOk()) {
            fatal.run();
            return false;
        }
        cq.advance();
        completed++;
        return true;
    }

    /** The host wrote CQ {@code cq}'s head doorbell (already checked): post what waited for room. */
    void head(CompletionQueue cq, int head) {
        cq.head = head;
        int posted = 0;
        while (!cq.waiting.isEmpty() && !cq.full()) {
            if (!write(cq, cq.waiting.poll())) {
                return;
            }
            posted++;
        }
        if (posted > 0) {
            interrupt(cq, posted);
        }
    }

    private void interrupt(CompletionQueue cq, int posted) {
        if (!cq.interrupts) {
            return;
        }
        boolean coalesced = cq.id != 0 && coalesceTime > 0 && !coalescingDisabled.test(cq.vector);
        if (!coalesced) {
            raise(cq);
            return;
        }
        cq.unsignalled += posted;
        if (cq.unsignalled > coalesceThreshold) {
            raise(cq);
        } else if (!cq.timerArmed) {
            cq.timerArmed = true;
            long g = generation;
            kernel.schedule(coalesceTime * NvmeCommands.IC_TIME_UNIT_NS, coalesceLabel, () -> {
                cq.timerArmed = false;
                if (g == generation && cq.unsignalled > 0 && cqs[cq.id] == cq) {
                    raise(cq);
                }
            });
        }
    }

    private void raise(CompletionQueue cq) {
        cq.unsignalled = 0;
        interrupts++;
        signal.raise(cq.vector);
    }
}
