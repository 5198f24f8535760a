package org.jdma.kernel.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdma.kernel.testing.SoftwareRingDevice;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.spec.memcpy.Opcode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.drivers.memcpy.CompletedDescriptor;
import org.jdma.kernel.drivers.memcpy.CopyRingLayout;
/** Checklist rows 2, 12, 14, 15 (spirit), 17, 18 without an IOMMU. */
class SubmitBufferTest {

    private final Machine machine = TestMachines.ramOnly();
    private final DmaMemory memory = TestMachines.dmaMemory(machine);
    private final SoftwareRingDevice device = new SoftwareRingDevice(machine.cpu());

    @AfterEach
    void tearDown() {
        machine.close();
    }

    /** Test double of an IOMMU: hands out IOVAs from 4 GiB up and remembers live mappings. */
    static class CountingAddressing implements DeviceAddressing {
        final java.util.TreeMap<Long, Long> live = new java.util.TreeMap<>();
        long next = 0x1_0000_0000L;

        @Override
        public long map(DmaBuffer buffer, long align) {
            long a = DeviceAddressing.effectiveAlignment(align);
            long iova = (next + a - 1) & -a;
            next = iova + Math.max(buffer.length(), 1);
            live.put(iova, buffer.physicalAddress());
            return iova;
        }

        @Override
        public boolean unmap(long deviceAddress) {
            return live.remove(deviceAddress) != null;
        }

        @Override
        public boolean translates() {
            return true;
        }

        /** What the test IOMMU gives a device for {@code iova} (the ring block is mapped too). */
        long translate(long iova) {
            var e = live.floorEntry(iova);
            return e == null ? iova : e.getValue() + (iova - e.getKey());
        }
    }

    @Test
    void shouldPrepareDescriptorsFromTheBufferOrVerbatim() {
        try (DmaEngine engine = new DmaEngine(memory, device); DmaBuffer b = memory.allocate(300, 64)) {
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
        try (DmaEngine engine = new DmaEngine(memory, device); DmaBuffer b = memory.allocate(300, 64)) {
            assertEquals(1, engine.submitBuffer(b, Descriptor.VALID, 64));
            device.process(1);
            CompletedDescriptor[] out = new CompletedDescriptor[1];
            assertEquals(1, engine.drain(out));
            assertEquals(b.physicalAddress(), out[0].descriptor().address());
            assertEquals(300, out[0].descriptor().length());
        }
    }

    @Test
    void shouldRefuseAnAlignmentThePhysicalAddressDoesNotHave() {
        try (DmaEngine engine = new DmaEngine(memory, device, 8, DeviceAddressing.physical())) {
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
            buffers.forEach(DmaBuffer::close);
        }
    }

    @Test
    void shouldThrowRingFullAndUndoTheMapping() {
        CountingAddressing iommu = new CountingAddressing();
        SoftwareRingDevice device = new SoftwareRingDevice(machine.cpu(), iommu::translate);
        try (DmaEngine engine = new DmaEngine(memory, device, 4, iommu); DmaBuffer b = memory.allocate(64, 64)) {
            assertEquals(1, iommu.live.size(), "the ring block is mapped for the device");
            for (int i = 0; i < 3; i++) {
                assertEquals(1, engine.submitBuffer(b, Descriptor.VALID, 0));
            }
            assertEquals(4, iommu.live.size());
            long cursor = iommu.next;
            var e = assertThrows(DmaException.class, () -> engine.submitBuffer(b, Descriptor.VALID, 0));
            assertEquals(new DmaError.RingFull(3), e.error());
            assertTrue(e.retryable());
            assertEquals(4, iommu.live.size(), "the mapping made for the refused descriptor was undone (seed bug 4)");
            assertEquals(3, engine.size());
            assertTrue(cursor <= iommu.next);
            device.process(3);
            engine.drain(new CompletedDescriptor[3]);
            assertEquals(1, engine.submitBuffer(b, Descriptor.VALID, 0), "a retry after draining succeeds");
        }
    }

    @Test
    void shouldPassAMappingFailureOnAndSubmitNothing() {
        DeviceAddressing exhausted = new CountingAddressing() {
            @Override
            public long map(DmaBuffer buffer, long align) {
                if (live.isEmpty()) {
                    return super.map(buffer, align); // the ring block
                }
                throw new DmaException(new DmaError.MappingFailed("no IOVA space left"));
            }
        };
        try (DmaEngine engine = new DmaEngine(memory, device, 4, exhausted); DmaBuffer b = memory.allocate(64, 64)) {
            var e = assertThrows(DmaException.class, () -> engine.submitBuffer(b, Descriptor.VALID, 0));
            assertInstanceOf(DmaError.MappingFailed.class, e.error());
            assertEquals(0, engine.size());
            assertEquals(List.of(), device.doorbells());
        }
    }

    @Test
    void shouldUsePhysicalAddressingAndMapNothingWhileTheIommuIsDisabled() {
        CountingAddressing disabled = new CountingAddressing() {
            @Override
            public boolean isEnabled() {
                return false;
            }
        };
        try (DmaEngine engine = new DmaEngine(memory, device, 4, disabled); DmaBuffer b = memory.allocate(64, 64)) {
            assertEquals(1, engine.submitBuffer(b, Descriptor.VALID, 0));
            assertEquals(0, disabled.live.size(), "nothing mapped into a disabled unit (seed bug 4)");
            device.process(1);
            CompletedDescriptor[] out = new CompletedDescriptor[1];
            engine.drain(out);
            assertEquals(b.physicalAddress(), out[0].descriptor().address());
            assertFalse(engine.unmapDescriptor(out[0].descriptor()));
        }
    }

    @Test
    void shouldGiveATranslatingDeviceItsRingAndCompletionRecordsByIovaAndUnmapThemAtClose() {
        CountingAddressing iommu = new CountingAddressing();
        SoftwareRingDevice device = new SoftwareRingDevice(machine.cpu(), iommu::translate);
        DmaEngine engine = new DmaEngine(memory, device, 4, iommu);
        try (DmaBuffer b = memory.allocate(64, 64)) {
            long ringIova = engine.ringDeviceBase();
            assertTrue(ringIova >= 0x1_0000_0000L && ringIova != engine.ringBase());
            assertEquals(engine.ringBase(), iommu.translate(ringIova));
            engine.submitBuffer(b, Descriptor.VALID, 0);
            device.process(1);
            long record = device.fetched().getFirst().completionAddress();
            assertTrue(record >= ringIova && record < ringIova + CopyRingLayout.bytes(4), "completion record named by IOVA");
            assertEquals(1, engine.drain(new CompletedDescriptor[1]));
        } finally {
            engine.close();
        }
        assertEquals(1, iommu.live.size(), "only the buffer's mapping is left; the ring block was unmapped");
    }

    @Test
    void shouldUnmapADescriptorsIovaOnce() {
        CountingAddressing iommu = new CountingAddressing();
        SoftwareRingDevice device = new SoftwareRingDevice(machine.cpu(), iommu::translate);
        try (DmaEngine engine = new DmaEngine(memory, device, 4, iommu); DmaBuffer b = memory.allocate(64, 64)) {
            engine.submitBuffer(b, Descriptor.VALID, 0);
            device.process(1);
            CompletedDescriptor[] out = new CompletedDescriptor[1];
            engine.drain(out);
            Descriptor d = out[0].descriptor();
            assertTrue(d.address() >= 0x1_0000_0000L, "the descriptor carries the IOVA, not the physical address");
            assertTrue(engine.unmapDescriptor(d));
            assertFalse(engine.unmapDescriptor(d));
            assertFalse(engine.unmapIova(d.address()));
        }
    }

    @Test
    void shouldReportNothingToUnmapWithoutAnIommu() {
        try (DmaEngine engine = new DmaEngine(memory, device); DmaBuffer b = memory.allocate(64, 64)) {
            assertFalse(engine.addressing().translates());
            assertFalse(engine.unmapIova(b.physicalAddress()));
            assertFalse(engine.unmapDescriptor(engine.prepareDescriptor(b, Descriptor.VALID)));
        }
    }
}
