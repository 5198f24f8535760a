package org.jdma.kernel.compat.dmaapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaMask;

/**
 * The containers on the default machine, booted, with the copy engine as the device: what the
 * device reads at a container's {@link DmaAddr} is what the CPU wrote through it, and what it
 * writes there is what the CPU reads back (rows 76, 77, 81, 82). Bounce round trips in each
 * direction for a buffer above a 32-bit mask. Runs on {@link DirectDmaOp} over the kernel's
 * {@code DmaMemory}; the DMA-mapping layer's {@code DmaApi} is another branch.
 */
class RealMachineTest {

    private final Machine machine = Machine.createDefault();
    private final Kernel kernel = Kernel.boot(machine);
    private final DirectDmaOp direct = new DirectDmaOp(kernel.copyEngine().dma(), kernel.memory());
    private final RecordingDmaOp ops = new RecordingDmaOp(direct);
    private final DmaContainers dev = new DmaContainers(DmaMask.of(0xFFFF_FFFFL), ops);
    private final CopyEngineDriver engine = kernel.copyEngine();

    @AfterEach
    void tearDown() {
        assertEquals(0, direct.liveCoherent() + direct.liveMappings() + direct.liveBounceBuffers(), "everything released");
        kernel.close();
        machine.close();
    }

    private void deviceCopy(DmaAddr from, DmaAddr to, long bytes) {
        OpResult r = engine.execute(Descriptor.memmove(from.asLong(), to.asLong(), bytes));
        assertTrue(r.isSuccess(), "copy engine: " + r);
    }

    @Test
    void shouldLetTheDeviceReadWhatTheCpuWroteAndTheCpuReadWhatTheDeviceWrote() throws DmaException {
        long seed = 0xC0FFEE_0004L;
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Long> values = new ArrayList<>();
        for (int i = 0; i < 512; i++) {
            values.add(rnd.nextLong());
        }
        try (DArray<Long> src = dev.arrayZeroWithAlign(DmaType.LONG, 512, 64, DmaDirection.TO_DEVICE);
             DArray<Long> dst = dev.arrayZeroWithAlign(DmaType.LONG, 512, 64, DmaDirection.FROM_DEVICE)) {
            src.copyFromSlice(values);
            deviceCopy(src.dmaAddr(), dst.dmaAddr(), src.bytesLen());
            List<Long> seen = new ArrayList<>();
            dst.forEach(seen::add);
            assertEquals(values, seen, "seed " + seed);
        }
    }

    @Test
    void shouldBounceToTheDeviceABufferAboveTheMask() throws DmaException {
        try (DmaBuffer high = kernel.memory().allocate(8192, 4096, DmaMemory.NO_LIMIT);
             DArray<Integer> dst = dev.arrayZero(DmaType.INT, 2048, DmaDirection.FROM_DEVICE)) {
            assertTrue(high.physicalAddress() >= 0x1_0000_0000L, "the default machine's NORMAL zone is above 4 GiB: " + high);
            try (SArrayPtr<Integer> p = dev.mapSingleArray(DmaType.INT, high, 64, DmaDirection.TO_DEVICE)) {
                assertTrue(Long.compareUnsigned(p.dmaAddr().asLong(), 0xFFFF_FFFFL) <= 0, "bounced below 4 GiB: " + p);
                List<Integer> data = new ArrayList<>();
                for (int i = 0; i < 2048; i++) {
                    data.add(i * 31 + 7);
                }
                p.copyFromSlice(data); // writes the original, then confirmWrite: copy into the bounce buffer, flush it
                deviceCopy(p.dmaAddr(), dst.dmaAddr(), 8192);
                assertEquals(data.subList(0, 3), List.of(dst.read(0).orElseThrow(), dst.read(1).orElseThrow(), dst.read(2).orElseThrow()));
                assertEquals(data.get(2047), dst.read(2047).orElseThrow());
            }
        }
    }

    @Test
    void shouldBounceFromTheDeviceOnlyOnceTheCpuPreparesToRead() throws DmaException {
        try (DmaBuffer high = kernel.memory().allocate(4096, 4096, DmaMemory.NO_LIMIT);
             DArray<Long> src = dev.arrayZero(DmaType.LONG, 512, DmaDirection.TO_DEVICE)) {
            for (int i = 0; i < 512; i++) {
                src.set(i, 0x1000L + i);
            }
            try (SArrayPtr<Long> p = dev.mapSingleArray(DmaType.LONG, high, 64, DmaDirection.FROM_DEVICE)) {
                assertNotEquals(high.physicalAddress(), p.dmaAddr().asLong());
                deviceCopy(src.dmaAddr(), p.dmaAddr(), 4096);
                assertEquals(0L, high.readLong(8), "the device wrote the bounce copy; the original is not synced yet");
                List<Long> seen = p.toVec(); // prepareRead: invalidate the bounce range, copy it back
                assertEquals(0x1001L, seen.get(1));
                assertEquals(0x1000L + 511, high.readLong(511 * 8L), "the original now holds what the device wrote");
            }
        }
    }

    @Test
    void shouldMapABufferInsideTheMaskInPlace() throws DmaException {
        try (DmaBuffer low = kernel.memory().allocate(4096, 4096, DmaMemory.LIMIT_4GIB);
             DArray<Byte> dst = dev.arrayZero(DmaType.BYTE, 4096, DmaDirection.FROM_DEVICE)) {
            low.fill(0, 4096, (byte) 0x5A);
            try (SArrayPtr<Byte> p = dev.mapSingleArray(DmaType.BYTE, low, 4096, DmaDirection.TO_DEVICE)) {
                assertEquals(low.physicalAddress(), p.dmaAddr().asLong(), "no bounce, no bus offset: device address = physical");
                p.confirmWriteAll();
                deviceCopy(p.dmaAddr(), dst.dmaAddr(), 4096);
                assertEquals((byte) 0x5A, dst.read(4095).orElseThrow());
            }
        }
    }
}
