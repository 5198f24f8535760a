package org.jdma.kernel.drivers.memcpy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.spec.memcpy.CompletionStatus;
import org.junit.jupiter.api.Test;

/**
 * Checklist row 72, "SG transfer by engine": the driver hands the engine one descriptor list for a
 * mapped scatter list, and gets one completion for all its fragments.
 */
class CopyEngineSgTest {

    private static final Set<DmaAttr> NONE = EnumSet.noneOf(DmaAttr.class);

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 13 + seed);
        }
        return b;
    }

    /** Three separately allocated fragments (so they are not physically contiguous) holding {@code data} in order. */
    private static ScatterList fragments(Kernel k, byte[] data, int... lengths) {
        ScatterList sg = new ScatterList();
        int off = 0;
        for (int len : lengths) {
            DmaBuffer b = k.memory().allocate(len, 64);
            b.write(0, Arrays.copyOfRange(data, off, off + len));
            sg.add(b.physicalAddress(), len);
            off += len;
        }
        return sg;
    }

    private static byte[] gather(Kernel k, ScatterList sg) {
        byte[] out = new byte[(int) sg.totalLength()];
        int off = 0;
        for (ScatterList.Entry e : sg.entries()) {
            byte[] part = new byte[(int) e.length()];
            k.cpu().read(e.physical(), part);
            System.arraycopy(part, 0, out, off, part.length);
            off += part.length;
        }
        return out;
    }

    @Test
    void shouldCopyAMappedScatterListThroughTheIommuWithOneCompletion() {
        try (Machine m = new Machine(TestMachines.small(1));
             Kernel k = Kernel.boot(m, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT))) {
            CopyEngineDriver driver = k.copyEngine();
            DmaMappingLayer dma = k.mappingLayer();
            DmaDevice dev = new DmaDevice(driver.name(), driver.requester(), false);
            dma.attach(dev);
            byte[] data = pattern(100 + 3000 + 996, 7);
            ScatterList src = fragments(k, data, 100, 3000, 996);
            ScatterList dst = fragments(k, new byte[data.length], 2048, 2048);
            int ns = dma.mapSg(dev, src, src.size(), DmaDirection.TO_DEVICE, NONE);
            int nd = dma.mapSg(dev, dst, dst.size(), DmaDirection.FROM_DEVICE, NONE);
            assertNotEquals(src.get(0).physical(), src.get(0).dmaAddress(), "STRICT: the engine is given IOVAs");
            long irqs = driver.completionInterrupts();
            long completed = driver.status().completed();

            OpResult r = driver.copySg(src, ns, dst, nd);

            assertTrue(r.isSuccess(), r.toString());
            CompletedDescriptor c = r.completed().orElseThrow();
            assertTrue(c.bytesCompleted() >= 2, "a batch of fragments, descriptors completed: " + c.bytesCompleted());
            assertEquals(1, driver.completionInterrupts() - irqs, "one interrupt for the whole transfer");
            assertEquals(1, driver.status().completed() - completed, "one ring descriptor");
            dma.unmapSg(dev, dst, dst.size(), DmaDirection.FROM_DEVICE, NONE);
            dma.unmapSg(dev, src, src.size(), DmaDirection.TO_DEVICE, NONE);
            assertArrayEquals(data, gather(k, dst));
        }
    }

    @Test
    void shouldCutFragmentsWhereEitherListsSegmentsEndAndKeepTheirOrder() {
        try (Machine m = new Machine(TestMachines.small(1)); Kernel k = Kernel.boot(m)) {
            CopyEngineDriver driver = k.copyEngine();
            DmaMappingLayer dma = k.mappingLayer();
            DmaDevice dev = new DmaDevice(driver.name(), driver.requester(), false);
            dma.attach(dev);
            byte[] data = pattern(4096, 3);
            ScatterList src = fragments(k, data, 100, 3000, 996);
            ScatterList dst = fragments(k, new byte[data.length], 2048, 2048);
            int ns = dma.mapSg(dev, src, src.size(), DmaDirection.TO_DEVICE, NONE);
            int nd = dma.mapSg(dev, dst, dst.size(), DmaDirection.FROM_DEVICE, NONE);

            OpResult r = driver.copySg(src, ns, dst, nd);

            assertTrue(r.isSuccess(), r.toString());
            assertEquals(3, ns, "direct mapping keeps separate fragments apart");
            assertEquals(2, nd);
            // Cuts at 100, 2048 and 3100: 4 fragments, in order.
            assertEquals(4, r.completed().orElseThrow().bytesCompleted());
            dma.unmapSg(dev, dst, dst.size(), DmaDirection.FROM_DEVICE, NONE);
            dma.unmapSg(dev, src, src.size(), DmaDirection.TO_DEVICE, NONE);
            assertArrayEquals(data, gather(k, dst));
        }
    }

    @Test
    void shouldReportBatchFailWhenAFragmentFaultsNotSuccess() {
        try (Machine m = new Machine(TestMachines.small(1));
             Kernel k = Kernel.boot(m, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT))) {
            CopyEngineDriver driver = k.copyEngine();
            DmaMappingLayer dma = k.mappingLayer();
            DmaDevice dev = new DmaDevice(driver.name(), driver.requester(), false);
            dma.attach(dev);
            // A first fragment that ends mid-page cannot merge with the next: two fragments, so a batch.
            ScatterList src = fragments(k, pattern(3100, 1), 100, 3000);
            int ns = dma.mapSg(dev, src, src.size(), DmaDirection.TO_DEVICE, NONE);
            long unmappedIova = 0x7000_0000_0000L; // nothing is mapped there: the writes fault in the IOMMU

            OpResult r = driver.copySg(src, ns, unmappedIova);

            assertEquals(2, ns);
            assertFalse(r.isSuccess());
            assertEquals(CompletionStatus.BATCH_FAIL, r.status().orElseThrow(), r.toString());
            assertTrue(driver.status().running(), "a faulting fragment does not stop the engine");
            dma.unmapSg(dev, src, src.size(), DmaDirection.TO_DEVICE, NONE);
        }
    }

    @Test
    void shouldRefuseListsOfDifferentLengthsOrNotMapped() {
        try (Machine m = new Machine(TestMachines.small(1)); Kernel k = Kernel.boot(m)) {
            CopyEngineDriver driver = k.copyEngine();
            DmaMappingLayer dma = k.mappingLayer();
            DmaDevice dev = new DmaDevice(driver.name(), driver.requester(), false);
            dma.attach(dev);
            ScatterList src = fragments(k, pattern(300, 1), 100, 200);
            ScatterList dst = fragments(k, new byte[301], 301);
            var unmapped = assertThrows(IllegalArgumentException.class, () -> driver.copySg(src, 2, dst, 1));
            assertTrue(unmapped.getMessage().contains("source segment 0 is not mapped"), unmapped.getMessage());
            int ns = dma.mapSg(dev, src, src.size(), DmaDirection.TO_DEVICE, NONE);
            int nd = dma.mapSg(dev, dst, dst.size(), DmaDirection.FROM_DEVICE, NONE);
            var sizes = assertThrows(IllegalArgumentException.class, () -> driver.copySg(src, ns, dst, nd));
            assertTrue(sizes.getMessage().contains("300") && sizes.getMessage().contains("301"), sizes.getMessage());
            var count = assertThrows(IllegalArgumentException.class, () -> driver.copySg(src, 0, dst, nd));
            assertTrue(count.getMessage().contains("source count 0"), count.getMessage());
            dma.unmapSg(dev, dst, dst.size(), DmaDirection.FROM_DEVICE, NONE);
            dma.unmapSg(dev, src, src.size(), DmaDirection.TO_DEVICE, NONE);
        }
    }
}
