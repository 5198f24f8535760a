package org.jdma.machine.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A port's whole-nanosecond wire time gives what {@link BusTiming#wireTimeNs} gives, or is not used. */
class RequestTimingTest {

    @Test
    void shouldMatchTheTimingFormulaWhereTheWireTimeOfATransactionIsWhole() {
        for (BusTiming t : new BusTiming[] {BusTiming.DEFAULT, new BusTiming(64, 0, 0, 8.0), new BusTiming(128, 0, 0, 32.0),
                new BusTiming(64, 0, 0, 64.0), new BusTiming(4096, 0, 0, 1.0)}) {
            long perTransaction = RequestTiming.exactWireNs(t);
            for (long tx = 0; tx <= 1 << 20; tx += 1 + tx / 7) {
                assertEquals(t.wireTimeNs(tx), tx * perTransaction, t + ", " + tx + " transactions");
            }
        }
    }

    @Test
    void shouldKeepTheFormulaWhereTheWireTimeOfATransactionIsNotWhole() {
        assertEquals(-1, RequestTiming.exactWireNs(new BusTiming(64, 0, 0, 3.0)), "64 B at 3 B/ns: 21.33 ns");
        assertEquals(-1, RequestTiming.exactWireNs(new BusTiming(64, 0, 0, 0.5)), "below 1 B/ns");
        assertEquals(-1, RequestTiming.exactWireNs(new BusTiming(32, 0, 0, 64.0)), "half a nanosecond");
        assertEquals(-1, RequestTiming.exactWireNs(new BusTiming(64, 0, 0, 15.75)), "a fractional bandwidth");
    }
}
