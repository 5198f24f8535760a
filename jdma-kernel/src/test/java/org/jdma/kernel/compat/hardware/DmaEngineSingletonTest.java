package org.jdma.kernel.compat.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdma.kernel.testing.SoftwareRingDevice;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.dma.DeviceDmaApi;
/** Checklist row 11: the seed's module-level engine. */
class DmaEngineSingletonTest {

    private final Machine machine = TestMachines.ramOnly();
    private final DmaMemory memory = TestMachines.dmaMemory(machine);
    private final DeviceDmaApi dma = TestMachines.device(TestMachines.directDma(memory), "engine");

    @BeforeEach
    @AfterEach
    void clear() {
        DmaEngine.shutdown();
    }

    @AfterEach
    void closeMachine() {
        machine.close();
    }

    @Test
    void shouldBeEmptyBeforeInit() {
        assertTrue(DmaEngine.get().isEmpty());
        assertFalse(DmaEngine.shutdown());
    }

    @Test
    void shouldKeepTheFirstEngineWhenInitRunsTwice() {
        SoftwareRingDevice first = new SoftwareRingDevice(machine.cpu());
        SoftwareRingDevice second = new SoftwareRingDevice(machine.cpu());
        assertTrue(DmaEngine.init(dma, memory, first));
        DmaEngine engine = DmaEngine.get().orElseThrow();
        long freeAfterFirst = memory.frames().stats().freeFrames();
        assertFalse(DmaEngine.init(dma, memory, second));
        assertSame(engine, DmaEngine.get().orElseThrow());
        assertFalse(second.attached(), "the second init built nothing");
        assertEquals(freeAfterFirst, memory.frames().stats().freeFrames(), "and allocated nothing");
        assertEquals(128, engine.capacity());
    }

    @Test
    void shouldCloseTheEngineOnShutdown() {
        SoftwareRingDevice device = new SoftwareRingDevice(machine.cpu());
        DmaEngine.init(dma, memory, device);
        DmaEngine engine = DmaEngine.get().orElseThrow();
        assertTrue(DmaEngine.shutdown());
        assertTrue(engine.isClosed());
        assertFalse(device.attached());
        assertTrue(DmaEngine.get().isEmpty());
    }
}
