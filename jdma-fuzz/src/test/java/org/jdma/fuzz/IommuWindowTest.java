package org.jdma.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdma.machine.Machine;
import org.jdma.machine.bus.Access;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.jdma.spec.nvme.NvmeRegisters;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;

/** The sandbox's tables, written as one prepared image: the window and nothing else, for the enabled function only. */
class IommuWindowTest {

    private static final long OFFSET = 0x18;

    @Test
    void shouldTranslateEveryWindowPageToItsRamPageForTheEnabledFunction() {
        try (Machine m = new Machine(NvmeFuzzTest.config())) {
            IommuWindow.enable(m, m.cpu(), NvmeFuzzTest.SLOT, NvmeRegisters.REGISTER_BAR);
            VtdUnit unit = m.remappingUnits().getFirst();
            for (int p = 0; p < IommuWindow.PAGES; p++) {
                var t = unit.translate(NvmeFuzzTest.SLOT, IommuWindow.IOVA + p * IommuWindow.PAGE + OFFSET, 8, Access.WRITE);
                assertFalse(t.faulted(), "page " + p + " faulted: " + t.fault());
                assertEquals(IommuWindow.WINDOW + p * IommuWindow.PAGE + OFFSET, t.physical(), "page " + p);
            }
        }
    }

    @Test
    void shouldRefuseThePagesAroundTheWindowAndAnyOtherFunction() {
        try (Machine m = new Machine(NvmeFuzzTest.config())) {
            IommuWindow.enable(m, m.cpu(), NvmeFuzzTest.SLOT, NvmeRegisters.REGISTER_BAR);
            VtdUnit unit = m.remappingUnits().getFirst();
            assertTrue(unit.translate(NvmeFuzzTest.SLOT, IommuWindow.IOVA - IommuWindow.PAGE, 8, Access.READ).faulted(), "page below");
            assertTrue(unit.translate(NvmeFuzzTest.SLOT, IommuWindow.IOVA + IommuWindow.BYTES, 8, Access.READ).faulted(), "page above");
            assertTrue(unit.translate(NvmeFuzzTest.SLOT, IommuWindow.WINDOW, 8, Access.WRITE).faulted(), "the window's physical address");
            assertTrue(unit.translate(RequesterId.of(0, 7, 0), IommuWindow.IOVA, 8, Access.READ).faulted(), "another function");
        }
    }
}
