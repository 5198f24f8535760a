package org.jdma.machine.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IoPortSpaceTest {

    /** A handler that logs every access and answers reads from a byte array. */
    static final class Recorder implements IoPortHandler {
        final String name;
        final byte[] regs;
        final List<String> log;

        Recorder(String name, int size, List<String> log) {
            this.name = name;
            this.regs = new byte[size];
            this.log = log;
            for (int i = 0; i < size; i++) {
                regs[i] = (byte) (0x10 * (name.length()) + i);
            }
        }

        @Override
        public int read(int offset, int width) {
            log.add(name + " read " + offset + "/" + width);
            int v = 0;
            for (int i = 0; i < width; i++) {
                v |= (regs[offset + i] & 0xFF) << (8 * i);
            }
            return v;
        }

        @Override
        public void write(int offset, int width, int value) {
            log.add(String.format("%s write %d/%d %#x", name, offset, width, value));
            for (int i = 0; i < width; i++) {
                regs[offset + i] = (byte) (value >>> (8 * i));
            }
        }
    }

    private final IoPortSpace space = new IoPortSpace();
    private final List<String> log = new ArrayList<>();

    @Test
    void shouldHandAnAccessInsideOneClaimToItsHandlerAtFullWidth() {
        Recorder a = new Recorder("a", 8, log);
        space.claim("a", 0x300, 8, a);
        space.write(0x304, 4, 0xA1B2_C3D4);
        assertEquals(0xA1B2_C3D4, space.read(0x304, 4));
        assertEquals(0xC3D4, space.read(0x304, 2));
        assertEquals(0xB2, space.read(0x306, 1));
        assertEquals(List.of("a write 4/4 0xa1b2c3d4", "a read 4/4", "a read 4/2", "a read 6/1"), log);
        assertEquals(0, space.splitAccesses());
        assertEquals(3, space.reads());
        assertEquals(1, space.writes());
    }

    @Test
    void shouldMaskWhatAHandlerReturnsToTheAccessWidth() {
        space.claim("wide", 0x60, 4, new IoPortHandler() {
            @Override public int read(int offset, int width) { return 0xFFFF_FF5A; }
            @Override public void write(int offset, int width, int value) { log.add(Integer.toHexString(value)); }
        });
        assertEquals(0x5A, space.read(0x60, 1));
        assertEquals(0xFF5A, space.read(0x60, 2));
        space.write(0x60, 1, 0x1234);
        space.write(0x60, 2, 0xABCD_1234);
        assertEquals(List.of("34", "1234"), log, "only the low bytes of the access reach the device");
    }

    @Test
    void shouldReadUnclaimedPortsAsAllOnesAndDropWritesCountingThem() {
        assertEquals(0xFF, space.read(0x80, 1));
        assertEquals(0xFFFF, space.read(0x80, 2));
        assertEquals(0xFFFF_FFFF, space.read(0x80, 4));
        space.write(0x80, 1, 0x12);
        assertEquals(3, space.unclaimedReads());
        assertEquals(1, space.unclaimedWrites());
        assertEquals(4, space.unclaimedAccesses());
    }

    @Test
    void shouldSplitAnAccessStraddlingTwoClaimsIntoByteCyclesInAscendingOrder() {
        Recorder lo = new Recorder("lo", 2, log);
        Recorder hi = new Recorder("hi!", 2, log);
        space.claim("lo", 0x100, 2, lo);
        space.claim("hi", 0x102, 2, hi);
        int v = space.read(0x101, 2);
        assertEquals((hi.regs[0] & 0xFF) << 8 | (lo.regs[1] & 0xFF), v);
        space.write(0x100, 4, 0x4433_2211);
        assertEquals(List.of("lo read 1/1", "hi! read 0/1",
                "lo write 0/1 0x11", "lo write 1/1 0x22", "hi! write 0/1 0x33", "hi! write 1/1 0x44"), log);
        assertEquals(2, space.splitAccesses());
        assertEquals(0, space.unclaimedAccesses());
    }

    @Test
    void shouldSplitAnAccessHalfClaimedAndFillTheUnclaimedBytesWithOnes() {
        Recorder a = new Recorder("a", 2, log);
        space.claim("a", 0x200, 2, a);
        int v = space.read(0x1FF, 4); // 0x1ff unclaimed, 0x200-0x201 claimed, 0x202 unclaimed
        assertEquals(0xFF00_00FF | (a.regs[0] & 0xFF) << 8 | (a.regs[1] & 0xFF) << 16, v);
        space.write(0x201, 2, 0xBEEF);
        assertEquals((byte) 0xEF, a.regs[1], "the claimed byte is written");
        assertEquals(List.of("a read 0/1", "a read 1/1", "a write 1/1 0xef"), log);
        assertEquals(1, space.unclaimedReads());
        assertEquals(1, space.unclaimedWrites());
    }

    @Test
    void shouldRefuseOverlappingClaimsNamingBothOwners() {
        space.claim("dma1", 0x00, 0x10, new Recorder("dma1", 16, log));
        var e = assertThrows(IllegalArgumentException.class, () -> space.claim("floppy", 0x0F, 2, new Recorder("f", 2, log)));
        assertTrue(e.getMessage().contains("floppy") && e.getMessage().contains("dma1") && e.getMessage().contains("0x000f"),
                e.getMessage());
        assertEquals(1, space.claims().size(), "a refused claim leaves nothing behind");
        space.claim("floppy", 0x10, 2, new Recorder("f", 2, log));
        assertEquals(2, space.claims().size());
    }

    @Test
    void shouldRejectRangesOutsideThePortSpaceAndEmptyRanges() {
        Recorder r = new Recorder("r", 4, log);
        assertThrows(IllegalArgumentException.class, () -> space.claim("r", 0xFFFE, 4, r));
        assertThrows(IllegalArgumentException.class, () -> space.claim("r", -1, 1, r));
        assertThrows(IllegalArgumentException.class, () -> space.claim("r", 0x10, 0, r));
        space.claim("top", 0xFFFC, 4, r);
        assertSame(r, space.claimAt(0xFFFF).handler());
    }

    @Test
    void shouldRejectWidthsAndPortsTheCpuCannotProduce() {
        var width = assertThrows(IllegalArgumentException.class, () -> space.read(0x10, 3));
        assertTrue(width.getMessage().contains("3"), width.getMessage());
        var past = assertThrows(IllegalArgumentException.class, () -> space.read(0xFFFF, 2));
        assertTrue(past.getMessage().contains("0xffff"), past.getMessage());
        assertThrows(IllegalArgumentException.class, () -> space.write(0x10000, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> space.write(-1, 1, 0));
        assertEquals(0, space.reads() + space.writes(), "a rejected access is not an access");
    }

    @Test
    void shouldFindClaimsByPortAndFreeThemOnRelease() {
        IoPortClaim a = space.claim("a", 0x3F8, 8, new Recorder("a", 8, log));
        IoPortClaim b = space.claim("b", 0x2F8, 8, new Recorder("b", 8, log));
        assertSame(a, space.claimAt(0x3FF));
        assertSame(b, space.claimAt(0x2F8));
        assertNull(space.claimAt(0x300));
        assertEquals(List.of(b, a), space.claims(), "claims are kept by first port");
        space.release(a);
        assertNull(space.claimAt(0x3F8));
        assertThrows(IllegalArgumentException.class, () -> space.release(a));
        space.claim("c", 0x3F8, 8, new Recorder("c", 8, log));
    }
}
