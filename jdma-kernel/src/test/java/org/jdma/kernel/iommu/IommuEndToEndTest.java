package org.jdma.kernel.iommu;

import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.kernel.iommu.vtd.VtdIommuDriver;
import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.iommu.vtd.VtdDomain;
import org.jdma.kernel.iommu.vtd.VtdUnitDriver;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.MachineConfig;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The kernel's VT-d driver on the machine's remapping unit, driven through the copy engine. */
class IommuEndToEndTest {

    private static final RequesterId ENGINE = CopyEngine.slot(0);

    private Machine machine;
    private Kernel kernel;

    private Kernel boot(MachineConfig config, IommuMode mode) {
        machine = new Machine(config);
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(mode));
        return kernel;
    }

    @AfterEach
    void tearDown() {
        if (kernel != null) {
            kernel.close();
        }
        if (machine != null) {
            machine.close();
        }
    }

    @Test
    void shouldCopyThroughTheIommuInStrictMode() {
        Kernel k = boot(TestMachines.small(1), IommuMode.STRICT);
        assertTrue(k.iommu().enabled(), k.iommu().problems().toString());
        VtdUnitDriver unit = VtdIommuDriver.of(k.iommu()).units().getFirst();
        assertTrue(unit.translationEnabled());
        assertTrue(unit.queuedInvalidation());
        VtdDomain domain = VtdDomain.of(k.iommu(), ENGINE).orElseThrow();
        assertEquals(IommuDomain.Type.DMA_STRICT, domain.type());
        assertTrue(k.copyEngine().ring().ringDeviceBase() != k.copyEngine().ring().ringBase(),
                "the ring is reached by IOVA");
        try (DmaBuffer src = k.memory().allocate(8192, 4096); DmaBuffer dst = k.memory().allocate(8192, 4096)) {
            byte[] data = new byte[8192];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 7 + 3);
            }
            src.write(0, data);
            OpResult r = k.copyEngine().copy(src, dst, 8192);
            assertTrue(r.isSuccess(), r.toString());
            assertArrayEquals(data, dst.toByteArray());
        }
        assertTrue(k.iommu().faults().isEmpty(), k.iommu().faults().toString());
        assertTrue(unit.stats().iotlbPage() > 0, "strict unmaps invalidate page-selectively: " + unit.stats());
    }

    @Test
    void shouldFaultAndReportADmaToAnUnmappedIova() {
        Kernel k = boot(TestMachines.small(1), IommuMode.STRICT);
        List<IommuFault> seen = new ArrayList<>();
        k.iommu().addFaultListener(seen::add);
        VtdDomain domain = VtdDomain.of(k.iommu(), ENGINE).orElseThrow();
        long unmapped = domain.allocIova(4096, 0xFFFF_FFFFL).orElseThrow();
        try (DmaBuffer dst = k.memory().allocate(4096, 4096)) {
            long dstIova = domain.allocIova(4096, 0xFFFF_FFFFL).orElseThrow();
            domain.map(dstIova, dst.physicalAddress(), 4096, IoPermission.READ_WRITE);
            OpResult r = k.copyEngine().executeUnchecked(Descriptor.memmove(unmapped + 0x10, dstIova, 64));
            assertEquals(Optional.of(CompletionStatus.PAGE_FAULT_NOBOF), r.status(), r.toString());
            machine.clock().runUntilIdle();
            assertEquals(1, seen.size(), seen.toString());
            IommuFault f = seen.getFirst();
            assertEquals(ENGINE, f.device());
            assertEquals(unmapped, f.iovaPage());
            assertTrue(f.read());
            assertEquals(IommuFault.Kind.NO_PERMISSION, f.kind(), f.toString());
            assertEquals(new IommuFault.Detail("VT-d", 0x6, "READ_NOT_PERMITTED"), f.detail(), f.toString());
            assertEquals(1, VtdIommuDriver.of(k.iommu()).units().getFirst().faultCount(VtdFaultReason.READ_NOT_PERMITTED));

            // Write permission: a read-only mapping as destination faults with reason 0x5.
            long ro = domain.allocIova(4096, 0xFFFF_FFFFL).orElseThrow();
            domain.map(ro, dst.physicalAddress(), 4096, IoPermission.READ);
            long srcIova = dstIova;
            OpResult w = k.copyEngine().executeUnchecked(Descriptor.memmove(srcIova, ro, 64));
            assertEquals(Optional.of(CompletionStatus.PAGE_FAULT_NOBOF), w.status(), w.toString());
            machine.clock().runUntilIdle();
            IommuFault wf = seen.getLast();
            assertFalse(wf.read());
            assertEquals(ro, wf.iovaPage());
            assertEquals(IommuFault.Kind.NO_PERMISSION, wf.kind());
            assertEquals(VtdFaultReason.WRITE_NOT_PERMITTED.code(), wf.detail().code());
        }
    }

    @Test
    void shouldNotRunTheFaultHandlerInsideItselfWhenAFaultEventArrivesWhileItRuns() {
        Kernel k = boot(TestMachines.small(1), IommuMode.STRICT);
        VtdDomain domain = VtdDomain.of(k.iommu(), ENGINE).orElseThrow();
        long unmapped = domain.allocIova(4096, 0xFFFF_FFFFL).orElseThrow();
        DmaPort engine = machine.dmaPorts().stream().filter(p -> p.requester().equals(ENGINE)).findFirst().orElseThrow();
        List<IommuFault> seen = new ArrayList<>();
        int[] depth = {0, 0}; // now, deepest
        k.iommu().addFaultListener(f -> {
            depth[1] = Math.max(depth[1], ++depth[0]);
            seen.add(f);
            if (seen.size() == 1) {
                // A second fault, and time for its fault event to arrive, while the handler still runs.
                engine.read(unmapped, MemorySegment.ofArray(new byte[8]), 0, 8);
                machine.clock().runFor(10_000);
            }
            depth[0]--;
        });
        assertFalse(engine.read(unmapped, MemorySegment.ofArray(new byte[8]), 0, 8).isOk());
        machine.clock().runUntilIdle();
        assertEquals(2, seen.size(), "each fault reported once: " + seen);
        assertEquals(1, depth[1], "the handler ran the second event after the first, not inside it");
    }

    @Test
    void shouldReportAnAddressBeyondTheGuestAddressWidth() {
        Kernel k = boot(TestMachines.small(1), IommuMode.STRICT);
        List<IommuFault> seen = new ArrayList<>();
        k.iommu().addFaultListener(seen::add);
        VtdDomain domain = VtdDomain.of(k.iommu(), ENGINE).orElseThrow();
        try (DmaBuffer dst = k.memory().allocate(4096, 4096)) {
            long dstIova = domain.allocIova(4096, 0xFFFF_FFFFL).orElseThrow();
            domain.map(dstIova, dst.physicalAddress(), 4096, IoPermission.READ_WRITE);
            long beyond = 1L << 40; // the default unit has a 39-bit MGAW
            OpResult r = k.copyEngine().executeUnchecked(Descriptor.memmove(beyond, dstIova, 8));
            assertEquals(Optional.of(CompletionStatus.PAGE_FAULT_NOBOF), r.status(), r.toString());
            machine.clock().runFor(10_000);
            assertEquals(IommuFault.Kind.OUT_OF_RANGE, seen.getLast().kind(), seen.toString());
            assertEquals("VT-d 0x4 ADDRESS_BEYOND_MGAW", seen.getLast().detail().toString());
            assertEquals(beyond, seen.getLast().iovaPage());
        }
    }

    @Test
    void shouldLeaveEverythingAloneInModeOff() {
        Kernel k = boot(TestMachines.small(1), IommuMode.OFF);
        assertFalse(k.iommu().enabled());
        assertTrue(k.iommu().domainOf(ENGINE).isEmpty());
        assertEquals(k.copyEngine().ring().ringBase(), k.copyEngine().ring().ringDeviceBase());
        try (DmaBuffer src = k.memory().allocate(64, 64); DmaBuffer dst = k.memory().allocate(64, 64)) {
            assertTrue(k.copyEngine().copy(src, dst, 64).isSuccess());
        }
    }
}
