package org.jdma.kernel.mm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.jdma.kernel.testing.Seed;
import org.jdma.kernel.testing.Seeds;
import org.jdma.kernel.testing.SoftwareRingDevice;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Allocation and accessors, real physical addresses, free safety (the trackers' side is in the engine's tests). */
class DmaBufferTest {

    @RegisterExtension
    static final Seeds SEEDS = new Seeds();

    private final Machine machine = TestMachines.ramOnly();
    private final DmaMemory memory = TestMachines.dmaMemory(machine);

    @AfterEach
    void tearDown() {
        machine.close();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 8, 64, 4096, 8192, 65536, 1 << 20})
    void shouldAlignThePhysicalAddress(long align) {
        // A small buffer first, so the next one does not start at an aligned address by luck.
        try (DmaBuffer pad = memory.allocate(100, 1); DmaBuffer b = memory.allocate(100, align)) {
            assertEquals(0, b.physicalAddress() % align, b.toString());
            assertNotEquals(pad.physicalAddress(), b.physicalAddress());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -4096, 3, 100, 4097})
    void shouldRejectAnAlignmentThatIsNotAPowerOfTwo(long align) {
        var e = assertThrows(IllegalArgumentException.class, () -> memory.allocate(64, align));
        assertTrue(e.getMessage().contains(Long.toString(align)), e.getMessage());
    }

    @Test
    void shouldRejectANegativeSize() {
        assertThrows(IllegalArgumentException.class, () -> memory.allocate(-1, 64));
    }

    @Test
    void shouldReportConsistentAccessors() {
        try (DmaBuffer b = memory.allocate(5000, 64)) {
            assertEquals(5000, b.length());
            assertFalse(b.isEmpty());
            assertEquals(b.physicalAddress() >>> 12, b.frame());
            assertEquals(DirectMap.PAGE_OFFSET + b.physicalAddress(), b.address());
            assertNotEquals(b.physicalAddress(), b.address(), "the virtual address is not reused as physical (seed bug 5)");
            assertEquals(8192, b.blockSize(), "two frames hold 5000 bytes");
            assertEquals(1, b.order());
        }
        try (DmaBuffer empty = memory.allocate(0, 8)) {
            assertTrue(empty.isEmpty());
            assertEquals(0, empty.length());
        }
    }

    @Test
    void shouldTakeFramesFromTheAllocatorAndGiveThemBack() {
        long free = memory.frames().stats().freeFrames();
        DmaBuffer b = memory.allocate(3 * 4096, 4096);
        assertEquals(free - 4, memory.frames().stats().freeFrames(), "3 frames round up to an order-2 block");
        b.close();
        assertEquals(free, memory.frames().stats().freeFrames());
        assertTrue(b.isFreed());
        b.close();
        assertEquals(free, memory.frames().stats().freeFrames(), "closing twice frees once");
    }

    @Test
    void shouldHonourTheDmaMaskWhenChoosingFrames() {
        try (DmaBuffer low = memory.allocate(4096, 4096, DmaMemory.LIMIT_4GIB);
             DmaBuffer any = memory.allocate(4096, 4096, DmaMemory.NO_LIMIT)) {
            assertTrue(low.physicalAddress() + low.length() <= 1L << 32);
            assertTrue(any.physicalAddress() >= TestMachines.HIGH_BASE, "64-bit devices take NORMAL frames first");
            assertEquals(DmaMemory.LIMIT_4GIB, low.physicalLimit());
        }
    }

    @Test
    void shouldTakeZoneDmaForALimitBelow4GiBWhenDma32CannotMeetIt() {
        try (DmaBuffer isa = memory.allocate(4096, 4096, DmaMemory.LIMIT_16MIB)) {
            assertTrue(isa.physicalAddress() + isa.length() <= Zone.DMA.end(), Long.toHexString(isa.physicalAddress()));
        }
        long limit25 = (1L << 25) - 1;
        try (DmaBuffer mid = memory.allocate(4096, 4096, limit25)) {
            assertTrue(mid.physicalAddress() >= Zone.DMA32.start() && mid.physicalAddress() < limit25,
                    "DMA32's lowest block is inside a 25-bit limit: " + Long.toHexString(mid.physicalAddress()));
        }
        long filler = memory.frames().allocateBytes(16L << 20, Zone.DMA32);
        try (DmaBuffer low = memory.allocate(4096, 4096, limit25)) {
            assertTrue(low.physicalAddress() < Zone.DMA.end(), "DMA32 landed above the limit, so zone DMA: "
                    + Long.toHexString(low.physicalAddress()));
            assertEquals(limit25, low.physicalLimit());
        } finally {
            memory.frames().free(filler, FrameAllocator.orderFor(16L << 20));
        }
    }

    @Test
    void shouldRefuseALimitNoZoneLiesBelowNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> memory.allocate(4096, 4096, DmaMemory.LIMIT_16MIB - 1));
        assertEquals("no zone lies at or below the physical limit 0xfffffe: the lowest zone, DMA, reaches up to 0xffffff (16 MiB)",
                e.getMessage());
    }

    @Test
    void shouldHandOutZeroedMemoryEvenWhenFramesAreReused() {
        DmaBuffer first = memory.allocate(4096, 4096, DmaMemory.LIMIT_4GIB);
        long phys = first.physicalAddress();
        first.fill(0, 4096, (byte) 0x5A);
        first.close();
        try (DmaBuffer second = memory.allocate(4096, 4096, DmaMemory.LIMIT_4GIB)) {
            assertEquals(phys, second.physicalAddress(), "the buddy allocator hands the lowest free block back");
            assertArrayEquals(new byte[4096], second.toByteArray());
        }
    }

    @Test
    void shouldReadBackWhatItWroteThroughTheCpu(@Seed(0x5EED_0B0FL) long seed) {
        byte[] data = new byte[1000];
        new SplittableRandom(seed).nextBytes(data);
        try (DmaBuffer b = memory.allocate(1000, 64)) {
            b.write(0, data);
            assertArrayEquals(data, b.toByteArray(), "seed " + seed);
            byte[] direct = new byte[1000];
            machine.cpu().read(b.physicalAddress(), direct);
            assertArrayEquals(data, direct, "seed " + seed + ": bytes are at the physical address");
            b.writeLong(992, 0x0102_0304_0506_0708L);
            assertEquals(0x08, b.readByte(992), "little-endian");
            assertEquals(0x0102_0304_0506_0708L, b.readLong(992));
        }
    }

    @Test
    void shouldRejectAccessOutsideTheBufferOrAfterClose() {
        DmaBuffer b = memory.allocate(100, 64);
        assertThrows(IndexOutOfBoundsException.class, () -> b.read(90, new byte[11]));
        assertThrows(IndexOutOfBoundsException.class, () -> b.readLong(93));
        assertThrows(IndexOutOfBoundsException.class, () -> b.writeByte(-1, 0));
        b.close();
        assertThrows(IllegalStateException.class, () -> b.readByte(0));
    }

}
