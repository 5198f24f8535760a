package org.jdma.bench.ring;

import java.util.function.BooleanSupplier;

/** A busy-spinning consumer thread for the peer harnesses: runs {@code step} until stopped. */
final class ConsumerThread extends Thread {

    private final BooleanSupplier step;
    private volatile boolean running = true;

    ConsumerThread(String name, BooleanSupplier step) {
        super(name);
        this.step = step;
        setDaemon(true);
    }

    @Override
    public void run() {
        while (running) {
            if (!step.getAsBoolean()) {
                Thread.onSpinWait();
            }
        }
    }

    void stopAndJoin() {
        running = false;
        try {
            join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining " + getName(), e);
        }
    }
}
