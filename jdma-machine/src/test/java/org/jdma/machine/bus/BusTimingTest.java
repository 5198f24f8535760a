package org.jdma.machine.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BusTimingTest {

    private final BusTiming t = new BusTiming(64, 450, 120, 16.0);

    @Test
    void shouldCountCacheLinesTouched() {
        assertEquals(0, t.transactions(0x1000, 0));
        assertEquals(1, t.transactions(0x1000, 1));
        assertEquals(1, t.transactions(0x1000, 64));
        assertEquals(2, t.transactions(0x1000, 65));
        assertEquals(1, t.transactions(0x103F, 1));
        assertEquals(2, t.transactions(0x103F, 2), "one byte on each side of a line boundary");
        assertEquals(3, t.transactions(0x1001, 128));
        assertEquals(64, t.transactions(0x2000, 4096));
    }

    @Test
    void shouldRoundWireTimeUp() {
        assertEquals(0, t.wireTimeNs(0));
        assertEquals(4, t.wireTimeNs(1));          // 64 B at 16 B/ns
        assertEquals(256, t.wireTimeNs(64));
        assertEquals(22, new BusTiming(64, 0, 0, 3.0).wireTimeNs(1), "64 / 3 = 21.3 -> 22");
    }

    @Test
    void shouldRejectBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> new BusTiming(48, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new BusTiming(0, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new BusTiming(64, -1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new BusTiming(64, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new BusTiming(64, 1, 1, Double.NaN));
    }
}
