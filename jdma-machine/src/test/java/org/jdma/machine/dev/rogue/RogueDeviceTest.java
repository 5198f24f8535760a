package org.jdma.machine.dev.rogue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.bus.Access;
import org.jdma.machine.bus.AddressTranslator;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.bus.FaultDetail;
import org.jdma.machine.bus.FaultReason;
import org.jdma.machine.dev.DeviceSpec;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.machine.pci.PciHostConfig;
import org.jdma.spec.pci.PciConfigLayout;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;

class RogueDeviceTest {

    static final long MiB = 1L << 20;
    /** Where firmware puts rogue0's BAR: after memcpy0's. */
    static final long BAR = PciHostConfig.DEFAULT.mmio32Base() + CopyEngine.BAR_SIZE;

    static Machine machine(int rogues) {
        MachineConfig c = MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("low", 0, 64 * MiB)));
        for (DeviceSpec<?> r : RogueDevice.specs(rogues)) {
            c = c.withDevice(r);
        }
        return new Machine(c);
    }

    @Test
    void shouldSitAfterTheCopyEnginesWithItsOwnRequesterIdAndBar() {
        try (Machine m = machine(2)) {
            List<RogueDevice> rogues = m.devices(RogueDevice.class);
            assertEquals(2, rogues.size());
            for (int i = 0; i < 2; i++) {
                RogueDevice r = rogues.get(i);
                assertEquals("rogue" + i, r.name());
                assertEquals(RequesterId.of(0, RogueDevice.FIRST_DEVICE + i, 0), r.requester());
                assertEquals(RogueDevice.VENDOR_ID, r.vendorId());
                assertEquals(RogueDevice.DEVICE_ID, r.deviceId());
                assertEquals(BAR + i * RogueDevice.BAR_SIZE, r.barAddress(0), "naturally aligned after memcpy0's BAR");
                assertTrue(m.pciFunctions().contains(r), "enumeration finds " + r);
                assertEquals(r.port(), m.dmaPorts().get(1 + i));
                assertEquals(r, m.device("rogue" + i));
            }
            assertEquals(RogueDevice.VENDOR_ID | RogueDevice.DEVICE_ID << 16, m.cpu().read32(BAR + RogueRegisters.ID));
        }
    }

    @Test
    void shouldPlugNoRogueOnTheDefaultMachine() {
        try (Machine m = machine(0)) {
            assertTrue(m.devices(RogueDevice.class).isEmpty());
        }
    }

    @Test
    void shouldRejectCopyEnginesThatCollideWithRogueDevices() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> MachineConfig.defaults().withDevices(CopyEngine.specs(13)).withDevice(RogueDevice.spec(0)));
        assertEquals("memcpy12 and rogue0 both sit at 0000:00:10.0", e.getMessage());
        MachineConfig.defaults().withDevices(java.util.stream.Stream.concat(CopyEngine.specs(12).stream(),
                RogueDevice.specs(4).stream()).toList()); // 04..0f and 10..13: fine
    }

    @Test
    void shouldReachMemoryWhateverBusMasterEnableSays() {
        try (Machine m = machine(1)) {
            RogueDevice r = m.devices(RogueDevice.class).getFirst();
            assertFalse(r.busMasterEnabled(), "Bus Master Enable is clear after reset, as for every function");
            assertTrue(r.read(0x1000, 8).result().isOk(), "a hostile device does not honour it");
            r.configWrite(PciConfigLayout.COMMAND, 2, 0);
            assertTrue(r.write(0x1000, new byte[8]).isOk());
        }
    }

    @Test
    void shouldEndEveryRequestInAMasterAbortWhenItHonoursAClearBusMasterEnable() {
        MachineConfig c = MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("low", 0, 64 * MiB)))
                .withDevice(RogueDevice.spec(0, RogueDevice.Options.HONOURS_BUS_MASTER_ENABLE));
        try (Machine m = new Machine(c)) {
            RogueDevice r = m.devices(RogueDevice.class).getFirst();
            m.cpu().write(0x1000, "kernel secret".getBytes());
            assertEquals(0, r.configRead(PciConfigLayout.STATUS, 2) & PciConfigLayout.STATUS_RECEIVED_MASTER_ABORT);

            RogueDevice.ReadOutcome read = r.read(0x1000, 13);
            DmaResult write = r.fill(0x1000, 8, 0x4141_4141_4141_4141L);

            assertEquals(FaultReason.BUS_MASTER_DISABLED, read.result().reason());
            assertEquals(0, read.data().length, "nothing came back");
            assertEquals(FaultReason.BUS_MASTER_DISABLED, write.reason());
            assertArrayEquals("kernel secret".getBytes(), readRam(m, 0x1000, 13), "memory is unchanged");
            assertTrue((r.configRead(PciConfigLayout.STATUS, 2) & PciConfigLayout.STATUS_RECEIVED_MASTER_ABORT) != 0,
                    "the device records the master abort in Status");

            r.configWrite(PciConfigLayout.COMMAND, 2, PciConfigLayout.COMMAND_BUS_MASTER);
            assertTrue(r.read(0x1000, 13).result().isOk(), "with the bit set the same request succeeds");
        }
    }

    private static byte[] readRam(Machine m, long phys, int length) {
        byte[] b = new byte[length];
        m.cpu().read(phys, b);
        return b;
    }

    @Test
    void shouldReadAndWriteAnyPhysicalAddressWithoutAnIommu() {
        try (Machine m = machine(1)) {
            RogueDevice r = m.devices(RogueDevice.class).getFirst();
            m.cpu().write(0x10_0000, "kernel secret".getBytes());
            RogueDevice.ReadOutcome got = r.read(0x10_0000, 13);
            assertTrue(got.result().isOk(), got.result().toString());
            assertArrayEquals("kernel secret".getBytes(), got.data());

            assertTrue(r.write(0x20_0000, new byte[] {1, 2, 3}).isOk());
            assertEquals(0x030201, m.cpu().read32(0x20_0000));
            assertTrue(r.fill(0x30_0000, 16, 0x4141_4141_4141_4141L).isOk());
            assertEquals(0x4141_4141_4141_4141L, m.cpu().read64(0x30_0008));
            assertEquals(3, r.attempts());
            assertEquals(0, r.blocked());
        }
    }

    @Test
    void shouldReportAFaultAsAResultAndInItsRegisters() {
        try (Machine m = machine(1)) {
            RogueDevice r = m.devices(RogueDevice.class).getFirst();
            long hole = 0x8000_0000L; // above the 64 MiB of RAM, below the BARs
            RogueDevice.ReadOutcome got = r.read(hole, 64);
            assertTrue(got.blocked());
            assertEquals(FaultReason.UNSUPPORTED_REQUEST, got.result().reason());
            assertEquals(0, got.data().length);
            assertEquals(1, r.blocked());
            long bar = BAR;
            assertEquals(1, m.cpu().read64(bar + RogueRegisters.ATTEMPTS));
            assertEquals(1, m.cpu().read64(bar + RogueRegisters.BLOCKED));
            assertEquals(hole, m.cpu().read64(bar + RogueRegisters.LAST_FAULT_ADDRESS));
            assertEquals(FaultReason.UNSUPPORTED_REQUEST.ordinal() + 1, m.cpu().read32(bar + RogueRegisters.LAST_FAULT));
        }
    }

    @Test
    void shouldNeverThrowForAbsurdRequests() {
        try (Machine m = machine(1)) {
            RogueDevice r = m.devices(RogueDevice.class).getFirst();
            assertFalse(r.read(0, -1).result().isOk());
            assertFalse(r.read(0, RogueDevice.MAX_READ_BYTES + 1L).result().isOk());
            assertFalse(r.read(-8, 64).result().isOk()); // wraps past 2^64
            assertFalse(r.fill(0, -5, 0).isOk());
            assertEquals(4, r.blocked());
        }
    }

    @Test
    void shouldGoThroughTheTranslatorOfItsPortAndMoveNothingWhenBlocked() {
        try (Machine m = machine(1)) {
            RogueDevice r = m.devices(RogueDevice.class).getFirst();
            int writeDenied = VtdFaultReason.WRITE_NOT_PERMITTED.code();
            // A stand-in IOMMU that lets this requester read the first page only and write nothing.
            r.port().translator((rid, bus, len, access) -> {
                assertEquals(r.requester(), rid);
                if (access == Access.WRITE) {
                    return AddressTranslator.Translation.fault(FaultReason.NO_PERMISSION,
                            new FaultDetail("VT-d", writeDenied, VtdFaultReason.WRITE_NOT_PERMITTED.name()), 10);
                }
                return bus < 4096 ? new AddressTranslator.Translation(0x40_0000 + bus, Math.min(len, 4096 - bus), 10)
                        : AddressTranslator.Translation.fault(FaultReason.NO_PERMISSION,
                                new FaultDetail("VT-d", VtdFaultReason.READ_NOT_PERMITTED.code(), "READ_NOT_PERMITTED"), 10);
            });
            m.cpu().write64(0x40_0000, 0x1122_3344_5566_7788L);
            assertEquals(0x88, r.read(0, 1).data()[0] & 0xFF);

            DmaResult w = r.write(0, new byte[8]);
            assertEquals(FaultReason.NO_PERMISSION, w.reason());
            assertEquals(writeDenied, w.detail().code());
            assertEquals(Access.WRITE, w.access());
            assertEquals(0x1122_3344_5566_7788L, m.cpu().read64(0x40_0000), "a blocked write moves nothing");

            RogueDevice.ReadOutcome across = r.read(4096 - 8, 16);
            assertEquals(FaultReason.NO_PERMISSION, across.result().reason());
            assertEquals(4096, across.result().faultAddress());
            assertEquals(8, across.data().length, "only the bytes before the faulting page come back");
        }
    }

    @Test
    void shouldRaiseAnInterruptNotAMemoryWriteInTheMsiWindow() {
        try (Machine m = machine(1)) {
            RogueDevice r = m.devices(RogueDevice.class).getFirst();
            int vector = m.interruptController().allocateVector();
            int[] handled = {0};
            m.interruptController().register(vector, v -> handled[0]++);
            MsiMessage msg = m.interruptController().messageFor(vector);
            byte[] data = {(byte) msg.data(), (byte) (msg.data() >>> 8), (byte) (msg.data() >>> 16), (byte) (msg.data() >>> 24)};
            // Even a translator that blocks everything does not see the interrupt range.
            r.port().translator((rid, bus, len, access) -> AddressTranslator.Translation.fault(FaultReason.BLOCKED, FaultDetail.NONE, 0));
            assertTrue(r.write(msg.address(), data).isOk());
            m.eventKernel().runUntilIdle();
            assertEquals(1, handled[0]);
            assertEquals(1, r.port().msisSent());
        }
    }
}
