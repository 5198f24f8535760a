package org.jdma.kernel.compat.dmaapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.mm.DmaBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;

/** DArray, DBox, SArrayPtr behaviour (rows 90, 92-94, 97) and record element types. */
class ContainerTest {

    /** A descriptor as a driver would describe it: 16 bytes, 8-aligned. */
    record Desc(long addr, int len, int flags) { }

    static final StructLayout DESC = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"), JAVA_INT.withName("len"), JAVA_INT.withName("flags")).withName("Desc");
    static final DmaType<Desc> DESC_TYPE = DmaType.of(DESC,
            s -> new Desc(s.get(JAVA_LONG, 0), s.get(JAVA_INT, 8), s.get(JAVA_INT, 12)),
            (s, d) -> {
                s.set(JAVA_LONG, 0, d.addr());
                s.set(JAVA_INT, 8, d.len());
                s.set(JAVA_INT, 12, d.flags());
            });

    private final ApiFixture f = new ApiFixture();
    private final DmaContainers dev = f.device(0xFFFF_FFFFL);

    @AfterEach
    void tearDown() {
        assertEquals(0, f.leakedFrames(), "frames given back");
        f.close();
    }

    @Test
    void shouldStartZeroFilledAndReportItsShape() throws DmaException {
        try (DArray<Integer> a = dev.arrayZeroWithAlign(DmaType.INT, 100, 4096, DmaDirection.FROM_DEVICE)) {
            assertEquals(100, a.len());
            assertEquals(400, a.bytesLen());
            assertFalse(a.isEmpty());
            assertEquals(0, a.dmaAddr().asLong() % 4096);
            for (int v : a) {
                assertEquals(0, v);
            }
        }
        try (DArray<Integer> empty = dev.arrayZero(DmaType.INT, 0, DmaDirection.TO_DEVICE)) {
            assertTrue(empty.isEmpty());
            assertEquals(0, empty.bytesLen());
            assertFalse(empty.iterator().hasNext());
        }
        assertEquals(0, f.direct.liveCoherent(), "an empty array is freed too (the seed leaked it)");
    }

    @Test
    void shouldZeroMemoryAPreviousOwnerLeftDirty() throws DmaException {
        long addr;
        try (DArray<Long> a = dev.arrayZero(DmaType.LONG, 512, DmaDirection.TO_DEVICE)) {
            for (int i = 0; i < a.len(); i++) {
                a.set(i, -1L);
            }
            addr = a.dmaAddr().asLong();
        }
        try (DArray<Long> b = dev.arrayZero(DmaType.LONG, 512, DmaDirection.TO_DEVICE)) {
            assertEquals(addr, b.dmaAddr().asLong(), "the buddy allocator hands the same block back");
            for (long v : b) {
                assertEquals(0L, v);
            }
        }
    }

    @Test
    void shouldRoundTripValuesOfEveryPrimitiveType() throws DmaException {
        long seed = 0x5EED_0004L;
        SplittableRandom rnd = new SplittableRandom(seed);
        try (DArray<Byte> b = dev.arrayZero(DmaType.BYTE, 16, DmaDirection.BIDIRECTIONAL);
             DArray<Short> s = dev.arrayZero(DmaType.SHORT, 16, DmaDirection.BIDIRECTIONAL);
             DArray<Integer> i = dev.arrayZero(DmaType.INT, 16, DmaDirection.BIDIRECTIONAL);
             DArray<Long> l = dev.arrayZero(DmaType.LONG, 16, DmaDirection.BIDIRECTIONAL);
             DArray<Float> fl = dev.arrayZero(DmaType.FLOAT, 16, DmaDirection.BIDIRECTIONAL);
             DArray<Double> d = dev.arrayZero(DmaType.DOUBLE, 16, DmaDirection.BIDIRECTIONAL)) {
            for (int k = 0; k < 16; k++) {
                long v = rnd.nextLong();
                b.set(k, (byte) v);
                s.set(k, (short) v);
                i.set(k, (int) v);
                l.set(k, v);
                fl.set(k, Float.intBitsToFloat((int) v & 0x3FFF_FFFF));
                d.set(k, Double.longBitsToDouble(v & 0x3FFF_FFFF_FFFF_FFFFL));
                String msg = "seed " + seed + ", element " + k;
                assertEquals((byte) v, b.read(k).orElseThrow(), msg);
                assertEquals((short) v, s.read(k).orElseThrow(), msg);
                assertEquals((int) v, i.read(k).orElseThrow(), msg);
                assertEquals(v, l.read(k).orElseThrow(), msg);
                assertEquals(Float.intBitsToFloat((int) v & 0x3FFF_FFFF), fl.read(k).orElseThrow(), msg);
                assertEquals(Double.longBitsToDouble(v & 0x3FFF_FFFF_FFFF_FFFFL), d.read(k).orElseThrow(), msg);
            }
            assertEquals((int) 0x0403_0201, readIntAt(b), "little-endian in memory");
        }
    }

    private int readIntAt(DArray<Byte> b) {
        b.set(0, (byte) 1);
        b.set(1, (byte) 2);
        b.set(2, (byte) 3);
        b.set(3, (byte) 4);
        return f.machine.cpu().read32(b.dmaAddr().asLong());
    }

    @Test
    void shouldReturnEmptyForAReadOutOfRangeAndThrowForAWrite() throws DmaException {
        try (DArray<Integer> a = dev.arrayZero(DmaType.INT, 3, DmaDirection.BIDIRECTIONAL)) {
            assertTrue(a.read(3).isEmpty());
            assertTrue(a.read(-1).isEmpty());
            var e = assertThrows(IndexOutOfBoundsException.class, () -> a.set(3, 1));
            assertTrue(e.getMessage().contains("3"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> a.set(-1, 1));
        }
    }

    @Test
    void shouldCopyASliceFromIndexZeroAndRejectOneTooLong() throws DmaException {
        try (DArray<Integer> a = dev.arrayZero(DmaType.INT, 4, DmaDirection.TO_DEVICE)) {
            a.copyFromSlice(List.of(7, 8, 9));
            List<Integer> seen = new ArrayList<>();
            a.forEach(seen::add);
            assertEquals(List.of(7, 8, 9, 0), seen);
            var e = assertThrows(IllegalArgumentException.class, () -> a.copyFromSlice(List.of(1, 2, 3, 4, 5)));
            assertTrue(e.getMessage().contains("5") && e.getMessage().contains("4"), e.getMessage());
        }
    }

    @Test
    void shouldStoreRecordsAtTheirLayoutOffsets() throws DmaException {
        try (DArray<Desc> ring = dev.arrayZeroWithAlign(DESC_TYPE, 4, 64, DmaDirection.TO_DEVICE)) {
            assertEquals(64, ring.bytesLen());
            ring.set(2, new Desc(0x1234_5000L, 4096, 1));
            long base = ring.dmaAddr().asLong();
            assertEquals(0x1234_5000L, f.machine.cpu().read64(base + 32));
            assertEquals(4096, f.machine.cpu().read32(base + 40));
            assertEquals(1, f.machine.cpu().read32(base + 44));
            assertEquals(new Desc(0x1234_5000L, 4096, 1), ring.read(2).orElseThrow());
            assertEquals(new Desc(0, 0, 0), ring.read(1).orElseThrow());
        }
    }

    @Test
    void shouldModifyADescriptorInPlace() throws DmaException {
        try (DBox<Desc> box = dev.boxZeroWithAlign(DESC_TYPE, 64, DmaDirection.BIDIRECTIONAL)) {
            box.write(new Desc(0x1234_5000L, 4096, 1));
            box.modify(d -> new Desc(d.addr(), 2048, d.flags()));
            assertEquals(new Desc(0x1234_5000L, 2048, 1), box.read());
            assertEquals(0, box.dmaAddr().asLong() % 64);
        }
    }

    @Test
    void shouldMapAnExistingBufferAndSeeItsBytes() throws DmaException {
        try (DmaBuffer buf = f.memory.allocate(16, 16)) {
            buf.writeLong(0, 0x0000_0002_0000_0001L);
            try (SArrayPtr<Integer> p = dev.mapSingleArray(DmaType.INT, buf, 16, DmaDirection.BIDIRECTIONAL)) {
                assertEquals(4, p.len());
                assertFalse(p.isEmpty());
                assertEquals(List.of(1, 2, 0, 0), p.toVec());
                p.copyFromSlice(List.of(5, 6, 7));
                assertEquals(0x0000_0006_0000_0005L, buf.readLong(0), "the CPU writes the original buffer");
                assertTrue(p.read(4).isEmpty());
                assertThrows(IndexOutOfBoundsException.class, () -> p.set(4, 1));
                assertThrows(IllegalArgumentException.class, () -> p.copyFromSlice(List.of(1, 2, 3, 4, 5)));
                var e = assertThrows(IllegalStateException.class, buf::close);
                assertTrue(e.getMessage().contains("mapped"), "a mapped buffer cannot be freed: " + e.getMessage());
            }
        }
        assertEquals(0, f.direct.liveMappings());
    }

    @Test
    void shouldMapPartOfABuffer() throws DmaException {
        try (DmaBuffer buf = f.memory.allocate(4096, 4096, DmaMemory.LIMIT_4GIB)) {
            buf.writeLong(1024, 11);
            buf.writeLong(1032, 12);
            try (SArrayPtr<Long> p = dev.mapSingleArray(DmaType.LONG, buf, 1024, 2, 64, DmaDirection.BIDIRECTIONAL)) {
                assertEquals(buf.physicalAddress() + 1024, p.dmaAddr().asLong());
                assertEquals(List.of(11L, 12L), p.toVec());
            }
            assertThrows(IndexOutOfBoundsException.class, () -> dev.mapSingleArray(DmaType.LONG, buf, 4088, 2, 8, DmaDirection.TO_DEVICE));
            assertEquals(new DmaError.ZeroSizedBuffer(),
                    assertThrows(DmaException.class, () -> dev.mapSingleArray(DmaType.LONG, buf, 0, 0, 8, DmaDirection.TO_DEVICE)).error());
        }
        assertEquals(0, f.direct.liveMappings());
    }

    @Test
    void shouldMapTheSameBufferTwiceAndUnmapEachOnce() throws DmaException {
        try (DmaBuffer buf = f.memory.allocate(256, 64, DmaMemory.LIMIT_4GIB)) {
            SArrayPtr<Integer> first = dev.mapSingleArray(DmaType.INT, buf, 64, DmaDirection.TO_DEVICE);
            SArrayPtr<Integer> second = dev.mapSingleArray(DmaType.INT, buf, 64, DmaDirection.TO_DEVICE);
            assertEquals(first.dmaAddr(), second.dmaAddr());
            assertEquals(2, f.direct.liveMappings());
            first.close();
            assertThrows(IllegalStateException.class, buf::close, "still mapped once");
            second.close();
            assertEquals(0, f.direct.liveMappings());
        }
    }

    @Test
    void shouldRefuseToMapAFreedBuffer() {
        DmaBuffer buf = f.memory.allocate(64, 64);
        buf.close();
        assertThrows(IllegalStateException.class, () -> dev.mapSingleArray(DmaType.INT, buf, 4, DmaDirection.TO_DEVICE));
    }

    @Test
    void shouldIgnoreASecondCloseAndRejectUseAfterClose() throws DmaException {
        DArray<Integer> a = dev.arrayZero(DmaType.INT, 4, DmaDirection.TO_DEVICE);
        DBox<Integer> b = dev.boxZero(DmaType.INT, DmaDirection.TO_DEVICE);
        DmaBuffer buf = f.memory.allocate(64, 64);
        SArrayPtr<Integer> p = dev.mapSingleArray(DmaType.INT, buf, 4, DmaDirection.TO_DEVICE);
        a.close();
        b.close();
        p.close();
        f.ops.clear();
        a.close();
        b.close();
        p.close();
        assertEquals(List.of(), f.ops.calls(), "a second close frees nothing");
        assertTrue(a.isClosed() && b.isClosed() && p.isClosed());

        var e = assertThrows(IllegalStateException.class, () -> a.set(0, 1));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> a.read(0));
        assertThrows(IllegalStateException.class, a::dmaAddr);
        assertThrows(IllegalStateException.class, a::iterator);
        assertThrows(IllegalStateException.class, () -> a.copyFromSlice(List.of()));
        assertThrows(IllegalStateException.class, b::read);
        assertThrows(IllegalStateException.class, () -> b.write(1));
        assertThrows(IllegalStateException.class, () -> b.modify(v -> v));
        assertThrows(IllegalStateException.class, p::toVec);
        assertThrows(IllegalStateException.class, p::prepareReadAll);
        assertThrows(IllegalStateException.class, () -> p.read(0));
        buf.close();
        assertEquals(0, f.direct.liveCoherent() + f.direct.liveMappings());
    }

    @Test
    void shouldReleaseEverythingInTryWithResources() throws DmaException {
        try (DArray<Long> a = dev.arrayZero(DmaType.LONG, 1000, DmaDirection.TO_DEVICE);
             DBox<Desc> b = dev.boxZero(DESC_TYPE, DmaDirection.FROM_DEVICE)) {
            assertTrue(f.leakedFrames() > 0);
            assertEquals(2, f.direct.liveCoherent());
        }
        assertEquals(0, f.direct.liveCoherent());
    }
}
