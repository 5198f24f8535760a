package org.jdma.kernel.drivers.memcpy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.testing.SoftwareRingDevice;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.spec.memcpy.CompletionStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link CopyRing#drain(CompletionView.Handler, int)}: the drain that shows completions through a view. */
class CopyRingDrainTest {

    private final Machine machine = TestMachines.ramOnly();
    private final DmaMemory memory = TestMachines.dmaMemory(machine);
    private final DeviceDmaApi dma = TestMachines.device(TestMachines.directDma(memory), "ring-test");
    private final SoftwareRingDevice device = new SoftwareRingDevice(machine.cpu());
    private final CopyRing ring = new CopyRing(dma, machine.cpu(), device, 8);

    @AfterEach
    void tearDown() {
        ring.close();
        machine.close();
    }

    @Test
    void shouldShowWhatTheArrayDrainReturns() {
        Descriptor a = Descriptor.noop();
        Descriptor b = Descriptor.noop();
        device.statusFor(e -> CompletionStatus.SUCCESS.code());
        assertEquals(2, ring.submit(List.of(a, b)));
        device.process(2);
        List<CompletedDescriptor> seen = new ArrayList<>();
        List<Descriptor> submitted = new ArrayList<>();
        assertEquals(2, ring.drain(c -> {
            submitted.add(c.submitted());
            seen.add(c.toCompleted());
        }, 8));
        assertSame(a, submitted.get(0));
        assertSame(b, submitted.get(1));
        assertEquals(List.of(0L, 1L), List.of(seen.get(0).sequence(), seen.get(1).sequence()));
        assertEquals(List.of(0, 1), List.of(seen.get(0).slot(), seen.get(1).slot()));
        assertEquals(CompletionStatus.SUCCESS, seen.get(1).status());
        assertTrue(seen.get(0).descriptor().hasFlag(Descriptor.DONE), "a copied-out completion carries DONE as drain(array) gives it");
        assertTrue(ring.isEmpty());
    }

    @Test
    void shouldNameTheErrorStatusTheEngineWrote() {
        device.statusFor(e -> CompletionStatus.XFER_ERANGE.code());
        assertTrue(ring.submit(Descriptor.noop()));
        device.process(1);
        List<String> seen = new ArrayList<>();
        ring.drain(c -> seen.add(c.status() + " error=" + c.isError() + " DONE|ERROR=" + c.toCompleted().descriptor().hasFlag(Descriptor.ERROR)), 1);
        assertEquals(List.of("XFER_ERANGE error=true DONE|ERROR=true"), seen);
    }

    @Test
    void shouldReapNoMoreThanTheLimit() {
        for (int i = 0; i < 3; i++) {
            assertTrue(ring.submit(Descriptor.noop()));
        }
        device.process(3);
        List<Long> seen = new ArrayList<>();
        assertEquals(2, ring.drain(c -> seen.add(c.sequence()), 2));
        assertEquals(List.of(0L, 1L), seen);
        assertEquals(1, ring.size());
        assertEquals(0, ring.drain(c -> seen.add(c.sequence()), 0));
        assertEquals(1, ring.drain(c -> seen.add(c.sequence()), 8));
        assertEquals(List.of(0L, 1L, 2L), seen);
    }

    @Test
    void shouldShowEveryReapedCompletionAndRethrowTheFirstFailure() {
        for (int i = 0; i < 3; i++) {
            assertTrue(ring.submit(Descriptor.noop()));
        }
        device.process(3);
        List<Long> seen = new ArrayList<>();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> ring.drain(c -> {
            seen.add(c.sequence());
            if (c.sequence() != 1) {
                throw new IllegalStateException("handler failed at " + c.sequence());
            }
        }, 8));
        assertEquals("handler failed at 0", thrown.getMessage());
        assertEquals("handler failed at 2", thrown.getSuppressed()[0].getMessage());
        assertEquals(List.of(0L, 1L, 2L), seen, "no completion is lost to a handler's exception");
        assertTrue(ring.isEmpty());
        assertTrue(ring.submit(Descriptor.noop()), "the ring keeps working");
        device.process(1);
        assertEquals(1, ring.drain(c -> { }, 8));
    }

    @Test
    void shouldRefuseADrainFromItsOwnHandler() {
        assertTrue(ring.submit(Descriptor.noop()));
        assertTrue(ring.submit(Descriptor.noop()));
        device.process(1);
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> ring.drain(c -> ring.drain(new CompletedDescriptor[1]), 8));
        assertEquals("drain called from this ring's own drain handler", thrown.getMessage());
        device.process(1);
        List<Long> seen = new ArrayList<>();
        assertEquals(1, ring.drain(c -> seen.add(c.sequence()), 8));
        assertEquals(List.of(1L), seen, "the refused inner drain reaped nothing");
    }

    @Test
    void shouldLetTheHandlerUnmapTheBufferItsDescriptorNamed() {
        DmaBuffer buffer = memory.allocate(4096, 4096);
        long bus = dma.mapSingle(buffer.physicalAddress(), 4096, DmaDirection.FROM_DEVICE);
        assertTrue(ring.submit(Descriptor.memfill(bus, 4096, 0x5a)));
        device.process(1);
        List<String> seen = new ArrayList<>();
        assertEquals(1, ring.drain(c -> {
            dma.unmapSingle(bus, 4096, DmaDirection.FROM_DEVICE); // refused while the descriptor still held it
            seen.add(c.submitted().opcode().toString());
        }, 8));
        assertEquals(List.of("MEMFILL"), seen);
        buffer.close();
    }
}
