package org.jdma.machine.irq;

import org.jdma.platform.irq.LineTrigger;

/**
 * The legacy inputs of the interrupt controller, modeled on the I/O APIC's redirection table
 * (82093AA datasheet §3.2.4): per line a vector, a trigger mode and a mask, plus the line's
 * current level and the state that decides whether a signal becomes a message to the CPU.
 *
 * <ul>
 *   <li><b>Edge.</b> A rising edge on an unmasked line sends one message. An edge on a masked
 *       line is lost ("not delivered nor held pending"). An edge that arrives while the previous
 *       message of the line has not yet been accepted by the CPU merges into it: the local APIC's
 *       IRR holds one request per vector (Intel SDM Vol. 3A §11.8.4), and the I/O APIC "will only
 *       result in a new invocation of the handler if its acceptance ... causes the IRR bit to go
 *       from 0 to 1" (Intel 6 Series Chipset datasheet §13.5.7).</li>
 *   <li><b>Level.</b> An asserted, unmasked line whose Remote IRR is clear sends one message and
 *       sets Remote IRR; nothing more is sent until the end of interrupt clears it. If the line
 *       is still asserted then, a new message goes out at once. A level line that deasserts
 *       before the EOI sends nothing more. Unmasking (routing) a line that is asserted sends.</li>
 * </ul>
 *
 * <p>The destination CPU of each entry is the controller's ({@link InterruptController#lineCpu}).
 * Not modeled: polarity, delivery modes other than fixed, logical destinations, the I/O APIC's
 * indirect register window (the OS routes through {@code Interrupts}).
 *
 * <p>Thread use: the machine's event thread.
 */
final class LegacyLines {

    /** Receives the messages the lines send: raise {@code vector} on behalf of {@code line}. */
    interface Sink {
        void send(int line, int vector);
    }

    private final int count;
    private final Sink sink;
    private final boolean[] routed;
    private final int[] vector;
    private final LineTrigger[] trigger;
    private final boolean[] asserted;
    /** Level lines: a message was sent and its EOI has not come yet (the I/O APIC's Remote IRR). */
    private final boolean[] remoteIrr;
    /** Edge lines: a message was sent and the CPU has not accepted it yet (the local APIC's IRR). */
    private final boolean[] edgePending;
    private final long[] assertions;
    private final long[] delivered;
    private final long[] masked;
    private final long[] coalesced;
    private final long[] eois;

    LegacyLines(int count, Sink sink) {
        this.count = count;
        this.sink = sink;
        this.routed = new boolean[count];
        this.vector = new int[count];
        this.trigger = new LineTrigger[count];
        this.asserted = new boolean[count];
        this.remoteIrr = new boolean[count];
        this.edgePending = new boolean[count];
        this.assertions = new long[count];
        this.delivered = new long[count];
        this.masked = new long[count];
        this.coalesced = new long[count];
        this.eois = new long[count];
    }

    int count() {
        return count;
    }

    void check(int line) {
        if (line < 0 || line >= count) {
            throw new IllegalArgumentException("legacy interrupt line " + line + " does not exist (lines 0.." + (count - 1) + ")");
        }
    }

    void route(int line, int v, LineTrigger t) {
        check(line);
        routed[line] = true;
        vector[line] = v;
        trigger[line] = t;
        if (t == LineTrigger.LEVEL) {
            evaluateLevel(line);
        }
    }

    void unroute(int line) {
        check(line);
        routed[line] = false;
    }

    boolean routed(int line) {
        check(line);
        return routed[line];
    }

    boolean asserted(int line) {
        check(line);
        return asserted[line];
    }

    void assertLine(int line) {
        check(line);
        if (asserted[line]) {
            return; // no edge; a level line is already asking
        }
        asserted[line] = true;
        assertions[line]++;
        if (!routed[line]) {
            masked[line]++;
            return;
        }
        if (trigger[line] == LineTrigger.EDGE) {
            if (edgePending[line]) {
                coalesced[line]++;
                return;
            }
            edgePending[line] = true;
            send(line);
        } else {
            evaluateLevel(line);
        }
    }

    void deassertLine(int line) {
        check(line);
        asserted[line] = false;
    }

    /** The CPU accepted the line's message: its handler is about to run. */
    void accepted(int line) {
        edgePending[line] = false;
    }

    /** The line's handler returned: Remote IRR clears, and a level line still asserted asks again. */
    void endOfInterrupt(int line) {
        eois[line]++;
        remoteIrr[line] = false;
        if (routed[line] && trigger[line] == LineTrigger.LEVEL) {
            evaluateLevel(line);
        }
    }

    private void evaluateLevel(int line) {
        if (asserted[line] && !remoteIrr[line]) {
            remoteIrr[line] = true;
            send(line);
        }
    }

    private void send(int line) {
        delivered[line]++;
        sink.send(line, vector[line]);
    }

    LineCounters counters(int line) {
        check(line);
        return new LineCounters(assertions[line], delivered[line], masked[line], coalesced[line], eois[line]);
    }
}
