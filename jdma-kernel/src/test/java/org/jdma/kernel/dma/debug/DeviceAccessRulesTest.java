package org.jdma.kernel.dma.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.platform.DeviceAccessObserver;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The device-side rules, fed accesses directly: which requesters count, and what a covered access is. */
class DeviceAccessRulesTest {

    private static final Set<DmaAttr> NONE = EnumSet.noneOf(DmaAttr.class);

    private final DebugFixture f = DebugFixture.coherent();
    private final DeviceAccessObserver device = f.debug.deviceAccessObserver();

    @AfterEach
    void tearDown() {
        f.close();
    }

    private long map(long phys, long size, DmaDirection direction) {
        long dma = f.debug.mapSingle(f.device, phys, size, direction, NONE);
        assertFalse(f.debug.mappingError(f.device, dma));
        return dma;
    }

    @Test
    void shouldIgnoreRequestersWithNoDeviceAttachedToTheDmaApi() {
        long buf = f.buffer(4096);
        device.deviceAccess(RequesterId.of(0, 9, 0), buf, 64, true);
        assertEquals(List.of(), f.reports);
    }

    @Test
    void shouldIgnoreADeviceOnceItIsDetached() {
        long buf = f.buffer(4096);
        f.debug.detach(f.device);
        device.deviceAccess(f.device.requester(), buf, 64, true);
        assertEquals(List.of(), f.reports);
    }

    @Test
    void shouldAcceptAnAccessSpanningTwoAdjacentMappings() {
        long buf = f.buffer(4096);
        long a = map(buf, 2048, DmaDirection.FROM_DEVICE);
        long b = map(buf + 2048, 2048, DmaDirection.BIDIRECTIONAL);
        assertEquals(a + 2048, b, "direct DMA: adjacent device addresses");
        device.deviceAccess(f.device.requester(), a + 1000, 2000, true);
        assertEquals(List.of(), f.reports);
    }

    @Test
    void shouldReportTheFirstBytePastTheEndOfAMapping() {
        long buf = f.buffer(4096);
        long a = map(buf, 100, DmaDirection.TO_DEVICE);
        device.deviceAccess(f.device.requester(), a, 128, false);
        assertEquals(List.of(DmaDebugCategory.DEVICE_ACCESS_NOT_MAPPED), f.categories());
        assertTrue(f.reports.getFirst().message().contains(String.format("[first bad byte=0x%016x]", a + 100)),
                f.reports.getFirst().message());
    }

    @Test
    void shouldReportADeviceReadOfAFromDeviceMapping() {
        long buf = f.buffer(4096);
        long a = map(buf, 256, DmaDirection.FROM_DEVICE);
        device.deviceAccess(f.device.requester(), a, 64, false);
        device.deviceAccess(f.device.requester(), a, 64, true);
        assertEquals(List.of(DmaDebugCategory.DEVICE_ACCESS_WRONG_DIRECTION), f.categories());
        assertTrue(f.reports.getFirst().message().contains("device read memory mapped with DMA_FROM_DEVICE"),
                f.reports.getFirst().message());
    }

    @Test
    void shouldShareMappingsBetweenDevicesBehindOneRequesterId() {
        DmaDevice second = new DmaDevice("floppy", f.device.requester(), false); // a legacy device behind the same bridge
        f.debug.attach(second);
        long buf = f.buffer(4096);
        long a = f.debug.mapSingle(second, buf, 512, DmaDirection.FROM_DEVICE, NONE);
        f.debug.mappingError(second, a);
        device.deviceAccess(f.device.requester(), a, 512, true);
        assertEquals(List.of(), f.reports);
        f.debug.unmapSingle(second, a, 512, DmaDirection.FROM_DEVICE, NONE);
        device.deviceAccess(f.device.requester(), a, 512, true);
        assertEquals(List.of(DmaDebugCategory.DEVICE_ACCESS_AFTER_UNMAP), f.categories());
        assertEquals("floppy", f.reports.getFirst().device());
    }
}
