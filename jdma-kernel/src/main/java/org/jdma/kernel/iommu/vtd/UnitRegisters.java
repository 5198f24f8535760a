package org.jdma.kernel.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.GCMD;
import static org.jdma.spec.vtd.VtdRegisterLayout.GSTS;

import java.util.function.BooleanSupplier;
import org.jdma.platform.Clock;
import org.jdma.platform.Cpu;

/**
 * The driver's access to one unit's register page (VT-d §10.4) through the CPU's MMIO path, and
 * the global command protocol (§10.4.4, §10.4.5): GCMD is write-only and a write sets every command
 * bit at once, so each write is the shadow of the persistent bits (TE, QIE) plus at most one
 * one-shot command (Linux {@code iommu->gcmd}); the result is polled in GSTS. A poll lets virtual
 * time pass and gives up after {@link VtdUnitDriver#OPERATION_TIMEOUT_NS}, naming the register
 * (Linux {@code IOMMU_WAIT_OP}).
 */
final class UnitRegisters {

    private final Cpu cpu;
    private final Clock clock;
    private final long base;
    /** The persistent GCMD bits software has set (TE, QIE). */
    private int gcmd;

    UnitRegisters(Cpu cpu, Clock clock, long base) {
        this.cpu = cpu;
        this.clock = clock;
        this.base = base;
    }

    long base() { return base; }

    int read32(int off) { return cpu.read32(base + off); }
    long read64(int off) { return cpu.read64(base + off); }
    void write32(int off, int v) { cpu.write32(base + off, v); }
    void write64(int off, long v) { cpu.write64(base + off, v); }

    /** Takes over the persistent bits as the unit reports them (firmware or an earlier kernel may have set them). */
    void adoptShadow(int persistentBits) {
        gcmd = persistentBits;
    }

    /** Whether the shadow has persistent bit {@code bit} set. */
    boolean shadowHas(int bit) {
        return (gcmd & bit) != 0;
    }

    /** Sets or clears persistent bit {@code bit} and polls its GSTS twin until it agrees. */
    void persistent(int bit, boolean on, String what) {
        gcmd = on ? gcmd | bit : gcmd & ~bit;
        command(0, bit, on, what);
    }

    /** Issues one-shot command {@code bit} (with the shadow) and polls its GSTS twin until set. */
    void oneShot(int bit, String what) {
        command(bit, bit, true, what);
    }

    /** Writes the shadow plus {@code oneShot} to GCMD and polls until GSTS & statusBit is (set ? nonzero : zero). */
    private void command(int oneShot, int statusBit, boolean set, String what) {
        write32(GCMD, gcmd | oneShot);
        poll(() -> ((read32(GSTS) & statusBit) != 0) == set, what);
    }

    /** Polls {@code done}, letting virtual time pass; throws, naming {@code what}, after the timeout. */
    void poll(BooleanSupplier done, String what) {
        poll(done, what, -1);
    }

    /**
     * As {@link #poll(BooleanSupplier, String)}, naming {@code what} followed by {@code number} (unless
     * negative): the text is built only for the error, not on every (per-unmap, in strict mode) wait.
     */
    void poll(BooleanSupplier done, String what, long number) {
        long deadline = clock.now() + VtdUnitDriver.OPERATION_TIMEOUT_NS;
        while (!done.getAsBoolean()) {
            if (clock.now() >= deadline) {
                throw new IllegalStateException(String.format("VT-d unit %#x: timed out after %d ns waiting for %s",
                        base, VtdUnitDriver.OPERATION_TIMEOUT_NS, number < 0 ? what : what + " " + number));
            }
            // MMIO reads already advance time; this lets events (a unit that completes later) run.
            clock.runFor(100);
        }
    }
}
