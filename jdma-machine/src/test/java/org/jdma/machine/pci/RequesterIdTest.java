package org.jdma.machine.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jdma.spec.pci.RequesterId;

class RequesterIdTest {

    @Test
    void shouldFormatAsSegmentBusDeviceFunctionInHex() {
        assertEquals("0000:00:04.0", RequesterId.of(0, 4, 0).toString());
        assertEquals("abcd:ff:1f.7", new RequesterId(0xABCD, 0xFF, 0x1F, 7).toString());
    }

    @Test
    void shouldParseBothFormsAndRoundTrip() {
        assertEquals(RequesterId.of(0x3A, 0x1F, 7), RequesterId.parse("3a:1f.7"));
        assertEquals(new RequesterId(1, 2, 3, 4), RequesterId.parse(" 0001:02:03.4 "));
        for (RequesterId r : List.of(RequesterId.of(0, 0, 0), new RequesterId(0xFFFF, 0xFF, 0x1F, 7), RequesterId.of(0x80, 0x10, 2))) {
            assertEquals(r, RequesterId.parse(r.toString()));
        }
    }

    @Test
    void shouldPackTheSixteenBitSourceId() {
        assertEquals(0x0020, RequesterId.of(0, 4, 0).sourceId());
        assertEquals(0xFFFF, RequesterId.of(0xFF, 0x1F, 7).sourceId());
        assertEquals(0x3A00 | 0x1F << 3 | 5, RequesterId.of(0x3A, 0x1F, 5).sourceId());
        assertEquals(0x1234, new RequesterId(9, 0x12, 0x34 >> 3, 0x34 & 7).sourceId(), "the segment is not part of it");
    }

    @Test
    void shouldRejectFieldsOutOfRangeNamingTheField() {
        var bus = assertThrows(IllegalArgumentException.class, () -> RequesterId.of(256, 0, 0));
        assertTrue(bus.getMessage().contains("bus") && bus.getMessage().contains("256"), bus.getMessage());
        var dev = assertThrows(IllegalArgumentException.class, () -> RequesterId.of(0, 32, 0));
        assertTrue(dev.getMessage().contains("device") && dev.getMessage().contains("32"), dev.getMessage());
        var fn = assertThrows(IllegalArgumentException.class, () -> RequesterId.of(0, 0, 8));
        assertTrue(fn.getMessage().contains("function"), fn.getMessage());
        var seg = assertThrows(IllegalArgumentException.class, () -> new RequesterId(0x10000, 0, 0, 0));
        assertTrue(seg.getMessage().contains("segment"), seg.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RequesterId.of(-1, 0, 0));
    }

    @Test
    void shouldRejectMalformedTextNamingIt() {
        for (String bad : List.of("", "00", "00:01", "00:01.", "00:01.2.3", "1:2:3:4.0", "zz:00.0", "00:0g.0", "0000:00:20.0", "00:00.8")) {
            var e = assertThrows(IllegalArgumentException.class, () -> RequesterId.parse(bad), bad);
            assertTrue(e.getMessage().contains(bad.trim()) || e.getMessage().contains("out of range"), bad + " -> " + e.getMessage());
        }
    }

    @Test
    void shouldOrderBySegmentThenSourceId() {
        List<RequesterId> ids = new ArrayList<>(List.of(new RequesterId(1, 0, 0, 0), RequesterId.of(1, 0, 0),
                RequesterId.of(0, 4, 1), RequesterId.of(0, 4, 0)));
        ids.sort(null);
        assertEquals(List.of(RequesterId.of(0, 4, 0), RequesterId.of(0, 4, 1), RequesterId.of(1, 0, 0), new RequesterId(1, 0, 0, 0)), ids);
    }
}
