package org.jdma.kernel.drivers.memcpy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.memcpy.Opcode;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;
import org.junit.jupiter.api.Test;

/**
 * Checklist row 23, "chained descriptors / LAST": the driver runs a list of descriptors ending in
 * LAST as one chain, through the IOMMU, with one completion and one interrupt; a failed link is
 * named, and the chain can be resumed from it.
 */
class CopyEngineChainDriverTest {

    private static final int SIZE = 4096;

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 29 + seed);
        }
        return b;
    }

    private static Descriptor last(Descriptor d) {
        return d.withFlags(d.flags() | Descriptor.LAST);
    }

    @Test
    void shouldRunThreeLinksEndingInLastAsOneTransferWithOneInterrupt() {
        try (Machine m = new Machine(TestMachines.small(1));
             Kernel k = Kernel.boot(m, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT))) {
            CopyEngineDriver driver = k.copyEngine();
            DeviceDmaApi dma = driver.dma();
            byte[] data = pattern(SIZE, 3);
            DmaBuffer src = k.memory().allocate(SIZE, 64);
            DmaBuffer dst = k.memory().allocate(SIZE, 64);
            src.write(0, data);
            long s = dma.mapSingle(src.physicalAddress(), SIZE, DmaDirection.TO_DEVICE);
            long d = dma.mapSingle(dst.physicalAddress(), SIZE, DmaDirection.FROM_DEVICE);
            long irqs = driver.completionInterrupts();
            long ringDescriptors = driver.status().completed();

            OpResult r = driver.copyChain(List.of(
                    Descriptor.memmove(s, d, 1024),
                    Descriptor.memmove(s + 1024, d + 1024, 2048),
                    last(Descriptor.memfill(d + 3072, 1024, 0x5A5A_5A5A_5A5A_5A5AL))));

            dma.unmapSingle(d, SIZE, DmaDirection.FROM_DEVICE);
            dma.unmapSingle(s, SIZE, DmaDirection.TO_DEVICE);
            assertTrue(r.isSuccess(), r.toString());
            CompletedDescriptor c = r.completed().orElseThrow();
            assertEquals(Opcode.CHAIN, c.descriptor().opcode());
            assertEquals(3, c.bytesCompleted(), "links completed");
            assertEquals(ChainProgress.NONE, c.chain());
            byte[] expected = data.clone();
            Arrays.fill(expected, 3072, SIZE, (byte) 0x5A);
            byte[] got = new byte[SIZE];
            dst.read(0, got);
            assertArrayEquals(expected, got);
            assertEquals(1, driver.completionInterrupts() - irqs, "one interrupt for the chain");
            assertEquals(1, driver.status().completed() - ringDescriptors, "one ring descriptor");
        }
    }

    @Test
    void shouldNameTheFailedLinkSoTheCallerCanResumeTheChainFromIt() {
        try (Machine m = new Machine(TestMachines.small(1));
             Kernel k = Kernel.boot(m, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT))) {
            CopyEngineDriver driver = k.copyEngine();
            DeviceDmaApi dma = driver.dma();
            byte[] data = pattern(SIZE, 11);
            DmaBuffer src = k.memory().allocate(SIZE, 64);
            DmaBuffer dst = k.memory().allocate(SIZE, 64);
            src.write(0, data);
            long s = dma.mapSingle(src.physicalAddress(), SIZE, DmaDirection.TO_DEVICE);
            long d = dma.mapSingle(dst.physicalAddress(), SIZE, DmaDirection.FROM_DEVICE);
            long unmappedIova = 0x7000_0000_0000L; // the middle link writes where nothing is mapped
            List<Descriptor> links = new ArrayList<>(List.of(
                    Descriptor.memmove(s, d, 1024),
                    Descriptor.memmove(s + 1024, unmappedIova, 1024),
                    last(Descriptor.memmove(s + 2048, d + 2048, 2048))));

            DmaException refused = assertThrows(DmaException.class, () -> driver.copyChain(links));
            assertTrue(refused.error() instanceof DmaError.NotMapped, refused.toString());
            assertTrue(refused.getMessage().contains("link 1 MEMMOVE destination") && refused.getMessage().contains("0x700000000000"),
                    refused.getMessage());

            // Past the kernel's check, the engine faults at the link and names it.
            OpResult r = driver.copyChainUnchecked(links);

            CompletedDescriptor c = r.completed().orElseThrow();
            assertEquals(CompletionStatus.PAGE_FAULT_NOBOF, c.status());
            assertTrue(c.faultOnWrite());
            assertEquals(unmappedIova, c.faultAddress());
            assertEquals(1, c.bytesCompleted(), "one link completed: link 1 failed");
            assertEquals(c.descriptor().address() + 64, c.chain().failedLinkAddress(), "the second link, by device address");
            assertEquals(0, c.chain().linkBytesCompleted());

            // Resume from the failed link, with the destination it should have had.
            links.set(1, Descriptor.memmove(s + 1024, d + 1024, 1024));
            OpResult resumed = driver.copyChain(links.subList((int) c.bytesCompleted(), links.size()));
            assertTrue(resumed.isSuccess(), resumed.toString());
            dma.unmapSingle(d, SIZE, DmaDirection.FROM_DEVICE);
            dma.unmapSingle(s, SIZE, DmaDirection.TO_DEVICE);
            byte[] got = new byte[SIZE];
            dst.read(0, got);
            assertArrayEquals(data, got);
        }
    }

    @Test
    void shouldRefuseAChainWhoseLastFlagIsMissingOrMisplaced() {
        try (Machine m = new Machine(TestMachines.small(1)); Kernel k = Kernel.boot(m)) {
            CopyEngineDriver driver = k.copyEngine();
            Descriptor a = Descriptor.noop();
            var missing = assertThrows(IllegalArgumentException.class, () -> driver.copyChain(List.of(a, a)));
            assertTrue(missing.getMessage().contains("link 1 ends the chain but lacks LAST"), missing.getMessage());
            var early = assertThrows(IllegalArgumentException.class, () -> driver.copyChain(List.of(last(a), a, last(a))));
            assertTrue(early.getMessage().contains("link 0 has LAST but 2 links follow it"), early.getMessage());
            assertThrows(IllegalArgumentException.class, () -> driver.copyChain(List.of()));
            var batch = assertThrows(IllegalArgumentException.class,
                    () -> driver.copyChain(List.of(last(Descriptor.batch(0x1000, 2)))));
            assertTrue(batch.getMessage().contains("BATCH cannot be a chain link"), batch.getMessage());
            assertTrue(driver.copyChain(List.of(last(a))).isSuccess(), "a chain of one");
        }
    }

    @Test
    void shouldCompleteADrainOnlyAfterEveryEarlierAsynchronousDescriptor() {
        try (Machine m = new Machine(TestMachines.small(1)); Kernel k = Kernel.boot(m)) {
            CopyEngineDriver driver = k.copyEngine();
            assertEquals(3, driver.submit(Descriptor.noop(), Descriptor.noop(), Descriptor.noop()));
            OpResult r = driver.drainEngine();
            assertTrue(r.isSuccess(), r.toString());
            assertEquals(Opcode.DRAIN, r.completed().orElseThrow().descriptor().opcode());
            CompletedDescriptor[] out = new CompletedDescriptor[8];
            assertEquals(3, driver.drain(out), "the three were complete when the drain completed");
            for (int i = 0; i < 3; i++) {
                assertTrue(out[i].isSuccess());
                assertTrue(out[i].sequence() < r.completed().orElseThrow().sequence());
            }
        }
    }
}
