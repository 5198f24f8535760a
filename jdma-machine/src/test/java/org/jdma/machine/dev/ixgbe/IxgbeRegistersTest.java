package org.jdma.machine.dev.ixgbe;

import static org.jdma.spec.ixgbe.IxgbeRegisters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.mmio.Register;
import org.jdma.machine.mmio.RegisterAccess;
import org.jdma.spec.pci.MsixCapabilityLayout;
import org.jdma.spec.pci.PciConfigLayout;
import org.junit.jupiter.api.Test;

/** The port's register semantics against the datasheet: ids, reset, EEPROM, link, reserved bits, statistics, interrupt registers. */
class IxgbeRegistersTest {

    @Test
    void shouldBePluggedIntoAMachineByOneLineOfConfiguration() {
        MachineConfig config = MachineConfig.defaults().withDevice(IxgbePort.spec("eth0", IxgbeRig.SLOT)); // the one line
        try (Machine m = new Machine(config)) {
            IxgbePort p = m.devices(IxgbePort.class).getFirst();
            assertTrue(p.barWindow(CSR_BAR).isPresent(), "firmware placed BAR0");
            assertEquals(CSR_BAR_SIZE, p.bar(CSR_BAR).orElseThrow().size());
            assertTrue(p.bar(CSR_BAR).orElseThrow().is64Bit());
            assertTrue(p.bar(MSIX_BAR).orElseThrow().is64Bit());
            assertFalse(p.port().busMasterEnabled());
            assertEquals(4, p.config().queues());
        }
    }

    @Test
    void shouldShowTheIdsAndAnMsixTableOf64EntriesInBar3() {
        try (IxgbeRig rig = new IxgbeRig()) {
            assertEquals(VENDOR_ID, rig.cpu.read16(rig.cfg + PciConfigLayout.VENDOR_ID) & 0xFFFF);
            assertEquals(DEVICE_ID, rig.cpu.read16(rig.cfg + PciConfigLayout.DEVICE_ID) & 0xFFFF);
            int cap = rig.port.msixCapabilityOffset().orElseThrow();
            int control = rig.cpu.read16(rig.cfg + cap + MsixCapabilityLayout.MESSAGE_CONTROL) & 0xFFFF;
            assertEquals(MSIX_ENTRIES - 1, control & 0x7FF, "Table Size is N - 1");
            int table = rig.cpu.read32(rig.cfg + cap + MsixCapabilityLayout.TABLE);
            assertEquals(MSIX_BAR, table & 0x7, "BIR");
            assertEquals(MSIX_TABLE, table & ~0x7);
            assertEquals(MSIX_PBA | MSIX_BAR, rig.cpu.read32(rig.cfg + cap + MsixCapabilityLayout.PBA));
        }
    }

    @Test
    void shouldSelfClearResetAfterTheSettleTimeAndIgnoreWritesMeanwhile() {
        try (IxgbeRig rig = new IxgbeRig()) {
            rig.write(FCTRL, FCTRL_BAM);
            long t0 = rig.kernelNow();
            rig.write(CTRL, CTRL_RST | CTRL_LNK_RST);
            assertEquals(CTRL_RST | CTRL_LNK_RST, rig.reg(CTRL), "the reset bits read 1 while the reset runs");
            assertEquals(0, rig.reg(FCTRL), "registers are back at their reset values");
            assertEquals(0, rig.reg(RDRXCTL) & RDRXCTL_DMAIDONE);
            assertEquals(0, rig.reg(EEC) & EEC_ARD);
            rig.write(FCTRL, FCTRL_UPE);
            assertEquals(0, rig.reg(FCTRL), "a write during reset is ignored");
            assertEquals(1, rig.port.faults().writesDuringReset());
            rig.machine.eventKernel().runUntil(() -> (rig.reg(CTRL) & CTRL_RST) == 0, t0 + 1_000_000_000L);
            assertWithin(t0 + IxgbeConfig.DEFAULT.resetSettleNs(), rig.kernelNow());
            assertEquals(0, rig.reg(CTRL));
            assertEquals(RDRXCTL_DMAIDONE, rig.reg(RDRXCTL) & RDRXCTL_DMAIDONE);
            rig.machine.eventKernel().runUntil(() -> (rig.reg(EEC) & EEC_ARD) != 0, t0 + 1_000_000_000L);
            assertWithin(t0 + IxgbeConfig.DEFAULT.resetSettleNs() + IxgbeConfig.DEFAULT.eepromReadNs(), rig.kernelNow());
            assertEquals(EEC_PRES | EEC_ARD, rig.reg(EEC));
            rig.write(FCTRL, FCTRL_UPE);
            assertEquals(FCTRL_UPE, rig.reg(FCTRL));
        }
    }

    @Test
    void shouldHoldTheStationAddressInReceiveAddressZero() {
        try (IxgbeRig rig = new IxgbeRig(IxgbeConfig.DEFAULT.withMacAddress(0x02_1B_21_AB_CD_EFL))) {
            assertEquals(0xAB211B02, rig.reg(ral(0)), "bytes 0..3, byte 0 lowest");
            assertEquals(RAH_AV | 0xEFCD, rig.reg(rah(0)), "bytes 4..5 and Address Valid");
            rig.write(CTRL, CTRL_RST);
            rig.write(rah(0), 0);
            assertEquals(RAH_AV | 0xEFCD, rig.reg(rah(0)), "reloaded at reset");
        }
    }

    @Test
    void shouldBringTheLinkUpAfterTheModeledTimeWithItsSpeedAndAnLscCause() {
        try (IxgbeRig rig = new IxgbeRig()) {
            assertEquals(0, rig.reg(LINKS), "not trained yet");
            rig.linkUp();
            assertWithin(IxgbeConfig.DEFAULT.linkUpNs(), rig.kernelNow());
            assertEquals(LINKS_UP | LINKS_SPEED_10G, rig.reg(LINKS));
            assertEquals(EICR_LSC | EICR_OTHER, rig.reg(EICR));
            rig.write(AUTOC, AUTOC_LMS_10G_SERIAL | AUTOC_AN_RESTART);
            assertEquals(AUTOC_LMS_10G_SERIAL, rig.reg(AUTOC), "AN_RESTART self-clears");
            assertEquals(0, rig.reg(LINKS) & LINKS_UP, "training again");
            rig.cable.up = false;
            rig.runFor(IxgbeConfig.DEFAULT.linkUpNs());
            assertEquals(0, rig.reg(LINKS) & LINKS_UP, "no light on the cable");
        }
    }

    @Test
    void shouldReadReservedBitsAsZero() {
        try (IxgbeRig rig = new IxgbeRig()) {
            int[] offsets = {FCTRL, rxdctl(0), txdctl(1), rdbal(0), rdlen(0), rdh(0), HLREG0, GPIE, ivar(0), eitr(0), rah(1), CTRL_EXT};
            for (int offset : offsets) {
                rig.write(offset, -1);
            }
            assertEquals(FCTRL_MASK, rig.reg(FCTRL));
            assertEquals(RXDCTL_ENABLE | RXDCTL_VME, rig.reg(rxdctl(0)));
            assertEquals(TXDCTL_MASK, rig.reg(txdctl(1)));
            assertEquals(0xFFFFFF80, rig.reg(rdbal(0)), "128-byte aligned ring base");
            assertEquals(0x000FFF80, rig.reg(rdlen(0)), "ring length: a multiple of 128");
            assertEquals(0xFFFF, rig.reg(rdh(0)));
            assertEquals(HLREG0_MASK, rig.reg(HLREG0));
            assertEquals(GPIE_MASK, rig.reg(GPIE));
            assertEquals(0xBFBFBFBF, rig.reg(ivar(0)));
            assertEquals(EITR_MASK, rig.reg(eitr(0)));
            assertEquals(RAH_MASK, rig.reg(rah(1)));
            assertEquals(CTRL_EXT_MASK, rig.reg(CTRL_EXT));
            rig.write(STATUS, -1);
            assertEquals(STATUS_GIO, rig.reg(STATUS), "read-only; LAN 0, master enabled");
            assertEquals(0, rig.reg(0x0A000), "an offset with no register reads 0");
            assertEquals(1, rig.port.unclaimedAccesses());
        }
    }

    @Test
    void shouldReportLanIdAndMasterDisableInStatus() {
        try (IxgbeRig rig = new IxgbeRig(IxgbeConfig.DEFAULT.withLanId(1))) {
            assertEquals(1 << STATUS_LAN_ID_SHIFT | STATUS_GIO, rig.reg(STATUS));
            rig.write(CTRL, CTRL_GIO_DIS);
            assertEquals(1 << STATUS_LAN_ID_SHIFT, rig.reg(STATUS));
        }
    }

    @Test
    void shouldListStatisticsAsClearOnRead() {
        try (IxgbeRig rig = new IxgbeRig()) {
            for (String name : new String[] {"GPRC", "GPTC", "GORCL", "GORCH", "GOTCL", "GOTCH", "MPC0", "RNBC0", "QPRDC0", "QPRC1", "QPTC3"}) {
                Register r = rig.port.registerTable().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
                assertEquals(RegisterAccess.RC, r.access(), name);
            }
            assertTrue(rig.port.registerTable().stream().noneMatch(r -> r.name().equals("RDBAL4")), "4 queues: no RDBAL4");
        }
    }

    @Test
    void shouldClearEicrOnReadOrOnlyItsOtherCausesWithOcd() {
        try (IxgbeRig rig = new IxgbeRig()) {
            rig.write(EICS, 0x3 | EICR_LSC);
            assertEquals(0x3 | EICR_LSC, rig.reg(EICR));
            assertEquals(0, rig.reg(EICR), "read to clear");
            rig.write(GPIE, GPIE_OCD);
            rig.write(EICS, 0x5 | EICR_LSC);
            assertEquals(0x5 | EICR_LSC, rig.reg(EICR));
            assertEquals(0x5, rig.reg(EICR), "with OCD only bits 31:16 clear on read");
            rig.write(EICR, 0x4);
            assertEquals(0x1, rig.reg(EICR), "write 1 to clear");
        }
    }

    @Test
    void shouldSetAndClearMasksThroughEimsAndEimc() {
        try (IxgbeRig rig = new IxgbeRig()) {
            rig.write(EIMS, 0x0000_00F0 | EICR_LSC);
            rig.write(EIMS, 0x0000_0001);
            assertEquals(0xF1 | EICR_LSC, rig.reg(EIMS), "writing 0 bits changes nothing");
            rig.write(EIMC, 0x30);
            assertEquals(0xC1 | EICR_LSC, rig.reg(EIMS));
            assertEquals(0, rig.reg(EIMC), "write-only");
            rig.write(eimsEx(1), 0x1);
            assertEquals(0x1, rig.reg(eimsEx(1)), "vector 32");
            assertEquals(0xC1, rig.reg(eimsEx(0)), "EIMS bits 15:0 are vectors 0..15");
        }
    }

    @Test
    void shouldCarryOctetCountsIntoTheHighHalfAndClearEachHalfOnRead() {
        try (IxgbeRig rig = new IxgbeRig()) {
            Csr csr = csrOf(rig);
            csr.addOctets(csr.gorcl, csr.gorch, 0xFFFF_FFFFL);
            csr.addOctets(csr.gorcl, csr.gorch, 2);
            assertEquals(1, rig.reg(GORCL));
            assertEquals(1, rig.reg(GORCH));
            assertEquals(0, rig.reg(GORCL));
            assertEquals(0, rig.reg(GORCH));
        }
    }

    /** {@code actual} is {@code expected} or a little later: the polling register reads take MMIO time. */
    static void assertWithin(long expected, long actual) {
        assertTrue(actual >= expected && actual < expected + 1_000, "expected at " + expected + " ns (+ MMIO time), was " + actual);
    }

    /** The port's register table, for counter arithmetic without traffic. */
    static Csr csrOf(IxgbeRig rig) {
        try {
            var f = IxgbePort.class.getDeclaredField("csr");
            f.setAccessible(true);
            return (Csr) f.get(rig.port);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
