package org.jdma.machine.dev.ixgbe;

import static org.jdma.spec.ixgbe.IxgbeRegisters.*;

import java.util.function.IntPredicate;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.ixgbe.IvarLayout;

/**
 * Interrupt causes, masks, auto-clear, auto-mask, vector allocation and throttling (82599
 * datasheet §7.3), for the registers {@link Csr} holds:
 *
 * <ul>
 *   <li><b>Causes.</b> A queue event (a receive write-back, a transmit write-back with RS) looks up
 *       the queue's IVAR entry; with a valid entry it sets the cause bit of its vector (MSI-X mode,
 *       GPIE.MSIX_MODE) or its EICR RTxQ bit (otherwise). Other causes (EICR 30:16, e.g. LSC) set
 *       their bit and OTHER (31) and are routed to IVAR_MISC's other-causes vector. EICS sets
 *       causes by software; EICS_EX sets the causes of vectors 0..63.</li>
 *   <li><b>EICR.</b> Write 1 to clear. A read returns the causes (15:0 vectors 0..15, 31:16 the
 *       other causes) and clears them all, or with GPIE.OCD only bits 31:16.</li>
 *   <li><b>Masks.</b> EIMS writes set mask bits (enable), EIMC writes clear them; EIMS reads them;
 *       EIMS_EX/EIMC_EX do the same for vectors 0..63 (bits 15:0 of EIMS alias vectors 0..15).</li>
 *   <li><b>Signalling.</b> A vector is signalled when its cause and mask are both set and it has not
 *       been signalled for that cause yet (a new cause after a clear, or the mask set again, signals
 *       again). It is signalled at most once per EITR interval: a signal inside the interval is held
 *       until the interval since the last one has passed. Signalling sends MSI-X entry {@code v}.</li>
 *   <li><b>Auto-clear and auto-mask.</b> When vector {@code v}'s message is sent, its cause clears if
 *       EIAC bit {@code v} is set (vectors 16..63 have no EICR bit and always clear), and with
 *       GPIE.EIAME its mask clears if EIAM bit {@code v} is set. Without EIAME, an EICR read or write
 *       clears the EIMS bits EIAM names, and an EICS write sets them.</li>
 *   <li><b>Without MSI-X mode</b> every cause signals vector 0 (MSI-X entry 0, or MSI), throttled by EITR[0].</li>
 * </ul>
 */
final class InterruptUnit {

    private static final long LOW16 = 0xFFFFL;
    private static final int OTHER_BITS = 0xFFFF0000;

    private final Csr csr;
    private final EventKernel kernel;
    /** Sends an interrupt for vector v the way the function is set up; true when a message left now. */
    private final IntPredicate signal;
    private final String throttleLabel;

    /** Vector causes: bit v for MSI-X vector v, or the EICR RTxQ bits 15:0 without MSI-X mode. */
    private long causes;
    private long masks;
    private long autoMasks;
    private long signalled;
    /** EICR bits 31:16 and their EIMS and EIAM bits. */
    private int otherCauses;
    private int otherMasks;
    private int otherAutoMasks;
    private int otherSignalled;

    private final long[] lastSentNs = new long[MSIX_ENTRIES];
    private final boolean[] held = new boolean[MSIX_ENTRIES];
    private final long[] sent = new long[MSIX_ENTRIES];
    private long generation;

    InterruptUnit(Csr csr, EventKernel kernel, IntPredicate signal, String name) {
        this.csr = csr;
        this.kernel = kernel;
        this.signal = signal;
        this.throttleLabel = name + " EITR";
        reset();
        csr.onRead(csr.eicr, (r, stored) -> readEicr());
        csr.onWrite(csr.eicr, (r, now, written) -> writeEicr(written));
        csr.onWrite(csr.eics, (r, now, written) -> setCauses(written));
        csr.onRead(csr.eims, (r, stored) -> (masks & LOW16) | (otherMasks & 0xFFFF_FFFFL & OTHER_BITS));
        csr.onWrite(csr.eims, (r, now, written) -> setMasks(written & LOW16, (int) written & OTHER_BITS));
        csr.onWrite(csr.eimc, (r, now, written) -> clearMasks(written & LOW16, (int) written & OTHER_BITS));
        csr.onRead(csr.eiam, (r, stored) -> (autoMasks & LOW16) | (otherAutoMasks & 0xFFFF_FFFFL & OTHER_BITS));
        csr.onWrite(csr.eiam, (r, now, written) -> {
            autoMasks = autoMasks & ~LOW16 | written & LOW16;
            otherAutoMasks = (int) written & OTHER_BITS;
        });
        for (int i = 0; i < 2; i++) {
            int shift = 32 * i;
            csr.onWrite(csr.eicsEx[i], (r, now, written) -> setVectorCauses(written << shift));
            csr.onRead(csr.eimsEx[i], (r, stored) -> masks >>> shift);
            csr.onWrite(csr.eimsEx[i], (r, now, written) -> setMasks(written << shift, 0));
            csr.onWrite(csr.eimcEx[i], (r, now, written) -> clearMasks(written << shift, 0));
            csr.onRead(csr.eiamEx[i], (r, stored) -> autoMasks >>> shift);
            csr.onWrite(csr.eiamEx[i], (r, now, written) ->
                    autoMasks = autoMasks & ~(0xFFFF_FFFFL << shift) | written << shift);
        }
        for (int v = 0; v < csr.eitr.length; v++) {
            csr.onWrite(csr.eitr[v], (r, now, written) -> evaluate());
        }
    }

    /** Every cause, mask and held signal gone (a reset); EITR intervals start afresh. */
    void reset() {
        generation++;
        causes = masks = autoMasks = signalled = 0;
        otherCauses = otherMasks = otherAutoMasks = otherSignalled = 0;
        java.util.Arrays.fill(lastSentNs, Long.MIN_VALUE / 2);
        java.util.Arrays.fill(held, false);
    }

    /** Interrupt messages sent for vector {@code v} (MSI-X entry v, or MSI) since the machine was built. */
    long sent(int v) {
        return sent[v];
    }

    private boolean msixMode() {
        return csr.bit(csr.gpie, GPIE_MSIX_MODE);
    }

    private boolean eiame() {
        return csr.bit(csr.gpie, GPIE_EIAME);
    }

    // ---------------------------------------------------------------- causes from the port

    /** Queue {@code queue}'s receive ({@code tx} false) or transmit cause, routed by its IVAR entry. */
    void queueCause(int queue, boolean tx) {
        int entry = csr.get(csr.ivar[IvarLayout.registerOf(queue)]) >>> IvarLayout.shiftOf(queue, tx) & IvarLayout.ENTRY_MASK;
        int v = IvarLayout.vectorOf(entry);
        if (v < 0) {
            return;
        }
        setVectorCauses(1L << (msixMode() ? v : v & 15));
    }

    /** Other causes (EICR bits 30:16): set them and OTHER. */
    void otherCause(int bits) {
        otherCauses |= (bits & OTHER_BITS) | EICR_OTHER;
        evaluate();
    }

    private void setVectorCauses(long bits) {
        causes |= bits;
        evaluate();
    }

    // ---------------------------------------------------------------- register semantics

    private long readEicr() {
        long value = (causes & LOW16) | (otherCauses & 0xFFFF_FFFFL);
        if (!csr.bit(csr.gpie, GPIE_OCD)) {
            clearCauses(LOW16);
        }
        clearOtherCauses(OTHER_BITS);
        eicrAccessed();
        return value;
    }

    private void writeEicr(long written) {
        clearCauses(written & LOW16);
        clearOtherCauses((int) written & OTHER_BITS);
        eicrAccessed();
    }

    private void setCauses(long written) {
        causes |= written & LOW16;
        otherCauses |= (int) written & OTHER_BITS;
        if (!eiame()) {
            masks |= autoMasks & written & LOW16;
            otherMasks |= otherAutoMasks & (int) written;
        }
        evaluate();
    }

    /** Without EIAME an EICR access auto-masks the EIAM bits. */
    private void eicrAccessed() {
        if (!eiame()) {
            masks &= ~(autoMasks & LOW16);
            otherMasks &= ~otherAutoMasks;
        }
    }

    private void clearCauses(long bits) {
        causes &= ~bits;
        signalled &= ~bits;
    }

    private void clearOtherCauses(int bits) {
        otherCauses &= ~bits;
        otherSignalled &= otherCauses;
    }

    private void setMasks(long vectorBits, int otherBits) {
        masks |= vectorBits;
        signalled &= ~vectorBits;     // a mask set again signals a pending cause again
        otherMasks |= otherBits;
        otherSignalled &= ~otherBits;
        evaluate();
    }

    private void clearMasks(long vectorBits, int otherBits) {
        masks &= ~vectorBits;
        otherMasks &= ~otherBits;
    }

    // ---------------------------------------------------------------- signalling

    /** Signals every vector with a cause, its mask, and no signal for it yet. */
    private void evaluate() {
        if (!msixMode()) {
            long fresh = causes & LOW16 & masks & ~signalled;
            int otherFresh = otherCauses & otherMasks & ~otherSignalled & ~EICR_OTHER;
            if (fresh != 0 || otherFresh != 0) {
                fire(0, fresh, otherFresh);
            }
            return;
        }
        long fresh = causes & masks & ~signalled;
        while (fresh != 0) {
            int v = Long.numberOfTrailingZeros(fresh);
            fresh &= fresh - 1;
            fire(v, 1L << v, 0);
        }
        int otherFresh = otherCauses & otherMasks & ~otherSignalled & ~EICR_OTHER;
        if (otherFresh != 0) {
            int v = IvarLayout.vectorOf(csr.get(csr.ivarMisc) >>> IvarLayout.MISC_OTHER_SHIFT & IvarLayout.ENTRY_MASK);
            if (v >= 0) {
                fire(v, 0, otherFresh);
            }
        }
    }

    /** Sends vector {@code v} for these causes now, or when its EITR interval since the last message ends. */
    private void fire(int v, long vectorBits, int otherBits) {
        long interval = eitrIntervalNs(csr.get(csr.eitr[v]));
        long due = lastSentNs[v] + interval;
        if (kernel.now() < due) {
            if (!held[v]) {
                held[v] = true;
                long g = generation;
                kernel.scheduleAt(due, throttleLabel, () -> {
                    if (g == generation) {
                        held[v] = false;
                        evaluate();
                    }
                });
            }
            return;
        }
        lastSentNs[v] = kernel.now();
        signalled |= vectorBits;
        otherSignalled |= otherBits;
        sent[v]++;
        signal.test(v);
        if (msixMode()) {
            boolean autoClear = v >= 16 || (csr.get(csr.eiac) & (1 << v)) != 0;
            if (autoClear) {
                clearCauses(vectorBits);
            }
            if (eiame()) {
                masks &= ~(autoMasks & vectorBits);
                otherMasks &= ~(otherAutoMasks & otherBits);
            }
        }
    }
}
