package org.jdma.machine.cpu;

import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.jdma.machine.mmio.RegisterAccess;
import org.jdma.machine.mmio.Register;
import org.jdma.machine.mmio.RegisterFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MachineCpuTest {

    static final long MiB = 1L << 20;
    static final long HIGH = 1L << 32;
    static final long LOW_SIZE = 64 * MiB;
    static final long MMIO = 0xE000_0000L;
    static final long HOLE = 0x5000_0000L;

    private final Machine machine = new Machine(MachineConfig.defaults()
            .withRam(List.of(new MachineConfig.Ram("low", 0, LOW_SIZE), new MachineConfig.Ram("high", HIGH, 16 * MiB)))
            .withDevices(List.of()));
    private final MachineCpu cpu = machine.cpu();
    private final RegisterFile regs = new RegisterFile("test");
    private final Register r0 = regs.add(Register.of("R0", 0x0, 4, RegisterAccess.RW, 0xFFFF_FFFFL));
    private final Register r1 = regs.add(Register.of("R1", 0x8, 8, RegisterAccess.RW, -1L));

    MachineCpuTest() {
        machine.physicalMemory().addMmio("test", MMIO, 0x1000, regs);
    }

    @AfterEach
    void close() {
        machine.close();
    }

    @Test
    void shouldStoreAndLoadEveryWidthLittleEndian() {
        cpu.write64(0x1000, 0x0807_0605_0403_0201L);
        for (int i = 0; i < 8; i++) {
            assertEquals(i + 1, cpu.read8(0x1000 + i), "byte " + i);
        }
        assertEquals(0x0201, cpu.read16(0x1000));
        assertEquals(0x0504_0302, cpu.read32(0x1001), "unaligned loads are allowed");
        assertEquals(0x0807_0605, cpu.read32(0x1004));
        cpu.write16(0x2001, 0xBEEF);
        assertEquals(0xEF, cpu.read8(0x2001));
        assertEquals(0xBE, cpu.read8(0x2002));
        cpu.write32(0x3000, 0xA1B2_C3D4);
        assertEquals(0xD4, cpu.read8(0x3000));
        assertEquals(0xA1, cpu.read8(0x3003));
        assertEquals(0x0000_0000_A1B2_C3D4L, cpu.read64(0x3000), "the upper half stays zero");
        cpu.write64(HIGH + 0x10, -2L);
        assertEquals(-2L, cpu.read64(HIGH + 0x10));
        assertEquals(0, cpu.busErrors());
    }

    @Test
    void shouldTruncateStoresToTheirWidthAndZeroExtendNarrowLoads() {
        cpu.write64(0x4000, 0);
        cpu.write8(0x4000, 0x1FF);
        cpu.write16(0x4002, 0x1_8001);
        assertEquals(0x0000_0000_8001_00FFL, cpu.read64(0x4000));
        assertEquals(0xFF, cpu.read8(0x4000), "unsigned, not -1");
        assertEquals(0x8001, cpu.read16(0x4002), "unsigned, not negative");
        cpu.write32(0x4008, -1);
        assertEquals(-1, cpu.read32(0x4008));
        assertEquals(0xFFFF_FFFFL, cpu.read64(0x4008));
    }

    @Test
    void shouldReadAllOnesAndCountABusErrorForUnbackedAddresses() {
        assertEquals(0xFF, cpu.read8(HOLE));
        assertEquals(0xFFFF, cpu.read16(HOLE));
        assertEquals(-1, cpu.read32(HOLE));
        assertEquals(-1L, cpu.read64(HOLE));
        assertEquals(4, cpu.busErrors());
        cpu.write32(HOLE, 5);
        cpu.write64(-8, 5);
        assertEquals(6, cpu.busErrors(), "writes to holes are dropped and counted");
        assertEquals(-1, cpu.read32(LOW_SIZE - 2), "a load that runs off the end of RAM");
        assertEquals(7, cpu.busErrors());
        cpu.write16(LOW_SIZE - 1, 0x1234);
        assertEquals(8, cpu.busErrors());
        assertEquals(0, cpu.read8(LOW_SIZE - 1), "the partial store was dropped whole");
        assertEquals(0, cpu.mmioReads() + cpu.mmioWrites());
    }

    @Test
    void shouldDispatchMmioToTheRegisterFileStallingOnlyReads() {
        long t0 = machine.clock().now();
        cpu.write32(MMIO, 0xCAFE);
        assertEquals(t0, machine.clock().now(), "posted write: no stall");
        assertEquals(0xCAFE, regs.get(r0));
        cpu.write64(MMIO + 8, 0x1122_3344_5566_7788L);
        assertEquals(0x1122_3344_5566_7788L, regs.get(r1));
        assertEquals(0x5566_7788, cpu.read32(MMIO + 8));
        assertEquals(0x1122_3344, cpu.read32(MMIO + 0xC));
        assertEquals(t0 + 2 * machine.config().mmioAccessNs(), machine.clock().now(), "each MMIO read stalls");
        assertEquals(2, cpu.mmioReads());
        assertEquals(2, cpu.mmioWrites());
        assertEquals(0, cpu.read32(MMIO + 0x100), "an offset with no register reads zero, no bus error");
        assertEquals(1, regs.unclaimedAccesses());
        assertEquals(-1, cpu.read32(MMIO + 0xFFE), "an access that leaves the window is a bus error");
        assertEquals(1, cpu.busErrors());
    }

    @Test
    void shouldLetTheDeviceAdvanceDuringAnMmioReadStall() {
        var kernel = machine.eventKernel();
        kernel.schedule(machine.config().mmioAccessNs() - 1, "device updates R0", () -> regs.set(r0, 7));
        kernel.schedule(machine.config().mmioAccessNs() + 1, "too late", () -> regs.set(r0, 8));
        assertEquals(7, cpu.read32(MMIO));
        assertEquals(1, kernel.pendingEvents());
    }

    @Test
    void shouldCopyBulkDataToAndFromRam() {
        byte[] data = new byte[10_000];
        new java.util.SplittableRandom(3).nextBytes(data);
        cpu.write(0x10_0003, data);
        byte[] back = new byte[data.length];
        cpu.read(0x10_0003, back);
        assertArrayEquals(data, back);
        cpu.fill(0x10_0000, 5, (byte) 0x7E);
        assertEquals(0x7E7E, cpu.read16(0x10_0003));
        assertEquals(0x7E, cpu.read8(0x10_0004));
        assertEquals(data[2] & 0xFF, cpu.read8(0x10_0005));
        MemorySegment seg = MemorySegment.ofArray(new byte[16]);
        cpu.read(0x10_0003, seg, 8, 8);
        assertEquals(0x7E, seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 8));
    }

    @Test
    void shouldRejectBulkAccessOutsideOneRamRegionNamingTheAddress() {
        var hole = assertThrows(IllegalArgumentException.class, () -> cpu.read(HOLE, new byte[4]));
        assertTrue(hole.getMessage().contains("0x50000000"), hole.getMessage());
        var mmio = assertThrows(IllegalArgumentException.class, () -> cpu.write(MMIO, new byte[4]));
        assertTrue(mmio.getMessage().contains("0xe0000000"), mmio.getMessage());
        var edge = assertThrows(IllegalArgumentException.class, () -> cpu.fill(LOW_SIZE - 2, 4, (byte) 0));
        assertTrue(edge.getMessage().contains("0x3fffffe"), edge.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cpu.read(0x1000, MemorySegment.ofArray(new byte[4]), 0, -1));
        var acquire = assertThrows(IllegalArgumentException.class, () -> cpu.read32Acquire(MMIO));
        assertTrue(acquire.getMessage().contains("0xe0000000"), acquire.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cpu.write64Release(HOLE, 1));
        assertEquals(0, cpu.read8(LOW_SIZE - 2), "a rejected fill wrote nothing");
        assertEquals(0, cpu.busErrors(), "bulk misuse is a kernel bug, not a bus error");
    }

    @Test
    void shouldOrderStatusWordsWithAcquireAndRelease() {
        cpu.write32Release(0x8000, 0x1234_5678);
        assertEquals(0x1234_5678, cpu.read32Acquire(0x8000));
        assertEquals(0x78, cpu.read8(0x8000), "little-endian");
        cpu.write64Release(HIGH + 0x8000, 0x0102_0304_0506_0708L);
        assertEquals(0x0102_0304_0506_0708L, cpu.read64Acquire(HIGH + 0x8000));
        assertEquals(0x08, cpu.read8(HIGH + 0x8000), "little-endian");
    }
}
