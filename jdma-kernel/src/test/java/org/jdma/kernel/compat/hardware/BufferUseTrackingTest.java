package org.jdma.kernel.compat.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdma.kernel.drivers.memcpy.CompletedDescriptor;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.testing.SoftwareRingDevice;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine and the mapping table as use trackers: a buffer they still use refuses to be freed. */
class BufferUseTrackingTest {

    private final Machine machine = TestMachines.ramOnly();
    private final DmaMemory memory = TestMachines.dmaMemory(machine);

    @AfterEach
    void tearDown() {
        machine.close();
    }

    @Test
    void shouldRefuseToFreeWhileADescriptorIsInFlight() {
        SoftwareRingDevice device = new SoftwareRingDevice(machine.cpu());
        try (DmaEngine engine = new DmaEngine(TestMachines.device(TestMachines.directDma(memory), "engine"), memory, device, 8, null)) {
            DmaBuffer src = memory.allocate(4096, 64);
            DmaBuffer dst = memory.allocate(4096, 64);
            engine.submitUnchecked(Descriptor.memmove(src.physicalAddress(), dst.physicalAddress() + 4000, 96));
            long free = memory.frames().stats().freeFrames();
            var e = assertThrows(IllegalStateException.class, dst::close);
            assertTrue(e.getMessage().contains("in flight"), e.getMessage());
            assertThrows(IllegalStateException.class, src::close);
            assertFalse(dst.isFreed());
            assertEquals(free, memory.frames().stats().freeFrames(), "nothing freed");
            device.process(1);
            assertThrows(IllegalStateException.class, src::close, "completed but not drained is still the ring's");
            engine.drain(new CompletedDescriptor[1]);
            src.close();
            dst.close();
            assertTrue(src.isFreed() && dst.isFreed());
        }
    }

    @Test
    void shouldRefuseToFreeWhileAMappingCoversIt() {
        MappingTable table = new MappingTable();
        memory.addUseTracker(table);
        DmaBuffer b = memory.allocate(8192, 4096);
        assertTrue(table.map(b.address() + 4096, b.physicalAddress() + 4096, 100));
        var e = assertThrows(IllegalStateException.class, b::close);
        assertTrue(e.getMessage().contains("mapping"), e.getMessage());
        assertTrue(table.unmap(b.address() + 4096));
        b.close();
        assertTrue(b.isFreed());
    }
}
