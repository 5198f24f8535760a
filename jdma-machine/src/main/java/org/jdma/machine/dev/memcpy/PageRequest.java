package org.jdma.machine.dev.memcpy;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.jdma.spec.memcpy.CopyEngineRegisters;

/**
 * Block on fault: the one page request the engine can have outstanding (PAGE_REQ,
 * PAGE_REQ_ADDRESS) and the response software writes to PAGE_RESPONSE, with PCIe's PRG response
 * codes ({@link CopyEngineRegisters}). The engine posts a request when a ring descriptor with BOF
 * set faults, and takes the response (or, after its fault-wait timeout, RESPONSE_FAILURE).
 *
 * <p>Threads: the engine (event thread or device thread) posts and takes; the CPU writes
 * responses. The fields a CPU reads or writes are volatile; {@link #token} belongs to the engine.
 */
final class PageRequest {

    private static final int NO_RESPONSE = -1;
    /** How long a device thread waiting for a response parks between two looks, ns. */
    private static final long PARK_NS = 10_000;

    private volatile boolean pending;
    private volatile long address;
    private volatile boolean write;
    private volatile int response = NO_RESPONSE;
    /** Names the outstanding request; changes at every post and every take, so a stale timeout does nothing. */
    private long token;
    private long posted;

    /** Posts a request for the access at {@code faultAddress}; returns its token. */
    long post(long faultAddress, boolean onWrite) {
        address = faultAddress;
        write = onWrite;
        response = NO_RESPONSE;
        posted++;
        pending = true;
        return ++token;
    }

    /** Whether {@code t} names the request still outstanding. */
    boolean outstanding(long t) {
        return pending && t == token;
    }

    long token() {
        return token;
    }

    boolean pending() {
        return pending;
    }

    long address() {
        return address;
    }

    /** PAGE_REQ: [0] PENDING, [1] WRITE. */
    long requestBits() {
        return pending ? CopyEngineRegisters.PAGE_REQ_PENDING | (write ? CopyEngineRegisters.PAGE_REQ_WRITE : 0) : 0;
    }

    /** PAGE_RESPONSE written with {@code value}; false (and ignored) when no request is outstanding. */
    boolean respond(long value) {
        if (!pending) {
            return false;
        }
        response = (int) (value & CopyEngineRegisters.PAGE_RESPONSE_CODE_MASK);
        return true;
    }

    /**
     * Ends the outstanding request and returns its response code; RESPONSE_FAILURE when software
     * has not answered (the engine's wait timed out).
     */
    int take() {
        int r = response;
        response = NO_RESPONSE;
        pending = false;
        token++;
        return r == NO_RESPONSE ? CopyEngineRegisters.PAGE_RESPONSE_FAILURE : r;
    }

    /**
     * Threaded mode: waits for a response for at most {@code timeoutNs} of wall-clock time, or
     * until {@code running} turns false, then {@link #take}s it.
     */
    int await(long timeoutNs, BooleanSupplier running) {
        long deadline = System.nanoTime() + timeoutNs;
        while (response == NO_RESPONSE && running.getAsBoolean() && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(this, PARK_NS);
        }
        return take();
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
}
