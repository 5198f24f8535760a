package org.jdma.kernel.compat.dmaapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemoryLayout;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.mm.DmaBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;

/**
 * Every {@link DmaError} (row 96), the mask check (rows 83, 84), the alignment check (85), layout
 * validation (86) and release on a failed check (87): after each failure the allocator has every
 * frame back and the op holds no allocation, mapping or bounce buffer.
 */
class DmaErrorTest {

    private final ApiFixture f = new ApiFixture();

    @AfterEach
    void noLeak() {
        assertEquals(0, f.direct.liveCoherent(), "coherent allocations left");
        assertEquals(0, f.direct.liveMappings(), "mappings left");
        assertEquals(0, f.direct.liveBounceBuffers(), "bounce buffers left");
        assertEquals(0, f.leakedFrames(), "frames not given back");
        f.close();
    }

    private static DmaError error(ThrowingRunnable r) {
        return assertThrows(DmaException.class, r::run).error();
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void shouldRejectAnAllocationPastTheMaskAndReleaseIt() {
        // Seed test mask_check_rejects_overflow_alloc: mask 0xfff, 0x1000 bytes at 0x1000.
        DmaContainers dev = new DmaContainers(DmaMask.of(0x0FFF), new RelocatingDmaOp(f.ops, 0x1000));
        DmaError e = error(() -> dev.arrayZero(DmaType.BYTE, 0x1000, DmaDirection.BIDIRECTIONAL));
        assertEquals(new DmaError.DmaMaskNotMatch(0x1000, DmaMask.of(0x0FFF)), e);
        assertTrue(e.message().contains("0x1000") && e.message().contains("0xfff"), e.message());
        assertFalse(e.retryable());
        assertEquals(1, f.ops.calls(RecordingDmaOp.DeallocCoherent.class).size(), "freed before the error");
    }

    @Test
    void shouldRejectAMappingPastTheMaskAndUnmapIt() {
        DmaContainers dev = new DmaContainers(DmaMask.of(0x0FFF), new RelocatingDmaOp(f.ops, 0x1000));
        try (DmaBuffer buf = f.memory.allocate(0x1000, 64)) {
            DmaError e = error(() -> dev.mapSingleArray(DmaType.BYTE, buf, 1, DmaDirection.TO_DEVICE));
            assertEquals(new DmaError.DmaMaskNotMatch(0x1000, DmaMask.of(0x0FFF)), e);
            assertEquals(1, f.ops.calls(RecordingDmaOp.UnmapSingle.class).size(), "unmapped before the error");
        }
    }

    @Test
    void shouldAcceptARangeEndingExactlyAtTheMask() throws DmaException {
        DmaContainers dev = new DmaContainers(DmaMask.of(0x1FFF), new RelocatingDmaOp(f.ops, 0x1000));
        try (DArray<Byte> a = dev.arrayZero(DmaType.BYTE, 0x1000, DmaDirection.TO_DEVICE)) {
            assertEquals(DmaAddr.of(0x1000), a.dmaAddr());
        }
        DmaError e = error(() -> dev.arrayZero(DmaType.BYTE, 0x1001, DmaDirection.TO_DEVICE));
        assertInstanceOf(DmaError.DmaMaskNotMatch.class, e, "one byte more crosses the mask");
    }

    @Test
    void shouldTreatARangeThatWrapsPastTwoToTheSixtyFourAsOutsideEvenTheFullMask() {
        long top = 0xFFFF_FFFF_FFFF_F000L;
        DmaContainers dev = new DmaContainers(DmaMask.BITS_64, new RelocatingDmaOp(f.ops, top));
        assertEquals(new DmaError.DmaMaskNotMatch(top, DmaMask.of(-1L)), error(() -> dev.arrayZero(DmaType.BYTE, 0x2000, DmaDirection.TO_DEVICE)));
    }

    @Test
    void shouldCheckTheMaskUnsigned() throws DmaException {
        assertTrue(DmaMask.BITS_64.covers(0xFFFF_FFFF_FFFF_F000L, 0x1000), "the last byte of the address space");
        assertFalse(DmaMask.BITS_32.covers(0x1_0000_0000L, 1), "32-bit preset");
        assertTrue(DmaMask.BITS_32.covers(0xFFFF_FFFFL, 1));
        assertTrue(DmaMask.of(0x1000).covers(0x1000, 0), "size 0: addr <= mask");
        assertFalse(DmaMask.of(0x1000).covers(0x1001, 0));
        assertTrue(DmaMask.of(0x0F0F_0FFF).covers(0x100, 0x10), "an arbitrary mask is an upper bound");
    }

    @Test
    void shouldAllocateBelowFourGibForAThirtyTwoBitMask() throws DmaException {
        DmaContainers dev = f.device(0xFFFF_FFFFL);
        try (DArray<Long> a = dev.arrayZero(DmaType.LONG, 1024, DmaDirection.FROM_DEVICE)) {
            assertTrue(Long.compareUnsigned(a.dmaAddr().asLong() + a.bytesLen() - 1, 0xFFFF_FFFFL) <= 0, a.toString());
        }
    }

    @Test
    void shouldBounceABufferAboveTheMaskIntoIt() throws DmaException {
        try (DmaBuffer high = f.memory.allocate(4096, 4096, DmaMemory.NO_LIMIT)) {
            assertTrue(high.physicalAddress() >= 0x1_0000_0000L, "the test machine's NORMAL zone is above 4 GiB: " + high);
            DmaContainers dev = f.device(0xFFFF_FFFFL);
            try (SArrayPtr<Integer> p = dev.mapSingleArray(DmaType.INT, high, 64, DmaDirection.TO_DEVICE)) {
                assertTrue(Long.compareUnsigned(p.dmaAddr().asLong(), 0xFFFF_FFFFL) < 0, "bounce address inside the mask: " + p);
                assertEquals(1, f.direct.liveBounceBuffers());
                high.writeLong(0, 77);
                p.confirmWriteAll();
                assertEquals(77, f.machine.cpu().read64(p.dmaAddr().asLong()), "the device address holds the data");
            }
        }
    }

    @Test
    void shouldRejectAMisalignedDeviceAddressAndReleaseIt() {
        DmaContainers dev = new DmaContainers(DmaMask.BITS_64, new RelocatingDmaOp(f.ops, 0x1004));
        DmaError e = error(() -> dev.boxZeroWithAlign(DmaType.INT, 64, DmaDirection.TO_DEVICE));
        assertEquals(new DmaError.AlignMismatch(64, 0x1004), e);
        assertTrue(e.message().contains("0x1004") && e.message().contains("64"), e.message());
    }

    @Test
    void shouldUseTheLargerOfTheRequestedAndNaturalAlignment() throws DmaException {
        DmaContainers dev = new DmaContainers(DmaMask.BITS_64, new RelocatingDmaOp(f.ops, 0x1004));
        try (DArray<Integer> a = dev.arrayZeroWithAlign(DmaType.INT, 4, 1, DmaDirection.TO_DEVICE)) {
            assertEquals(DmaAddr.of(0x1004), a.dmaAddr(), "align 1 becomes 4 for ints: 0x1004 is fine");
        }
        assertEquals(new DmaError.AlignMismatch(8, 0x1004),
                error(() -> dev.arrayZeroWithAlign(DmaType.LONG, 4, 2, DmaDirection.TO_DEVICE)), "align 2 becomes 8 for longs");
        assertEquals(8, f.ops.calls(RecordingDmaOp.AllocCoherent.class).getLast().align());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 3, 48, -64})
    void shouldRejectAnAlignmentThatIsNotAPowerOfTwo(long align) {
        DmaContainers dev = f.device(-1L);
        DmaError e = error(() -> dev.arrayZeroWithAlign(DmaType.INT, 4, align, DmaDirection.TO_DEVICE));
        assertInstanceOf(DmaError.LayoutError.class, e);
        assertTrue(e.message().contains(Long.toString(align)), e.message());
        assertEquals(0, f.ops.calls().size(), "nothing asked of the platform");
    }

    @Test
    void shouldRejectANegativeLength() {
        DmaError e = error(() -> f.device(-1L).arrayZero(DmaType.INT, -1, DmaDirection.TO_DEVICE));
        assertInstanceOf(DmaError.LayoutError.class, e);
        assertTrue(e.message().contains("-1"), e.message());
    }

    @Test
    void shouldRejectASizeThatOverflows() {
        DmaError e = error(() -> DmaLayout.array(DmaType.LONG, Long.MAX_VALUE / 4, 8));
        assertInstanceOf(DmaError.LayoutError.class, e);
        assertTrue(e.message().contains("overflow"), e.message());
        assertInstanceOf(DmaError.LayoutError.class, error(() -> DmaLayout.of(Long.MAX_VALUE - 2, 8)), "rounding up to the alignment overflows");
    }

    @Test
    void shouldReportNoMemoryAsRetryable() {
        DmaContainers dev = new DmaContainers(DmaMask.BITS_64, RelocatingDmaOp.noMemory(f.ops));
        DmaError e = error(() -> dev.arrayZero(DmaType.INT, 16, DmaDirection.TO_DEVICE));
        assertInstanceOf(DmaError.NoMemory.class, e);
        assertTrue(e.retryable());
        try (DmaBuffer buf = f.memory.allocate(64, 64)) {
            assertInstanceOf(DmaError.NoMemory.class, error(() -> dev.mapSingleArray(DmaType.INT, buf, 4, DmaDirection.TO_DEVICE)));
        }
    }

    @Test
    void shouldReportNoMemoryWhenTheFramesRunOut() {
        // More than the whole test machine (64 MiB below 4 GiB): the allocator has no such block.
        DmaError e = error(() -> f.device(0xFFFF_FFFFL).arrayZero(DmaType.LONG, 32 << 20, DmaDirection.TO_DEVICE));
        assertInstanceOf(DmaError.NoMemory.class, e);
    }

    @Test
    void shouldRejectANullBuffer() {
        assertEquals(new DmaError.NullPointer(), error(() -> f.device(-1L).mapSingleArray(DmaType.INT, null, 4, DmaDirection.TO_DEVICE)));
    }

    @Test
    void shouldRejectAnEmptyBuffer() {
        try (DmaBuffer empty = f.memory.allocate(0, 64)) {
            assertEquals(new DmaError.ZeroSizedBuffer(), error(() -> f.device(-1L).mapSingleArray(DmaType.INT, empty, 4, DmaDirection.TO_DEVICE)));
        }
        assertEquals(0, f.ops.calls().size());
    }

    @Test
    void shouldRejectABufferThatIsNotAWholeNumberOfElements() {
        try (DmaBuffer odd = f.memory.allocate(10, 64)) {
            DmaError e = error(() -> f.device(-1L).mapSingleArray(DmaType.INT, odd, 4, DmaDirection.TO_DEVICE));
            assertInstanceOf(DmaError.LayoutError.class, e);
            assertTrue(e.message().contains("10"), e.message());
        }
    }

    @Test
    void shouldRejectABufferLargerThanTheMaximumSegment() {
        DmaContainers dev = f.device(-1L).withMaxSegmentSize(4096);
        assertEquals(new DmaError.SegmentTooLarge(4100, 4096), error(() -> dev.arrayZero(DmaType.BYTE, 4100, DmaDirection.TO_DEVICE)));
    }

    @Test
    void shouldRejectABufferCrossingTheSegmentBoundary() throws DmaException {
        DmaContainers dev = new DmaContainers(DmaMask.BITS_64, new RelocatingDmaOp(f.ops, 0x1F00)).withSegmentBoundary(0x1000);
        try (DArray<Byte> fits = dev.arrayZero(DmaType.BYTE, 0x100, DmaDirection.TO_DEVICE)) {
            assertEquals(DmaAddr.of(0x1F00), fits.dmaAddr(), "[0x1f00, 0x2000) ends at the boundary");
        }
        assertEquals(new DmaError.BoundaryCross(0x1F00, 0x101, 0x1000),
                error(() -> dev.arrayZero(DmaType.BYTE, 0x101, DmaDirection.TO_DEVICE)));
        try (DmaBuffer buf = f.memory.allocate(0x200, 64)) {
            assertInstanceOf(DmaError.BoundaryCross.class, error(() -> dev.mapSingleArray(DmaType.BYTE, buf, 1, DmaDirection.TO_DEVICE)));
        }
    }

    @Test
    void shouldLetCallersSwitchOverTheErrorExhaustively() {
        DmaError e = new DmaError.DmaMaskNotMatch(0x1000, DmaMask.of(0xFFF));
        String what = switch (e) {
            case DmaError.NoMemory n -> "retry";
            case DmaError.LayoutError l -> "bug";
            case DmaError.DmaMaskNotMatch(long address, DmaMask mask) -> "mask " + DmaAddr.of(address) + " " + Long.toHexString(mask.value());
            case DmaError.AlignMismatch a -> "align";
            case DmaError.NullPointer n -> "null";
            case DmaError.ZeroSizedBuffer z -> "empty";
            case DmaError.SegmentTooLarge s -> "segment";
            case DmaError.BoundaryCross b -> "boundary";
            case DmaError.RingFull r -> "ring";
            case DmaError.MappingFailed m -> "mapping";
            case DmaError.NotMapped n -> "not mapped";
            case DmaError.InUse u -> "in use";
        };
        assertEquals("mask 0x1000 fff", what);
        assertEquals(e.message(), new DmaException(e).getMessage());
    }

    @Test
    void shouldRefuseDirectionNone() {
        var e = assertThrows(IllegalArgumentException.class, () -> f.device(-1L).arrayZero(DmaType.INT, 1, DmaDirection.NONE));
        assertTrue(e.getMessage().contains("NONE"), e.getMessage());
    }

    @Test
    void shouldRefuseAnElementLayoutWithoutTrailingPadding() {
        MemoryLayout unpadded = MemoryLayout.structLayout(java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_INT);
        var e = assertThrows(IllegalArgumentException.class, () -> DmaType.of(unpadded, s -> 0, (s, v) -> { }));
        assertTrue(e.getMessage().contains("padding"), e.getMessage());
    }
}
