package org.jdma.machine.dev.memcpy;

import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jdma.machine.time.EventKernel;

/**
 * The copy engine's threaded mode: a real Java thread that polls the doorbell and processes
 * descriptors synchronously, for throughput measurements and memory-ordering stress with a real
 * CPU thread on the other side. It spins for a while on an empty ring, then parks; a doorbell
 * write unparks it.
 *
 * <p>While threaded: the event queue is not used, no virtual time passes for the device, and
 * nothing is traced. The thread registers with the event kernel
 * ({@link EventKernel#deviceThreadStarted()}), so what its DMA sets off elsewhere (a VT-d fault's
 * record and interrupt, a write into the interrupt range) is handed to the machine thread through
 * the kernel's inbox instead of touching the event queue from here. That is how completion
 * interrupts arrive: this thread signals the MSI-X entry after the record's status byte (the
 * table takes signals from here under its lock) and writes the message on the bus; the interrupt
 * controller posts it, and the machine thread delivers it at its next step, so a driver waiting
 * for it must keep the machine running. The error interrupt is not sent while threaded (ERROR
 * still says what happened). Records are still published status byte last with release
 * semantics; the doorbell is a volatile field, so a plain MMIO write from the CPU thread is seen.
 * Register changes (CONTROL, RESET) are applied between two descriptors; a descriptor blocked on
 * a fault waits on this thread (parked, at most the fault-wait
 * timeout in wall-clock time) for PAGE_RESPONSE, which needs no lock. {@link CopyEngine#stopThread()}
 * joins the thread, after which every counter of the engine and of its
 * {@link org.jdma.machine.bus.DmaPort} may be read. (One gap: unmasking an MSI-X entry whose
 * pending bit was set before the thread started still sends that message, from the CPU thread,
 * through the same port.)
 *
 * <p>The engine's lock is held across a burst of descriptors and let go between two descriptors
 * as soon as a CPU thread waits for it (a CONTROL or RESET write), so register changes land
 * between descriptors.
 */
final class DeviceThread {

    /** Polls of an empty ring the device thread spins through before it parks. */
    private static final int SPINS_BEFORE_PARK = 20_000;
    /** Longest a parked device thread sleeps before it looks at the doorbell again, ns. */
    private static final long PARK_NS = 200_000;

    private final CopyEngine engine;
    private final ReentrantLock lock;
    private final EventKernel kernel;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean parked;
    private volatile Throwable failure;
    /** Wall-clock time spent processing descriptors, ns; read after the thread is joined. */
    private long busyWallNs;

    DeviceThread(CopyEngine engine, ReentrantLock lock, EventKernel kernel) {
        this.engine = engine;
        this.lock = lock;
        this.kernel = kernel;
        this.thread = new Thread(this::loop, engine.name() + "-engine");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Unparks the thread if it sleeps (a doorbell was written). */
    void doorbell() {
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    /** Stops and joins the thread; returns what killed it, or null. */
    Throwable stop() {
        running = false;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return failure;
    }

    long busyWallNs() {
        return busyWallNs;
    }

    /** False once {@link #stop} was asked: a wait on the device thread (a page response) gives up. */
    boolean running() {
        return running;
    }

    private void loop() {
        // Busy time is summed locally and stored once at exit: a field written per burst would share
        // a cache line with `parked`, which the CPU thread reads at every doorbell.
        long busy = 0;
        kernel.deviceThreadStarted();
        try {
            int idle = 0;
            while (running) {
                if (engine.hasWork()) {
                    long t0 = System.nanoTime();
                    while (running && processBurst() > 0) {
                        // keep draining
                    }
                    busy += System.nanoTime() - t0;
                    idle = 0;
                } else if (idle < SPINS_BEFORE_PARK) {
                    idle++;
                    Thread.onSpinWait();
                } else {
                    // Announce the park before the last look, so a doorbell write either is seen here or unparks us.
                    parked = true;
                    if (running && !engine.hasWork()) {
                        LockSupport.parkNanos(this, PARK_NS);
                    }
                    parked = false;
                }
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            busyWallNs = busy;
            kernel.deviceThreadStopped();
        }
    }

    /**
     * Processes descriptors while there is work, holding the lock across them, and lets go of it
     * between two descriptors as soon as a CPU thread waits for it. One lock round trip per burst
     * instead of one per descriptor. Returns how many descriptors it processed.
     */
    private int processBurst() {
        lock.lock();
        int n = 0;
        try {
            while (running && engine.hasWork()) {
                if (n == 0) {
                    engine.inProgress(true);
                }
                if (!engine.fetchAndExecute()) {
                    break;
                }
                engine.finish();
                n++;
                if (lock.hasQueuedThreads()) {
                    break;
                }
            }
            return n;
        } finally {
            engine.inProgress(false);
            lock.unlock();
        }
    }
}
