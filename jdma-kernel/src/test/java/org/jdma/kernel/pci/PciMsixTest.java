package org.jdma.kernel.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.rogue.RogueDevice;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A driver's MSI-X (PCI Local Bus Specification 3.0 §6.8.2), on a device whose table and PBA are in different BARs. */
class PciMsixTest {

    static final RequesterId SLOT = RequesterId.of(0, 6, 0);

    private final Machine m = new Machine(MachineConfig.defaults()
            .withRam(List.of(new MachineConfig.Ram("low", 0, 64L << 20)))
            .withDevices(List.of(ProbeEndpoint.spec("probe", SLOT, false), RogueDevice.spec(0))));
    private final ProbeEndpoint device = (ProbeEndpoint) m.device("probe");
    private final PciDevice pci = PciSubsystem.scan(m).device(SLOT).orElseThrow();
    private final PciMsix msix = PciMsix.of(pci, m.cpu()).orElseThrow();
    private final List<Integer> handled = new ArrayList<>();

    @AfterEach
    void close() {
        m.close();
    }

    private int vector() {
        int v = m.interrupts().allocateVector();
        m.interrupts().register(v, handled::add);
        return v;
    }

    @Test
    void shouldFindTheTableAndPbaThroughEachBarIndicator() {
        assertEquals(ProbeEndpoint.ENTRIES, msix.tableSize());
        assertEquals(pci.bar(2).orElseThrow().base() + ProbeEndpoint.TABLE, msix.tableAddress());
        assertEquals(pci.bar(0).orElseThrow().base() + ProbeEndpoint.PBA, msix.pbaAddress());
        assertTrue(PciMsix.of(PciSubsystem.scan(m).device(RogueDevice.slot(0)).orElseThrow(), m.cpu()).isEmpty(),
                "a function without the capability has no MSI-X");
    }

    @Test
    void shouldDeliverAProgrammedEntryOnlyOnceEnabledAndUnmasked() {
        pci.enableBusMaster();
        int v = vector();
        msix.program(3, m.interrupts().messageFor(v));
        assertFalse(msix.masked(3), "program leaves the entry unmasked");
        assertFalse(device.raise(3), "MSI-X Enable is still clear");
        msix.enableMasked();
        assertTrue(msix.enabled() && msix.functionMasked());
        device.raise(3);
        assertTrue(msix.pending(3), "held by the Function Mask, visible in the PBA");
        m.clock().runUntilIdle();
        assertEquals(List.of(), handled);
        msix.functionMask(false);
        m.clock().runUntilIdle();
        assertEquals(List.of(v), handled, "released when the Function Mask clears");
        assertFalse(msix.pending(3));

        msix.mask(3);
        device.raise(3);
        assertTrue(msix.pending(3));
        msix.unmask(3);
        m.clock().runUntilIdle();
        assertEquals(List.of(v, v), handled);
        msix.disable();
        assertFalse(device.raise(3));
        m.clock().runUntilIdle();
        assertEquals(2, handled.size());
    }

    @Test
    void shouldRefuseEntriesOutsideTheTable() {
        var e = assertThrows(IllegalArgumentException.class, () -> msix.mask(ProbeEndpoint.ENTRIES));
        assertEquals("0000:00:06.0: MSI-X entry 8 outside 0..7", e.getMessage());
    }
}
