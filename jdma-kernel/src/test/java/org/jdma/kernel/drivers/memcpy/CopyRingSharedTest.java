package org.jdma.kernel.drivers.memcpy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.List;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.ring.RingMemory;
import org.jdma.kernel.testing.SoftwareRingDevice;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.spec.memcpy.CompletionStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The copy engine's ring in {@link CopyRing.Threads#SHARED} mode, on one thread (the 4 × 4 run is DmaEngineConcurrencyTest). */
class CopyRingSharedTest {

    private final Machine machine = TestMachines.ramOnly();
    private final DmaMemory memory = TestMachines.dmaMemory(machine);

    @AfterEach
    void tearDown() {
        machine.close();
    }

    private CopyRing sharedRing(SoftwareRingDevice device, int slots) {
        DmaBuffer b = memory.allocate(CopyRingLayout.bytes(slots), 4096);
        RingMemory ringMemory = new RingMemory(machine.cpu(), b.physicalAddress(), b.physicalAddress(), b.length());
        return new CopyRing(ringMemory, device, slots, CopyRing.Threads.SHARED);
    }

    @Test
    void shouldSubmitAndDrainInOrderOnASharedRing() {
        SoftwareRingDevice device = new SoftwareRingDevice(machine.cpu());
        CopyRing ring = sharedRing(device, 4);
        assertEquals(CopyRing.Threads.SHARED, ring.threads());
        Descriptor a = Descriptor.memfill(0x10_0000L, 8, 1);
        Descriptor b = Descriptor.memfill(0x10_0008L, 8, 2);
        assertEquals(2, ring.submit(List.of(a, b)));
        assertEquals(List.of(2), device.doorbells());
        assertTrue(ring.useOf(0x10_0008L, 1).isPresent(), "a descriptor in flight is found");
        device.process(8);
        CompletedDescriptor[] out = new CompletedDescriptor[4];
        assertEquals(2, ring.drain(out));
        assertEquals(List.of(1L, 2L), List.of(out[0].descriptor().pattern(), out[1].descriptor().pattern()));
        assertEquals(List.of(0L, 1L), List.of(out[0].sequence(), out[1].sequence()));
        assertEquals(CompletionStatus.SUCCESS, out[1].status());
        assertTrue(ring.isEmpty());
        ring.close();
    }

    @Test
    void shouldLeaveASharedRingCollectableOnceClosedAndDropped() throws InterruptedException {
        WeakReference<CopyRing> ref = useAndDropASharedRing();
        for (int i = 0; i < 100 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(ref.get(), "the thread that submitted and drained still holds the ring (per-thread scratch keyed by the ring)");
    }

    private WeakReference<CopyRing> useAndDropASharedRing() {
        SoftwareRingDevice device = new SoftwareRingDevice(machine.cpu());
        CopyRing ring = sharedRing(device, 4);
        assertTrue(ring.submit(Descriptor.noop()));
        device.process(1);
        assertEquals(1, ring.drain(new CompletedDescriptor[1]));
        ring.close();
        return new WeakReference<>(ring);
    }
}
