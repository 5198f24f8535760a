package org.jdma.platform.irq;

/** Runs when an interrupt on its vector is dispatched. Runs on the machine's event thread. */
@FunctionalInterface
public interface InterruptHandler {
    void handle(int vector);
}
