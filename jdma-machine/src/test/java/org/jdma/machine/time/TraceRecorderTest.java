package org.jdma.machine.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

    private static TraceRecorder recorded(String track, long start, Map<String, Object> args) {
        var t = new TraceRecorder();
        t.enable(true);
        t.slice(track, "copy", start, 20, args);
        t.instant("irq", "msi", start + 30, TraceRecorder.args("vector", 33, "cpu", 1));
        return t;
    }

    @Test
    void shouldDigestTheSameRecordsToTheSameHash() {
        String a = recorded("memcpy0", 10, TraceRecorder.args("slot", 3, "status", "SUCCESS")).sha256();
        String b = recorded("memcpy0", 10, TraceRecorder.args("slot", 3, "status", "SUCCESS")).sha256();
        assertEquals(a, b);
        assertEquals(64, a.length(), "SHA-256 in hex: " + a);
    }

    @Test
    void shouldDigestDifferentlyWhenATimeATrackAnArgumentOrTheArgumentOrderDiffers() {
        String base = recorded("memcpy0", 10, TraceRecorder.args("slot", 3, "status", "SUCCESS")).sha256();
        assertNotEquals(base, recorded("memcpy0", 11, TraceRecorder.args("slot", 3, "status", "SUCCESS")).sha256(), "start time");
        assertNotEquals(base, recorded("memcpy1", 10, TraceRecorder.args("slot", 3, "status", "SUCCESS")).sha256(), "track");
        assertNotEquals(base, recorded("memcpy0", 10, TraceRecorder.args("slot", 4, "status", "SUCCESS")).sha256(), "argument value");
        assertNotEquals(base, recorded("memcpy0", 10, TraceRecorder.args("status", "SUCCESS", "slot", 3)).sha256(),
                "argument order: an exporter writes them in this order, so a salted map's order must show");
    }

    @Test
    void shouldDigestDroppedRecordsToo() {
        var full = recorded("memcpy0", 10, TraceRecorder.args());
        var capped = new TraceRecorder();
        capped.enable(true);
        capped.limit(2);
        capped.slice("memcpy0", "copy", 10, 20, TraceRecorder.args());
        capped.instant("irq", "msi", 40, TraceRecorder.args("vector", 33, "cpu", 1));
        assertEquals(full.sha256(), capped.sha256(), "the same two records, none dropped");
        capped.instant("irq", "msi", 50, TraceRecorder.args());
        assertNotEquals(full.sha256(), capped.sha256(), "a dropped record changes the digest: the trace is not whole");
    }
}

