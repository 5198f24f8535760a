package org.jdma.kernel.compat.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.CompletedDescriptor;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.iommu.iova.IovaAllocator;
import org.jdma.kernel.iommu.vtd.VtdDomain;
import org.jdma.kernel.testing.SoftwareRingDevice;
import org.junit.jupiter.api.Test;
import org.jdma.kernel.dma.DmaError;

import org.jdma.kernel.testing.BootedMachine;
/**
 * Seed 000's {@code submit_buffer} through the real IOMMU: checklist rows 13-17, with a DmaEngine
 * over the copy engine driver's ring (addresses from the driver's DMA API) and with seed 000's
 * IommuController as the source of IOVAs.
 */
class SubmitBufferThroughIommuTest {

    /** Submits one NOOP naming {@code b}, lets the device complete it, and drains it. */
    static CompletedDescriptor submitAndDrain(BootedMachine m, CopyEngineDriver driver, DmaBuffer b) {
        DmaEngine engine = DmaEngine.over(driver, m.kernel.memory());
        long seq = engine.submittedCount();
        assertEquals(1, engine.submitBuffer(b, Descriptor.VALID, 0));
        assertTrue(m.machine.clock().runUntil(() -> engine.isComplete(seq), 1_000_000_000L));
        CompletedDescriptor[] out = new CompletedDescriptor[1];
        assertEquals(1, driver.drain(out));
        return out[0];
    }

    @Test
    void shouldNameAFreshIovaThatTheUnitTranslatesToTheBuffer() { // row 13
        try (BootedMachine m = new BootedMachine(IommuMode.STRICT)) {
            CopyEngineDriver driver = m.kernel.copyEngine();
            IommuDomain domain = m.kernel.iommu().domainOf(BootedMachine.COPY_ENGINE).orElseThrow();
            DmaBuffer b = m.kernel.memory().allocate(8192, 4096);
            CompletedDescriptor done = submitAndDrain(m, driver, b);
            long iova = done.descriptor().address();
            assertTrue(iova != b.physicalAddress(), "a device address, not the physical one");
            assertTrue(done.isSuccess(), done.toString());
            assertEquals(OptionalLong.of(b.physicalAddress()), domain.translate(iova));
            assertEquals(OptionalLong.of(b.physicalAddress() + 8191), domain.translate(iova + 8191));
            assertTrue(driver.ring().ringDeviceBase() != driver.ring().ringBase(), "the ring is reached by IOVA too");
        }
    }

    @Test
    void shouldUndoTheMappingWhenTheRingIsFull() { // rows 14, 15
        try (BootedMachine m = new BootedMachine(IommuMode.STRICT)) {
            DmaEngine engine = DmaEngine.over(m.kernel.copyEngine(), m.kernel.memory());
            VtdDomain domain = VtdDomain.of(m.kernel.iommu(), BootedMachine.COPY_ENGINE).orElseThrow();
            DmaBuffer b = m.kernel.memory().allocate(4096, 4096);
            // Fill the ring without letting the machine run: the device fetches nothing.
            List<Descriptor> noops = new ArrayList<>();
            for (int i = 0; i < engine.capacity() - 1; i++) {
                noops.add(new Descriptor(0, 0, Descriptor.VALID));
            }
            assertEquals(engine.capacity() - 1, engine.submit(noops));
            int mappings = engine.liveMappings();
            IovaAllocator iova = domain.iovaAllocator();
            // The page the next 32-bit allocation would take (top-down): free again right away.
            long probe = iova.allocate(1, 0xFFFF_FFFFL / 4096);
            iova.free(probe, 1);
            DmaException e = assertThrows(DmaException.class, () -> engine.submitBuffer(b, Descriptor.VALID, 0));
            assertInstanceOf(DmaError.RingFull.class, e.error());
            assertEquals(mappings, engine.liveMappings(), "the mapping made for the refused descriptor is gone");
            assertFalse(iova.isAllocated(probe),
                    "and its IOVA is free again");
        }
    }

    @Test
    void shouldUsePhysicalAddressesWhenTheIommuIsPresentButOff() { // row 16
        try (BootedMachine m = new BootedMachine(IommuMode.OFF)) {
            CopyEngineDriver driver = m.kernel.copyEngine();
            DmaBuffer b = m.kernel.memory().allocate(4096, 4096);
            assertEquals(b.physicalAddress(), submitAndDrain(m, driver, b).descriptor().address());
            IommuController c = IommuController.probe(m.kernel, BootedMachine.COPY_ENGINE).orElseThrow();
            assertFalse(c.init(), "the unit answers but does not translate");
            try (DmaEngine seedEngine = DmaEngine.over(m.kernel.copyEngine(), m.kernel.memory(), c)) {
                assertEquals(1, seedEngine.submitBuffer(b, Descriptor.VALID, 0));
                assertEquals(0, c.mappingCount(), "never maps into a unit that is not enabled (seed bug 4)");
                assertEquals(seedEngine.ringBase(), seedEngine.ringDeviceBase(), "no IOMMU translates: the ring's address is physical");
            }
        }
    }

    @Test
    void shouldUnmapADescriptorsIovaOnceThroughTheSeedController() { // rows 13, 17 with seed 000's controller
        try (BootedMachine m = new BootedMachine(IommuMode.STRICT)) {
            IommuController c = IommuController.probe(m.kernel, BootedMachine.COPY_ENGINE).orElseThrow();
            assertTrue(c.init());
            // A software device that reaches its ring through the device's domain (the DMA API maps
            // the ring) and the buffers through the controller's translations.
            VtdDomain domain = VtdDomain.of(m.kernel.iommu(), BootedMachine.COPY_ENGINE).orElseThrow();
            var device = new SoftwareRingDevice(m.kernel.cpu(), v -> c.translateIova(v).orElseGet(() -> domain.translate(v).orElse(v)));
            var dma = org.jdma.kernel.testing.TestMachines.device(m.kernel.dma(), "seed engine");
            try (DmaEngine engine = new DmaEngine(dma, m.kernel.memory(), device, 8, c)) {
                DmaBuffer b = m.kernel.memory().allocate(4096, 4096);
                assertEquals(0, c.mappingCount(), "the ring is the DMA API's, not the controller's");
                assertEquals(1, engine.submitBuffer(b, Descriptor.VALID, 4096));
                assertEquals(1, c.mappingCount());
                device.process(1);
                CompletedDescriptor[] out = new CompletedDescriptor[1];
                assertEquals(1, engine.drain(out));
                Descriptor d = out[0].descriptor();
                long iova = d.address();
                assertTrue(iova >= IommuController.IOVA_BASE && iova < IommuController.IOVA_LIMIT && iova % 4096 == 0,
                        "an aligned IOVA in the seed's window: " + Long.toHexString(iova));
                assertEquals(OptionalLong.of(b.physicalAddress()), c.translateIova(iova));
                assertTrue(engine.unmapDescriptor(d));
                assertFalse(engine.unmapDescriptor(d), "second time: nothing to unmap");
                assertTrue(c.translateIova(iova).isEmpty());
            }
        }
    }
}
