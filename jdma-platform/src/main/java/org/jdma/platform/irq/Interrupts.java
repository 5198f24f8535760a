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

    /** Interrupts dispatched on {@code vector} so far. */
    long dispatched(int vector);

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
     * Masks legacy line {@code line}: from now on nothing it signals is delivered (an interrupt
     * already delivered still runs). Unrouting a masked line does nothing.
     *
     * @throws IllegalArgumentException when the line is not 0..{@code legacyLines() - 1}
     */
    void unrouteLine(int line);
}
