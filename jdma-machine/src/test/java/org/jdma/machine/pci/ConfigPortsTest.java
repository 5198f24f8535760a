package org.jdma.machine.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.jdma.machine.Machine;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.platform.Cpu;
import org.jdma.spec.pci.ConfigAddressLayout;
import org.jdma.spec.pci.EcamLayout;
import org.jdma.spec.pci.PciConfigLayout;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;

/** Configuration mechanism #1 (ports 0xCF8/0xCFC) reaches the same registers as ECAM. */
class ConfigPortsTest {

    private static final RequesterId ENGINE = CopyEngine.slot(0);

    private static int select(RequesterId f, int register) {
        return ConfigAddressLayout.address(f.bus(), f.device(), f.function(), register);
    }

    private static long ecam(Machine m, RequesterId f, int register) {
        return m.config().pci().ecamBase() + EcamLayout.offset(f, register);
    }

    @Test
    void shouldReadTheSameIdsThroughThePortsAsThroughEcam() {
        try (Machine m = Machine.createDefault()) {
            Cpu cpu = m.cpu();
            cpu.out32(ConfigAddressLayout.ADDRESS_PORT, select(ENGINE, PciConfigLayout.VENDOR_ID));
            int ids = cpu.in32(ConfigAddressLayout.DATA_PORT);
            assertEquals(cpu.read32(ecam(m, ENGINE, PciConfigLayout.VENDOR_ID)), ids);
            assertNotEquals(-1, ids, "the copy engine is there");
            assertEquals(ids >>> 16, cpu.in16(ConfigAddressLayout.DATA_PORT + 2), "port 0xCFE is bytes 2..3 of the register");
            assertEquals(ids >>> 24, cpu.in8(ConfigAddressLayout.DATA_PORT + 3));
        }
    }

    @Test
    void shouldWriteTheCommandRegisterThroughThePorts() {
        try (Machine m = Machine.createDefault()) {
            Cpu cpu = m.cpu();
            long command = ecam(m, ENGINE, PciConfigLayout.COMMAND);
            int before = cpu.read16(command);
            cpu.out32(ConfigAddressLayout.ADDRESS_PORT, select(ENGINE, PciConfigLayout.COMMAND));
            cpu.out16(ConfigAddressLayout.DATA_PORT, before ^ PciConfigLayout.COMMAND_BUS_MASTER);
            assertEquals(before ^ PciConfigLayout.COMMAND_BUS_MASTER, cpu.read16(command));
        }
    }

    @Test
    void shouldNotClaimDataAccessesWithEnableClearOrForAnAbsentFunction() {
        try (Machine m = Machine.createDefault()) {
            Cpu cpu = m.cpu();
            cpu.out32(ConfigAddressLayout.ADDRESS_PORT, select(ENGINE, 0) & ~ConfigAddressLayout.ENABLE);
            assertEquals(-1, cpu.in32(ConfigAddressLayout.DATA_PORT));
            cpu.out32(ConfigAddressLayout.ADDRESS_PORT, ConfigAddressLayout.address(0, 31, 7, 0));
            assertEquals(0xFFFF, cpu.in16(ConfigAddressLayout.DATA_PORT), "no function at 00:1f.7 in the default machine");
        }
    }

    @Test
    void shouldReadBackConfigAddressWithReservedAndLowBitsZero() {
        try (Machine m = Machine.createDefault()) {
            Cpu cpu = m.cpu();
            cpu.out32(ConfigAddressLayout.ADDRESS_PORT, 0xFFFF_FFFF);
            assertEquals(0x80FF_FFFC, cpu.in32(ConfigAddressLayout.ADDRESS_PORT));
        }
    }
}
