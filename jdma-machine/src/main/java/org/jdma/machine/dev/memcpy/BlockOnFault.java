package org.jdma.machine.dev.memcpy;

import java.util.concurrent.locks.LockSupport;
import org.jdma.machine.dev.DeviceContext;
import org.jdma.machine.time.EventKernel;
import org.jdma.machine.time.TraceRecorder;
import org.jdma.spec.memcpy.CopyEngineRegisters;

/**
 * Block on fault for the descriptor the engine has in hand: the one page request it can have
 * outstanding (PAGE_REQ, PAGE_REQ_ADDRESS), the response software writes to PAGE_RESPONSE with
 * PCIe's PRG response codes, and what follows — the descriptor {@linkplain DescriptorExecutor#resume
 * resumes} from the byte that faulted on SUCCESS, or {@linkplain DescriptorExecutor#failBlocked
 * ends} with PAGE_FAULT_IR on any other answer, or when none came within the engine's fault-wait
 * timeout ({@link CopyEngineConfig#faultWaitTimeoutNs()}). Register semantics in
 * {@link CopyEngineRegisters}.
 *
 * <p>Event mode: the wait is events on the machine's kernel (the answer, or the timeout, whichever
 * comes first; a stale one does nothing). Threaded mode: the device thread parks until an answer,
 * the timeout in wall-clock time, or its stop.
 *
 * <p>Threads: the engine (event thread or device thread) posts and takes; the CPU writes
 * responses. What a CPU reads or writes is volatile; {@link #token} belongs to the engine.
 */
final class BlockOnFault {

    /** What the engine lends: its generation (bumped by RESET), its error bits, and its completion. */
    interface Engine {
        long generation();

        boolean threaded();

        /** Unparks the device thread, if any. */
        void wakeThread();

        void raiseError(int bits);

        /** The blocked descriptor has ended (resumed to its end, or failed): complete it after {@code delayNs}. */
        void completeAfter(long gen, long delayNs);
    }

    private static final int NO_RESPONSE = -1;
    /** How long a device thread waiting for a response parks between two looks, ns. */
    private static final long PARK_NS = 10_000;

    private final CopyEngineConfig config;
    private final DeviceContext.Pci ctx;
    private final DescriptorExecutor executor;
    private final Engine engine;
    private final String track;
    private final String label;

    private volatile boolean pending;
    private volatile long address;
    private volatile boolean write;
    private volatile int response = NO_RESPONSE;
    /** Names the outstanding request; changes at every post and every take, so a stale event does nothing. */
    private long token;
    private long posted;
    /** The descriptor the outstanding request belongs to (engine's thread only). */
    private DescriptorExecutor.Work current;

    BlockOnFault(CopyEngineConfig config, DeviceContext.Pci ctx, DescriptorExecutor executor, Engine engine, String track) {
        this.config = config;
        this.ctx = ctx;
        this.executor = executor;
        this.engine = engine;
        this.track = track;
        this.label = ctx.name() + " page response";
    }

    // ---------------------------------------------------------------- registers

    /** STATUS.FAULT_WAIT. */
    boolean pending() {
        return pending;
    }

    /** PAGE_REQ_ADDRESS: the faulting address while a request is outstanding, else 0. */
    long address() {
        return pending ? address : 0;
    }

    /** PAGE_REQ: [0] PENDING, [1] WRITE. */
    long requestBits() {
        return pending ? CopyEngineRegisters.PAGE_REQ_PENDING | (write ? CopyEngineRegisters.PAGE_REQ_WRITE : 0) : 0;
    }

    /** PAGE_RESPONSE written by the CPU; ignored when no request is outstanding. The engine acts in its own event or thread. */
    void responseWritten(long value) {
        if (!pending) {
            return;
        }
        response = (int) (value & CopyEngineRegisters.PAGE_RESPONSE_CODE_MASK);
        if (engine.threaded()) {
            engine.wakeThread();
            return;
        }
        long gen = engine.generation();
        long t = token;
        ctx.kernel().schedule(0, label, () -> answered(gen, t));
    }

    /** Page requests posted since the machine was built. */
    long posted() {
        return posted;
    }

    /** RESET: no request outstanding. */
    void reset() {
        pending = false;
        response = NO_RESPONSE;
        address = 0;
        write = false;
        token++;
    }

    // ---------------------------------------------------------------- the wait

    /** Event mode: {@code w} stopped on a fault with BOF set; post the request and wait, at most the timeout. */
    void block(DescriptorExecutor.Work w, long gen) {
        long t = post(w);
        EventKernel k = ctx.kernel();
        if (k.trace().enabled()) {
            k.trace().instant(track, "PAGE_REQUEST", k.now(), TraceRecorder.args(
                    "slot", w.slot, "address", Long.toHexString(w.faultAddr), "write", w.faultWrite));
        }
        engine.raiseError(CopyEngineRegisters.ERROR_PAGE_REQUEST);
        k.schedule(config.faultWaitTimeoutNs(), label, () -> answered(gen, t));
    }

    /**
     * The request named {@code t} was answered, or its wait ran out (then RESPONSE_FAILURE).
     * Resumes or fails the descriptor, and completes it unless it blocked again.
     */
    private void answered(long gen, long t) {
        if (gen != engine.generation() || !pending || t != token) {
            return; // answered already, or the engine was reset
        }
        DescriptorExecutor.Work w = current;
        long before = w.costNs;
        answer(w, take());
        if (w.blocked) {
            block(w, gen);
            return;
        }
        engine.completeAfter(gen, w.costNs - before + config.completionLatencyNs());
    }

    /** Threaded mode: waits on {@code thread} for the answer to every page request {@code w} makes (none once it is stopping). */
    void resolveOnThread(DescriptorExecutor.Work w, DeviceThread thread) {
        while (w.blocked) {
            post(w);
            engine.raiseError(CopyEngineRegisters.ERROR_PAGE_REQUEST);
            long deadline = System.nanoTime() + config.faultWaitTimeoutNs();
            while (response == NO_RESPONSE && thread != null && thread.running() && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(this, PARK_NS);
            }
            answer(w, take());
        }
    }

    private long post(DescriptorExecutor.Work w) {
        current = w;
        address = w.faultAddr;
        write = w.faultWrite;
        response = NO_RESPONSE;
        posted++;
        pending = true;
        return ++token;
    }

    /** Ends the outstanding request: its response code, RESPONSE_FAILURE when none came. */
    private int take() {
        int r = response;
        response = NO_RESPONSE;
        pending = false;
        token++;
        return r == NO_RESPONSE ? CopyEngineRegisters.PAGE_RESPONSE_FAILURE : r;
    }

    private void answer(DescriptorExecutor.Work w, int code) {
        if (code == CopyEngineRegisters.PAGE_RESPONSE_SUCCESS) {
            executor.resume(w);
        } else {
            executor.failBlocked(w);
        }
    }
}
