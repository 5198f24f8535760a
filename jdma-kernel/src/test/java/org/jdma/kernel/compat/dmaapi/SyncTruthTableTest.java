package org.jdma.kernel.compat.dmaapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jdma.kernel.compat.dmaapi.RecordingDmaOp.AllocCoherent;
import org.jdma.kernel.compat.dmaapi.RecordingDmaOp.Call;
import org.jdma.kernel.compat.dmaapi.RecordingDmaOp.DeallocCoherent;
import org.jdma.kernel.compat.dmaapi.RecordingDmaOp.Flush;
import org.jdma.kernel.compat.dmaapi.RecordingDmaOp.FlushInvalidate;
import org.jdma.kernel.compat.dmaapi.RecordingDmaOp.Invalidate;
import org.jdma.kernel.compat.dmaapi.RecordingDmaOp.MapSingle;
import org.jdma.kernel.compat.dmaapi.RecordingDmaOp.UnmapSingle;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.mm.DmaBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaMask;

/**
 * Seed 004 §3.5, row by row (checklist rows 79, 80, 82, 91-94, 99): every cache operation each
 * container call makes, in order and with its exact range, recorded by {@link RecordingDmaOp}.
 * Without a bus offset the device address is the physical one, so ranges are computed from it.
 */
class SyncTruthTableTest {

    private final ApiFixture f = new ApiFixture();
    private final DmaContainers dev = f.device(-1L);

    @AfterEach
    void tearDown() {
        assertEquals(0, f.direct.liveCoherent() + f.direct.liveMappings() + f.direct.liveBounceBuffers(), "everything was closed");
        assertEquals(0, f.leakedFrames(), "frames given back");
        f.close();
    }

    private static List<Call> flushIf(boolean when, long addr, long size) {
        return when ? List.of(new Flush(addr, size)) : List.of();
    }

    private static List<Call> invalidateIf(boolean when, long addr, long size) {
        return when ? List.of(new Invalidate(addr, size)) : List.of();
    }

    @ParameterizedTest
    @EnumSource(value = DmaDirection.class, names = {"TO_DEVICE", "FROM_DEVICE", "BIDIRECTIONAL"})
    void shouldZeroAndFlushInvalidateACoherentAllocationWhateverTheDirection(DmaDirection dir) throws DmaException {
        DArray<Integer> a = dev.arrayZeroWithAlign(DmaType.INT, 100, 64, dir);
        long base = a.dmaAddr().asLong();
        assertEquals(List.of(new AllocCoherent(400, 64, a.dmaAddr()), new FlushInvalidate(base, 400)), f.ops.calls());
        f.ops.clear();
        a.close();
        assertEquals(List.of(new DeallocCoherent(DmaAddr.of(base), 400)), f.ops.calls());
    }

    @ParameterizedTest
    @EnumSource(value = DmaDirection.class, names = {"TO_DEVICE", "FROM_DEVICE", "BIDIRECTIONAL"})
    void shouldFlushExactlyTheElementSetOnlyWhenTheDeviceReads(DmaDirection dir) throws DmaException {
        try (DArray<Integer> a = dev.arrayZero(DmaType.INT, 8, dir)) {
            long base = a.dmaAddr().asLong();
            for (int i : new int[] {0, 3, 7}) {
                f.ops.clear();
                a.set(i, 0x1234_5678 + i);
                assertEquals(flushIf(dir.deviceReads(), base + 4L * i, 4), f.ops.calls(), "set(" + i + ") " + dir);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DmaDirection.class, names = {"TO_DEVICE", "FROM_DEVICE", "BIDIRECTIONAL"})
    void shouldInvalidateExactlyTheElementReadOnlyWhenTheDeviceWrites(DmaDirection dir) throws DmaException {
        try (DArray<Long> a = dev.arrayZero(DmaType.LONG, 5, dir)) {
            long base = a.dmaAddr().asLong();
            for (int i : new int[] {4, 1}) {
                f.ops.clear();
                assertEquals(0L, a.read(i).orElseThrow());
                assertEquals(invalidateIf(dir.deviceWrites(), base + 8L * i, 8), f.ops.calls(), "read(" + i + ") " + dir);
            }
            f.ops.clear();
            assertTrue(a.read(5).isEmpty());
            assertEquals(List.of(), f.ops.calls(), "an out-of-range read syncs nothing");
        }
    }

    @Test
    void shouldFlushTheElementSizeOfEachType() throws DmaException {
        try (DArray<Byte> b = dev.arrayZero(DmaType.BYTE, 4, DmaDirection.TO_DEVICE);
             DArray<Short> s = dev.arrayZero(DmaType.SHORT, 4, DmaDirection.TO_DEVICE);
             DArray<Double> d = dev.arrayZero(DmaType.DOUBLE, 4, DmaDirection.TO_DEVICE)) {
            f.ops.clear();
            b.set(3, (byte) 1);
            s.set(3, (short) 1);
            d.set(3, 1.0);
            assertEquals(List.of(new Flush(b.dmaAddr().asLong() + 3, 1), new Flush(s.dmaAddr().asLong() + 6, 2),
                    new Flush(d.dmaAddr().asLong() + 24, 8)), f.ops.calls());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DmaDirection.class, names = {"TO_DEVICE", "FROM_DEVICE", "BIDIRECTIONAL"})
    void shouldFlushOnlyTheRangeCopyFromSliceWrote(DmaDirection dir) throws DmaException {
        try (DArray<Integer> a = dev.arrayZero(DmaType.INT, 16, dir)) {
            f.ops.clear();
            a.copyFromSlice(List.of(1, 2, 3));
            assertEquals(flushIf(dir.deviceReads(), a.dmaAddr().asLong(), 12), f.ops.calls());
            f.ops.clear();
            a.confirmWriteAll();
            a.prepareReadAll();
            List<Call> expected = new java.util.ArrayList<>(flushIf(dir.deviceReads(), a.dmaAddr().asLong(), 64));
            expected.addAll(invalidateIf(dir.deviceWrites(), a.dmaAddr().asLong(), 64));
            assertEquals(expected, f.ops.calls());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DmaDirection.class, names = {"TO_DEVICE", "FROM_DEVICE", "BIDIRECTIONAL"})
    void shouldSyncEveryElementTheIteratorReads(DmaDirection dir) throws DmaException {
        try (DArray<Short> a = dev.arrayZero(DmaType.SHORT, 3, dir)) {
            long base = a.dmaAddr().asLong();
            f.ops.clear();
            int n = 0;
            for (short v : a) {
                assertEquals(0, v);
                n++;
            }
            assertEquals(3, n);
            List<Call> expected = dir.deviceWrites()
                    ? List.of(new Invalidate(base, 2), new Invalidate(base + 2, 2), new Invalidate(base + 4, 2))
                    : List.of();
            assertEquals(expected, f.ops.calls());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DmaDirection.class, names = {"TO_DEVICE", "FROM_DEVICE", "BIDIRECTIONAL"})
    void shouldSyncDBoxReadWriteAndModifyInOrder(DmaDirection dir) throws DmaException {
        try (DBox<Long> box = dev.boxZeroWithAlign(DmaType.LONG, 64, dir)) {
            long a = box.dmaAddr().asLong();
            assertEquals(0, a % 64);
            f.ops.clear();
            box.write(41L);
            assertEquals(flushIf(dir.deviceReads(), a, 8), f.ops.calls(), "write");
            f.ops.clear();
            assertEquals(41L, box.read());
            assertEquals(invalidateIf(dir.deviceWrites(), a, 8), f.ops.calls(), "read");
            f.ops.clear();
            box.modify(v -> {
                assertEquals(invalidateIf(dir.deviceWrites(), a, 8), f.ops.calls(), "the function runs after the invalidate");
                return v + 1;
            });
            List<Call> expected = new java.util.ArrayList<>(invalidateIf(dir.deviceWrites(), a, 8));
            expected.addAll(flushIf(dir.deviceReads(), a, 8));
            assertEquals(expected, f.ops.calls(), "modify = invalidate, f, flush");
            assertEquals(42L, box.read());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DmaDirection.class, names = {"TO_DEVICE", "FROM_DEVICE", "BIDIRECTIONAL"})
    void shouldSyncAMappingOnlyWhenAsked(DmaDirection dir) throws DmaException {
        try (DmaBuffer buf = f.memory.allocate(256, 64)) {
            f.ops.clear();
            SArrayPtr<Integer> p = dev.mapSingleArray(DmaType.INT, buf, 64, dir);
            long phys = buf.physicalAddress();
            assertEquals(DmaAddr.of(phys), p.dmaAddr(), "direct mapping: no bounce");
            assertEquals(List.of(new MapSingle(phys, 256, 64, dir, DmaAddr.of(phys))), f.ops.calls(), "mapping syncs nothing");
            f.ops.clear();
            p.confirmWriteAll();
            assertEquals(flushIf(dir.deviceReads(), phys, 256), f.ops.calls(), "confirmWriteAll");
            f.ops.clear();
            p.prepareReadAll();
            assertEquals(invalidateIf(dir.deviceWrites(), phys, 256), f.ops.calls(), "prepareReadAll");
            f.ops.clear();
            assertEquals(64, p.toVec().size());
            assertEquals(invalidateIf(dir.deviceWrites(), phys, 256), f.ops.calls(), "toVec");
            f.ops.clear();
            p.copyFromSlice(List.of(1, 2));
            assertEquals(flushIf(dir.deviceReads(), phys, 8), f.ops.calls(), "copyFromSlice");
            f.ops.clear();
            p.set(5, 9);
            p.read(5);
            List<Call> expected = new java.util.ArrayList<>(flushIf(dir.deviceReads(), phys + 20, 4));
            expected.addAll(invalidateIf(dir.deviceWrites(), phys + 20, 4));
            assertEquals(expected, f.ops.calls(), "set/read sync their element, as the seed's code does");
            f.ops.clear();
            p.close();
            assertEquals(List.of(new UnmapSingle(DmaAddr.of(phys), 256)), f.ops.calls(), "close unmaps without a sync");
        }
    }

    @Test
    void shouldDelegateTheFacadesCacheOperationsAndPageSize() {
        assertEquals(4096, dev.pageSize());
        assertEquals(DmaMask.BITS_64, dev.dmaMask());
        f.ops.clear();
        dev.flush(0x10_0000, 64);
        dev.invalidate(0x10_0040, 128);
        dev.flushInvalidate(0x10_0000, 4096);
        assertEquals(List.of(new Flush(0x10_0000, 64), new Invalidate(0x10_0040, 128), new FlushInvalidate(0x10_0000, 4096)), f.ops.calls());
    }

    @Test
    void shouldFlushAndInvalidateTheBounceCopyTheDeviceUsesNotTheOriginal() throws DmaException {
        try (ApiFixture bf = new ApiFixture(0, true); DmaBuffer buf = bf.memory.allocate(128, 64)) {
            DmaContainers d = bf.device(-1L);
            long orig = buf.physicalAddress();
            SArrayPtr<Long> p = d.mapSingleArray(DmaType.LONG, buf, 64, DmaDirection.BIDIRECTIONAL);
            long bounce = p.dmaAddr().asLong();
            assertTrue(bounce != orig, "forced bounce");
            assertEquals(1, bf.direct.liveBounceBuffers());

            buf.writeLong(8, 0xAAAA_BBBB_CCCC_DDDDL);
            bf.ops.clear();
            p.confirmWriteAll();
            assertEquals(List.of(new Flush(bounce, 128)), bf.ops.calls(), "the seed flushed the original here");
            assertEquals(0xAAAA_BBBB_CCCC_DDDDL, bf.machine.cpu().read64(bounce + 8), "original copied into the bounce buffer");

            bf.machine.cpu().write64(bounce + 16, 0x1111_2222_3333_4444L); // what the device would write
            bf.ops.clear();
            p.prepareReadAll();
            assertEquals(List.of(new Invalidate(bounce, 128)), bf.ops.calls());
            assertEquals(0x1111_2222_3333_4444L, buf.readLong(16), "bounce copied back to the original");

            bf.ops.clear();
            p.set(3, 7L);
            assertEquals(List.of(new Flush(bounce + 24, 8)), bf.ops.calls(), "element sync of the bounce copy");
            assertEquals(7L, bf.machine.cpu().read64(bounce + 24));

            p.close();
            assertEquals(0, bf.direct.liveBounceBuffers(), "unmap frees the bounce buffer");
            assertThrows(IllegalStateException.class, p::confirmWriteAll);
        }
    }

    @Test
    void shouldSyncCpuAddressesWhenTheBusSeesMemoryElsewhere() throws DmaException {
        long offset = 0x80_0000_0000L;
        try (ApiFixture of = new ApiFixture(offset, false)) {
            DmaContainers d = of.device(-1L);
            try (DArray<Integer> a = d.arrayZero(DmaType.INT, 4, DmaDirection.TO_DEVICE)) {
                long cpu = a.dmaAddr().asLong() - offset;
                of.ops.clear();
                a.set(1, 5);
                assertEquals(List.of(new Flush(cpu + 4, 4)), of.ops.calls(), "flush takes the CPU address, not the DMA address");
                assertEquals(5, of.machine.cpu().read32(cpu + 4));
            }
        }
    }
}
