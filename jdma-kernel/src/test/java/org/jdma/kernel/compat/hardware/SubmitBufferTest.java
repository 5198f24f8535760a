package org.jdma.kernel.compat.hardware;

import org.jdma.machine.dev.memcpy.CopyEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.drivers.memcpy.CompletedDescriptor;
import org.jdma.kernel.drivers.memcpy.CopyRingLayout;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.testing.FakeIommu;
import org.jdma.kernel.testing.FakeIommuDomain;
import org.jdma.kernel.testing.SoftwareRingDevice;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.spec.memcpy.Opcode;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The crate's {@code prepare_descriptor} and {@code submit_buffer}, and the unmaps: every address
 * comes from the device's DMA API, direct (no IOMMU) or through a test IOMMU domain.
 */
class SubmitBufferTest {

    private static final RequesterId ENGINE = CopyEngine.slot(0);

    private final Machine machine = TestMachines.ramOnly();
    private final DmaMemory memory = TestMachines.dmaMemory(machine);
    private final SoftwareRingDevice device = new SoftwareRingDevice(machine.cpu());
    private final DeviceDmaApi direct = TestMachines.device(TestMachines.directDma(memory), "engine");

    @AfterEach
    void tearDown() {
        machine.close();
    }

    /** The device's DMA API through a test IOMMU domain: IOVAs from the top of 48 bits down. */
    private DeviceDmaApi translated(FakeIommuDomain domain) {
        return TestMachines.device(TestMachines.iommuDma(memory, new FakeIommu().put(ENGINE, domain)), "engine");
    }

    /** A software device that reaches the ring through the test domain's translations. */
    private SoftwareRingDevice translatedDevice(FakeIommuDomain domain) {
        return new SoftwareRingDevice(machine.cpu(), iova -> domain.translate(iova).orElse(iova));
    }

    @Test
    void shouldPrepareDescriptorsFromTheBufferOrVerbatim() {
        try (DmaEngine engine = new DmaEngine(direct, memory, device); DmaBuffer b = memory.allocate(300, 64)) {
            assertEquals(new Descriptor(b.physicalAddress(), 300, Descriptor.VALID), engine.prepareDescriptor(b, Descriptor.VALID));
            Descriptor d = engine.prepareDescriptorWithPhys(0x1234_5000L, 77, Descriptor.LAST);
            assertEquals(0x1234_5000L, d.address());
            assertEquals(77, d.length());
            assertEquals(Descriptor.LAST, d.flags());
            assertEquals(Opcode.NOOP, d.opcode());
        }
    }

    @Test
    void shouldSubmitThePhysicalAddressWithoutAnIommu() {
        try (DmaEngine engine = new DmaEngine(direct, memory, device); DmaBuffer b = memory.allocate(300, 64)) {
            assertEquals(1, engine.submitBuffer(b, Descriptor.VALID, 64));
            device.process(1);
            CompletedDescriptor[] out = new CompletedDescriptor[1];
            assertEquals(1, engine.drain(out));
            assertEquals(b.physicalAddress(), out[0].descriptor().address(), "direct DMA: the device address is the physical one");
            assertEquals(300, out[0].descriptor().length());
            assertTrue(engine.unmapDescriptor(out[0].descriptor()), "the dma_map_single it made is undone");
            assertEquals(0, engine.liveMappings());
        }
    }

    @Test
    void shouldRefuseAnAlignmentTheDeviceAddressDoesNotHave() {
        try (DmaEngine engine = new DmaEngine(direct, memory, device, 8, null)) {
            List<DmaBuffer> buffers = new ArrayList<>();
            DmaBuffer odd;
            do {
                odd = memory.allocate(300, 4096);
                buffers.add(odd);
            } while (odd.physicalAddress() % 8192 == 0);
            DmaBuffer b = odd;
            var e = assertThrows(DmaException.class, () -> engine.submitBuffer(b, 0, 8192));
            assertEquals(new DmaError.AlignMismatch(8192, b.physicalAddress()), e.error());
            assertFalse(e.retryable());
            assertThrows(IllegalArgumentException.class, () -> engine.submitBuffer(b, 0, 48));
            assertEquals(0, engine.size());
            assertEquals(0, engine.liveMappings(), "the refused mapping was undone");
            buffers.forEach(DmaBuffer::close);
        }
    }

    @Test
    void shouldThrowRingFullAndUndoTheMapping() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        // The buffer is declared first so it is closed last: the engine's close unmaps what it mapped, then the buffer can go.
        try (DmaBuffer b = memory.allocate(64, 64);
             DmaEngine engine = new DmaEngine(translated(domain), memory, translatedDevice(domain), 4, null)) {
            assertEquals(1, domain.liveAllocations(), "the ring block is mapped for the device");
            for (int i = 0; i < 3; i++) {
                assertEquals(1, engine.submitBuffer(b, Descriptor.VALID, 0));
            }
            assertEquals(4, domain.liveAllocations());
            var e = assertThrows(DmaException.class, () -> engine.submitBuffer(b, Descriptor.VALID, 0));
            assertEquals(new DmaError.RingFull(3), e.error());
            assertTrue(e.retryable());
            assertEquals(4, domain.liveAllocations(), "the mapping made for the refused descriptor was undone");
            assertEquals(3, engine.size());
        }
    }

    @Test
    void shouldPassAMappingFailureOnAndSubmitNothing() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        try (DmaEngine engine = new DmaEngine(translated(domain), memory, device, 4, null); DmaBuffer b = memory.allocate(64, 64)) {
            domain.exhaust(); // after the ring block: no IOVA for anything else
            var e = assertThrows(DmaException.class, () -> engine.submitBuffer(b, Descriptor.VALID, 0));
            assertInstanceOf(DmaError.MappingFailed.class, e.error());
            assertEquals(0, engine.size());
            assertEquals(List.of(), device.doorbells());
        }
    }

    @Test
    void shouldGiveATranslatingDeviceItsRingAndCompletionRecordsByIovaAndUnmapEverythingAtClose() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        SoftwareRingDevice iommuDevice = translatedDevice(domain);
        DmaEngine engine = new DmaEngine(translated(domain), memory, iommuDevice, 4, null);
        try (DmaBuffer b = memory.allocate(64, 64)) {
            long ringIova = engine.ringDeviceBase();
            assertNotEquals(engine.ringBase(), ringIova);
            assertEquals(OptionalLong.of(engine.ringBase()), domain.translate(ringIova));
            engine.submitBuffer(b, Descriptor.VALID, 0);
            iommuDevice.process(1);
            long record = iommuDevice.fetched().getFirst().completionAddress();
            assertTrue(record >= ringIova && record < ringIova + CopyRingLayout.bytes(4), "completion record named by IOVA");
            assertEquals(1, engine.drain(new CompletedDescriptor[1]));
            engine.close();
            assertEquals(0, domain.liveAllocations(), "the ring block and the buffer nobody unmapped are unmapped");
        }
    }

    @Test
    void shouldUnmapADescriptorsIovaOnce() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        SoftwareRingDevice iommuDevice = translatedDevice(domain);
        try (DmaEngine engine = new DmaEngine(translated(domain), memory, iommuDevice, 4, null); DmaBuffer b = memory.allocate(64, 64)) {
            engine.submitBuffer(b, Descriptor.VALID, 0);
            iommuDevice.process(1);
            CompletedDescriptor[] out = new CompletedDescriptor[1];
            engine.drain(out);
            Descriptor d = out[0].descriptor();
            assertNotEquals(b.physicalAddress(), d.address(), "the descriptor carries the IOVA, not the physical address");
            assertEquals(OptionalLong.of(b.physicalAddress()), domain.translate(d.address()));
            assertTrue(engine.unmapDescriptor(d));
            assertFalse(engine.unmapDescriptor(d));
            assertFalse(engine.unmapIova(d.address()));
            assertTrue(domain.translate(d.address()).isEmpty());
        }
    }

    @Test
    void shouldReportNothingToUnmapThatSubmitBufferDidNotMap() {
        try (DmaEngine engine = new DmaEngine(direct, memory, device); DmaBuffer b = memory.allocate(64, 64)) {
            assertFalse(engine.unmapIova(b.physicalAddress()));
            assertFalse(engine.unmapDescriptor(engine.prepareDescriptor(b, Descriptor.VALID)));
        }
    }
}
