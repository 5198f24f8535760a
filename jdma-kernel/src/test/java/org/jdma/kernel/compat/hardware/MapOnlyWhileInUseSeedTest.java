package org.jdma.kernel.compat.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.drivers.memcpy.CompletedDescriptor;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.testing.FakeIommu;
import org.jdma.kernel.testing.FakeIommuDomain;
import org.jdma.kernel.testing.SoftwareRingDevice;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Checklist row 100 on the seed's {@code DmaEngine}: the engine refuses a descriptor whose address
 * is not currently mapped for the device (the crate's {@code prepare_descriptor_with_phys} behind an
 * IOMMU is exactly that), and unmapping while the descriptor is in flight is an error, not silent
 * corruption; after the drain the same unmap succeeds.
 */
class MapOnlyWhileInUseSeedTest {

    private static final RequesterId ENGINE = CopyEngine.slot(0);

    private final Machine machine = TestMachines.ramOnly();
    private final DmaMemory memory = TestMachines.dmaMemory(machine);
    private final FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
    private final DeviceDmaApi dma = TestMachines.device(TestMachines.iommuDma(memory, new FakeIommu().put(ENGINE, domain)), "engine");
    private final SoftwareRingDevice device = new SoftwareRingDevice(machine.cpu(), iova -> domain.translate(iova).orElse(iova));

    @AfterEach
    void tearDown() {
        machine.close();
    }

    @Test
    void shouldRefuseADescriptorWithARawPhysicalAddressBehindAnIommu() {
        try (DmaEngine engine = new DmaEngine(dma, memory, device, 4, null); DmaBuffer b = memory.allocate(256, 64)) {
            Descriptor raw = engine.prepareDescriptorWithPhys(b.physicalAddress(), 256, Descriptor.VALID);
            DmaException e = assertThrows(DmaException.class, () -> engine.submit(raw));
            DmaError.NotMapped m = assertInstanceOf(DmaError.NotMapped.class, e.error());
            assertEquals(b.physicalAddress(), m.address());
            assertEquals("buffer", m.field());
            assertEquals(0, engine.submittedCount(), "nothing went into the ring");
            assertEquals(1, engine.submitUnchecked(raw), "fault injection still can");
            device.process(1);
            assertEquals(1, engine.drain(new CompletedDescriptor[1]));
        }
    }

    @Test
    void shouldRefuseToUnmapADescriptorInFlightAndUnmapItAfterTheDrain() {
        try (DmaEngine engine = new DmaEngine(dma, memory, device, 4, null); DmaBuffer b = memory.allocate(256, 64)) {
            assertEquals(1, engine.submitBuffer(b, Descriptor.VALID, 64));
            CompletedDescriptor[] out = new CompletedDescriptor[1];
            long iova = memory.pins().find(b.physicalAddress(), 256).orElseThrow().busAddress(); // what submitBuffer mapped
            Descriptor inFlight = new Descriptor(iova, 256, Descriptor.VALID);

            DmaException e = assertThrows(DmaException.class, () -> engine.unmapDescriptor(inFlight));
            assertInstanceOf(DmaError.InUse.class, e.error());
            assertTrue(e.getMessage().contains("sequence 0") && e.getMessage().contains("NOOP buffer"), e.getMessage());
            assertThrows(DmaException.class, () -> engine.unmapIova(iova));
            assertEquals(1, engine.liveMappings(), "the mapping stays");
            assertTrue(domain.translate(iova).isPresent(), "and the device still reaches it");

            device.process(1);
            assertEquals(1, engine.drain(out));
            assertTrue(engine.unmapDescriptor(out[0].descriptor()));
            assertFalse(domain.translate(iova).isPresent());
        }
    }
}
