package org.jdma.kernel.locking;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A test-and-test-and-set lock for short critical sections that never block inside: one CAS to
 * take it, one release store to give it back. An uncontended {@code synchronized} block costs two
 * atomic read-modify-writes (enter and exit both CAS the object's header), and the DMA paths take
 * several locks per call: a direct map and unmap takes four. A waiter spins
 * and, after {@link #SPINS_BEFORE_YIELD} tries, yields its core to a holder that may have lost
 * its own. Not reentrant; no fairness.
 *
 * <p>Use as {@code lock(); try { ... } finally { unlock(); }}, or extend it to keep the lock word
 * in the object it guards (one cache line for both).
 */
public class SpinLock {

    /** Spins before a waiter starts yielding: a critical section here is tens to hundreds of ns. */
    public static final int SPINS_BEFORE_YIELD = 100;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SpinLock.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STATE
    private volatile int state;

    public final void lock() {
        if (!STATE.compareAndSet(this, 0, 1)) {
            lockContended();
        }
    }

    private void lockContended() {
        int spins = 0;
        while ((int) STATE.getOpaque(this) != 0 || !STATE.compareAndSet(this, 0, 1)) {
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** Gives the lock back; only its holder may call this. */
    public final void unlock() {
        STATE.setRelease(this, 0);
    }

    /** Whether some thread holds the lock now (for assertions and tests; stale as soon as it returns). */
    public final boolean isLocked() {
        return (int) STATE.getVolatile(this) != 0;
    }
}
