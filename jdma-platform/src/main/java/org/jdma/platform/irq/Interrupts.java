package org.jdma.platform.irq;

/**
 * The interrupt controller as the OS programs it: vectors, handlers and the MSI message for each,
 * and the routing of legacy interrupt lines to vectors.
 *
 * <h2>Legacy lines</h2>
 * Beside MSI, the controller has {@link #legacyLines()} inputs (an I/O APIC has 24, numbered from 0;
 * ISA IRQ {@code n} is input {@code n}). An OS routes a line to a vector the way it programs an
 * I/O APIC redirection table entry (82093AA datasheet §3.2.4): {@link #routeLine} sets the vector
 * and the trigger mode and clears the mask; {@link #unrouteLine} sets the mask again. Every line
 * starts masked. While a line is masked, an edge on it is lost and a level on it is not delivered
 * (the controller counts both); routing a level line that is asserted delivers it at once.
 *
 * <h2>End of interrupt</h2>
 * The controller dispatches a line's vector to its handler and, when the handler returns, ends
 * the interrupt itself (the EOI an OS writes to the local APIC, which the I/O APIC sees for a
 * level line as the clearing of Remote IRR). A level line is not raised again while its interrupt
 * is in service; if it is still asserted at the EOI, it is raised again: the device keeps asking
 * until the handler has made it deassert. A handler therefore must quiet its device (read or
 * acknowledge its status) before it returns, or it runs again.
 *
 * <h2>CPUs</h2>
 * On a platform with several CPUs ({@link org.jdma.platform.Platform#cpus()}) an MSI names the CPU
 * it goes to: {@link #messageFor(int, int)} composes the message for a vector on a chosen CPU (its
 * local APIC id in the destination field, physical destination mode, fixed delivery), and the
 * handler runs as that CPU. A legacy line goes to the boot CPU unless routed to another with
 * {@link #routeLine(int, int, LineTrigger, int)}. The counters are kept per CPU, as Linux's
 * {@code /proc/interrupts} shows them: {@link #dispatched(int, int)} and {@link #dispatchedOn(int)}.
 * The default methods describe a platform with one CPU (CPU 0).
 *
 * <p>Polarity (redirection entry bit 13) is not modeled: a line is either asserted or not, as the
 * board's wiring and firmware (MADT interrupt source overrides) would tell an OS.
 */
public interface Interrupts {

    /** Reserves a free vector (>= 32, below 256). Throws IllegalStateException when none is left. */
    int allocateVector();

    /** Returns a vector to the free pool and removes its handler. */
    void freeVector(int vector);

    void register(int vector, InterruptHandler handler);

    /** The message a device must write to raise {@code vector} on the boot CPU. */
    MsiMessage messageFor(int vector);

    /**
     * The message a device must write to raise {@code vector} on CPU {@code cpu} (an index of
     * {@link org.jdma.platform.Platform#cpus()}): its APIC id as the physical destination.
     *
     * @throws IllegalArgumentException naming the CPU when there is no such CPU
     */
    default MsiMessage messageFor(int vector, int cpu) {
        requireCpu(cpu);
        return messageFor(vector);
    }

    /** Interrupts dispatched on {@code vector} so far, on every CPU. */
    long dispatched(int vector);

    /** Interrupts dispatched on {@code vector} that CPU {@code cpu} handled. */
    default long dispatched(int vector, int cpu) {
        requireCpu(cpu);
        return dispatched(vector);
    }

    /** Interrupts CPU {@code cpu} handled, every vector (a column of Linux's {@code /proc/interrupts}). */
    default long dispatchedOn(int cpu) {
        requireCpu(cpu);
        long n = 0;
        for (int v = 0; v < 256; v++) {
            n += dispatched(v);
        }
        return n;
    }

    /** Number of legacy interrupt lines (inputs {@code 0 .. legacyLines() - 1}). */
    int legacyLines();

    /**
     * Routes legacy line {@code line} to {@code vector} with {@code trigger} and unmasks it. Routing
     * a line again replaces its vector and trigger mode.
     *
     * @throws IllegalArgumentException naming the value when the line is not 0..{@code legacyLines() - 1}
     *         or the vector is not 16..255
     */
    void routeLine(int line, int vector, LineTrigger trigger);

    /**
     * Routes legacy line {@code line} as {@link #routeLine(int, int, LineTrigger)} does, to CPU
     * {@code cpu} (the redirection entry's physical destination).
     *
     * @throws IllegalArgumentException naming the value when the line, the vector or the CPU does not exist
     */
    default void routeLine(int line, int vector, LineTrigger trigger, int cpu) {
        requireCpu(cpu);
        routeLine(line, vector, trigger);
    }

    /**
     * Masks legacy line {@code line}: from now on nothing it signals is delivered (an interrupt
     * already delivered still runs). Unrouting a masked line does nothing.
     *
     * @throws IllegalArgumentException when the line is not 0..{@code legacyLines() - 1}
     */
    void unrouteLine(int line);

    private static void requireCpu(int cpu) {
        if (cpu != 0) {
            throw new IllegalArgumentException("CPU " + cpu + " does not exist (CPUs 0..0)");
        }
    }
}
