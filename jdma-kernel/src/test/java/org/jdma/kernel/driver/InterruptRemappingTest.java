package org.jdma.kernel.driver;

import static org.jdma.kernel.driver.DriverRig.recording;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.iommu.vtd.VtdIommuDriver;
import org.jdma.kernel.iommu.vtd.VtdUnitDriver;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.jdma.spec.memcpy.CopyEngineRegisters;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.spec.msi.MsiMessageLayout;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.vtd.VtdInterruptRequestLayout;
import org.jdma.spec.vtd.VtdIrteLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel remaps every MSI-X vector a driver asks for through its context: the device holds
 * remappable messages, the remapping entries name vector and CPU, interrupts still reach the right
 * handler on the right CPU, moving a vector rewrites only its entry, and a forged message is
 * refused and reported like a translation fault.
 */
class InterruptRemappingTest {

    private final List<String> log = new ArrayList<>();
    private Machine machine;
    private Kernel kernel;
    private InterruptVectors vectors;

    @AfterEach
    void tearDown() {
        if (kernel != null) {
            kernel.close();
        }
        if (machine != null) {
            machine.close();
        }
    }

    private void boot(IommuMode mode, boolean interruptRemapping) {
        boot(TestMachines.small(1), mode, interruptRemapping);
    }

    private void boot(MachineConfig config, IommuMode mode, boolean interruptRemapping) {
        machine = new Machine(config);
        Driver<DriverRig.Recorder> spread = recording("spread",
                DeviceMatch.pciId(CopyEngineRegisters.VENDOR_ID, CopyEngineRegisters.DEVICE_ID), ctx -> {
                    ctx.enableBusMaster();
                    vectors = ctx.allocateVectors(4, Affinity.spreadOverCpus());
                    for (int i = 0; i < 4; i++) {
                        int index = i;
                        vectors.onInterrupt(i, v -> log.add("entry " + index + " vector " + v + " on CPU " + machine.cpu().index()));
                    }
                });
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withoutDriver("memcpy").withDriver(spread).withIommu(mode)
                .withInterruptRemapping(interruptRemapping));
    }

    private CopyEngine engine() {
        return machine.devices(CopyEngine.class).getFirst();
    }

    private void raise(int entry) {
        engine().msix().signal(entry);
        machine.eventKernel().runUntilIdle();
    }

    private VtdUnitDriver unitDriver() {
        return VtdIommuDriver.of(kernel.iommu()).units().getFirst();
    }

    @Test
    void shouldProgramRemappableMessagesAndStillLandEachVectorOnItsCpu() {
        boot(IommuMode.STRICT, true);
        assertTrue(unitDriver().interruptRemapping());
        VtdUnit unit = machine.remappingUnits().getFirst();
        assertTrue(unit.interruptRemappingEnabled());
        for (int i = 0; i < 4; i++) {
            long address = engine().msix().address(i);
            assertTrue(VtdInterruptRequestLayout.remappable(address), "entry " + i + " holds a remappable message");
            assertEquals(vectors.remappingIndex(i), VtdInterruptRequestLayout.index(address, engine().msix().data(i)));
            long lo = machine.cpu().read64(unitDriver().interruptRemapTable() + 16L * vectors.remappingIndex(i));
            long hi = machine.cpu().read64(unitDriver().interruptRemapTable() + 16L * vectors.remappingIndex(i) + 8);
            assertEquals(vectors.vector(i), VtdIrteLayout.vector(lo));
            assertEquals(i, VtdIrteLayout.xapicDestination(lo), "APIC id of CPU " + i);
            assertEquals(VtdIrteLayout.SVT_REQUESTER_ID, VtdIrteLayout.svt(hi));
            assertEquals(engine().requester().sourceId(), VtdIrteLayout.sid(hi));
        }
        for (int i = 0; i < 4; i++) {
            raise(i);
        }
        for (int i = 0; i < 4; i++) {
            assertEquals("entry " + i + " vector " + vectors.vector(i) + " on CPU " + i, log.get(i));
        }
        assertEquals(4, unit.interruptCounters()[0], "four requests remapped through the table");
    }

    @Test
    void shouldMoveAVectorByRewritingOnlyItsEntry() {
        boot(IommuMode.LAZY, true);
        long before = engine().msix().address(1);
        vectors.setAffinity(1, 3);
        assertEquals(before, engine().msix().address(1), "the device still names the same entry");
        raise(1);
        assertEquals(List.of("entry 1 vector " + vectors.vector(1) + " on CPU 3"), log);
    }

    @Test
    void shouldRemapInPassThroughModeToo() {
        boot(IommuMode.IDENTITY, true);
        assertTrue(VtdInterruptRequestLayout.remappable(engine().msix().address(0)));
        raise(0);
        assertEquals(1, log.size());
    }

    @Test
    void shouldKeepCompatibilityMessagesWhenRemappingIsOff() {
        boot(IommuMode.STRICT, false);
        assertFalse(unitDriver().interruptRemapping());
        assertFalse(VtdInterruptRequestLayout.remappable(engine().msix().address(2)));
        assertEquals(2, MsiMessageLayout.destination(engine().msix().address(2)));
        raise(2);
        assertEquals(List.of("entry 2 vector " + vectors.vector(2) + " on CPU 2"), log);
    }

    @Test
    void shouldLeaveRemappingOffWhenTheFirmwareDoesNotClaimIt() {
        MachineConfig config = TestMachines.small(1);
        var dmar = config.dmar().orElseThrow();
        boot(config.withDmar(dmar.withFlags(dmar.flags() & ~DmarLayout.FLAG_INTR_REMAP)), IommuMode.STRICT, true);
        assertFalse(unitDriver().interruptRemapping(), "DMAR Flags.INTR_REMAP clear: the unit's ECAP.IR is not used");
        assertFalse(machine.remappingUnits().getFirst().interruptRemappingEnabled());
        assertFalse(VtdInterruptRequestLayout.remappable(engine().msix().address(1)));
        assertTrue(kernel.iommu().bootLog().stream().anyMatch(l -> l.startsWith("DMAR-IR: DMAR Flags 0x04: INTR_REMAP clear")),
                kernel.iommu().bootLog().toString());
        raise(1);
        assertEquals(1, log.size(), "interrupts still arrive, unremapped");
    }

    @Test
    void shouldRefuseAForgedCompatibilityMessageAndReportItAsAFault() {
        boot(IommuMode.STRICT, true);
        DmaPort port = machine.dmaPorts().stream().filter(p -> p.requester().equals(engine().requester())).findFirst().orElseThrow();
        DmaResult r = port.signalMsi(MsiMessageLayout.address(0), vectors.vector(0));
        machine.eventKernel().runUntilIdle();
        assertFalse(r.isOk());
        assertTrue(log.isEmpty(), "no handler ran");
        List<IommuFault> faults = kernel.iommu().faults();
        assertEquals(1, faults.size(), faults.toString());
        IommuFault f = faults.getFirst();
        assertTrue(f.interrupt());
        assertEquals(engine().requester(), f.device());
        assertEquals(VtdFaultReason.IR_COMPATIBILITY_BLOCKED.code(), f.detail().code());
        assertEquals(1, unitDriver().faultCount(VtdFaultReason.IR_COMPATIBILITY_BLOCKED));
    }

    @Test
    void shouldFreeTheEntriesWhenTheDriverGoesAway() {
        boot(IommuMode.STRICT, true);
        int index = vectors.remappingIndex(0);
        long table = unitDriver().interruptRemapTable();
        kernel.drivers().close();
        assertEquals(0, machine.cpu().read64(table + 16L * index), "entry cleared");
        DmaPort port = machine.dmaPorts().stream().filter(p -> p.requester().equals(engine().requester())).findFirst().orElseThrow();
        port.busMasterEnabled(true); // as a device that ignores its cleared Bus Master Enable
        DmaResult r = port.signalMsi(VtdInterruptRequestLayout.address(index, true), 0);
        assertFalse(r.isOk(), "a freed entry is not present (and was invalidated in the unit's cache)");
        assertEquals(VtdFaultReason.IR_ENTRY_NOT_PRESENT.code(), r.detail().code());
    }
}
