package org.jdma.machine.legacy.isadma;

/**
 * Timing of the ISA bus and its DMA cycles (8237A datasheet, "DMA Operation" and the timing
 * diagrams; IBM PC technical references for the clock and wait states).
 *
 * <p>A transfer takes S2, S3 and S4 (S3 dropped under compressed timing), plus S1 when the
 * address's high byte must be output (the first transfer of a grant, and each time A15..A8
 * change), plus {@code waitStates}; memory to memory takes a read and a write cycle. The
 * controller raises HRQ and samples HLDA one clock later at the earliest (state S0); the CPU
 * grants HLDA only at the end of the bus cycle it is in.
 *
 * @param clockPeriodPs      the DMA clock's period, ps (4.77 MHz: 209 644 ps; 8 MHz: 125 000 ps)
 * @param waitStates         wait states (SW) added to each transfer cycle, clocks
 * @param cpuBusCycleClocks  clocks of one CPU memory cycle (the 8086/8088's T1-T4: 4)
 * @param transparent        the board grants the bus only in clocks the CPU does not use it
 *                           (transparent DMA; not an 8237A mode but a board option; the PC/AT has
 *                           none, so it is off by default)
 */
public record IsaBusTiming(long clockPeriodPs, int waitStates, int cpuBusCycleClocks, boolean transparent) {

    /** The IBM PC's 4.77 MHz clock with the one DMA wait state its board inserts. */
    public static final IsaBusTiming PC_4_77_MHZ = new IsaBusTiming(209_644, 1, 4, false);
    /** An 8 MHz ISA bus with one wait state. */
    public static final IsaBusTiming ISA_8_MHZ = new IsaBusTiming(125_000, 1, 4, false);
    public static final IsaBusTiming DEFAULT = PC_4_77_MHZ;

    public IsaBusTiming {
        if (clockPeriodPs <= 0 || waitStates < 0 || cpuBusCycleClocks <= 0) {
            throw new IllegalArgumentException(String.format(
                    "ISA timing: clock period %d ps, %d wait states, CPU bus cycle %d clocks: period and cycle must be positive, "
                    + "wait states not negative", clockPeriodPs, waitStates, cpuBusCycleClocks));
        }
    }

    /** The same timing with the board granting only idle bus cycles, or not. */
    public IsaBusTiming withTransparent(boolean on) {
        return new IsaBusTiming(clockPeriodPs, waitStates, cpuBusCycleClocks, on);
    }

    /** The same timing with {@code n} wait states. */
    public IsaBusTiming withWaitStates(int n) {
        return new IsaBusTiming(clockPeriodPs, n, cpuBusCycleClocks, transparent);
    }

    /** {@code clocks} DMA clocks in ns, rounded to the nearest (the event kernel's unit). */
    public long ns(long clocks) {
        return Math.round(clocks * clockPeriodPs / 1000.0);
    }

    /** Clocks of one transfer cycle: S1 when needed, S2, S3 unless compressed, S4, wait states. */
    public int transferClocks(boolean s1, boolean compressed) {
        return (s1 ? 1 : 0) + (compressed ? 2 : 3) + waitStates;
    }

    /** One CPU memory cycle, ns. */
    public long cpuBusCycleNs() {
        return ns(cpuBusCycleClocks);
    }
}
