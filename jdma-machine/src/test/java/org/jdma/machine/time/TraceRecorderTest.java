package org.jdma.machine.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceRecorderTest {

    @Test
    void shouldRecordNothingUntilEnabled() {
        var t = new TraceRecorder();
        assertFalse(t.enabled());
        t.instant("irq", "msi", 5, Map.of());
        t.slice("memcpy0", "copy", 10, 20, Map.of());
        assertEquals(List.of(), t.events());
        assertEquals(0, t.dropped(), "disabled records are not dropped, they are never made");
    }

    @Test
    void shouldRecordSlicesAndInstantsWithArgsInOrder() {
        var t = new TraceRecorder();
        t.enable(true);
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("z", 1);
        args.put("a", "two");
        args.put("m", 3L);
        t.slice("memcpy0", "copy", 100, 50, args);
        t.instant("irq", "vector 33", 160, Map.of());
        args.put("late", true);   // the recorder keeps its own copy
        var events = t.events();
        assertEquals(2, events.size());
        var s = events.get(0);
        assertEquals("memcpy0", s.track());
        assertEquals("copy", s.name());
        assertEquals(100, s.startNs());
        assertEquals(50, s.durationNs());
        assertFalse(s.instant());
        assertEquals(List.of("z", "a", "m"), List.copyOf(s.args().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> s.args().put("x", 1));
        var i = events.get(1);
        assertTrue(i.instant());
        assertEquals(0, i.durationNs());
        assertEquals(160, i.startNs());
        assertThrows(UnsupportedOperationException.class, () -> t.events().clear());
    }

    @Test
    void shouldKeepAtMostTheLimitAndCountTheRestAsDropped() {
        var t = new TraceRecorder();
        t.enable(true);
        t.limit(3);
        for (int i = 0; i < 10; i++) {
            t.instant("x", "e" + i, i, Map.of());
        }
        assertEquals(3, t.events().size());
        assertEquals("e2", t.events().get(2).name(), "the first records are kept");
        assertEquals(7, t.dropped());
        t.enable(false);
        t.instant("x", "off", 11, Map.of());
        assertEquals(7, t.dropped());
        t.clear();
        assertEquals(0, t.events().size());
        assertEquals(0, t.dropped());
        t.enable(true);
        t.instant("x", "again", 12, Map.of());
        assertEquals(1, t.events().size());
    }

    @Test
    void shouldBeReachableFromTheEventKernel() {
        var t = new TraceRecorder();
        var k = new EventKernel(3, t);
        assertEquals(t, k.trace());
        assertThrows(NullPointerException.class, () -> new EventKernel(3, null));
    }
}
