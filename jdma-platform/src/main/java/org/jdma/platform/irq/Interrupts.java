package org.jdma.platform.irq;

/** The interrupt controller as the OS programs it: vectors, handlers and the MSI message for each. */
public interface Interrupts {

    /** Reserves a free vector (>= 32, below 256). Throws IllegalStateException when none is left. */
    int allocateVector();

    /** Returns a vector to the free pool and removes its handler. */
    void freeVector(int vector);

    void register(int vector, InterruptHandler handler);

    /** The message a device must write to raise {@code vector} on the boot CPU. */
    MsiMessage messageFor(int vector);

    /** Interrupts dispatched on {@code vector} so far. */
    long dispatched(int vector);
}
