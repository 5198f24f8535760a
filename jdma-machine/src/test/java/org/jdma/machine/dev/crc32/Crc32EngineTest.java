package org.jdma.machine.dev.crc32;

import static org.jdma.machine.dev.crc32.Crc32Rig.INPUT;
import static org.jdma.machine.dev.crc32.Crc32Rig.RAM;
import static org.jdma.machine.dev.crc32.Crc32Rig.RESULT_AT;
import static org.jdma.machine.mmio.RegisterAccess.RO;
import static org.jdma.machine.mmio.RegisterAccess.RW;
import static org.jdma.machine.mmio.RegisterAccess.RW1C;
import static org.jdma.spec.crc32.Crc32Registers.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.bus.Access;
import org.jdma.machine.mmio.Register;
import org.jdma.spec.pci.MsixCapabilityLayout;
import org.jdma.spec.pci.PciConfigLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The CRC-32 engine against its datasheet ({@link org.jdma.spec.crc32.Crc32Registers}), driven as an OS drives it. */
class Crc32EngineTest {

    static final byte[] CHECK = "123456789".getBytes(StandardCharsets.US_ASCII);

    static int crc(byte[] data) {
        CRC32 c = new CRC32();
        c.update(data);
        return (int) c.getValue();
    }

    static byte[] pattern(int length, long seed) {
        byte[] b = new byte[length];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void shouldBePluggedIntoAMachineByOneLineOfConfiguration() {
        MachineConfig config = MachineConfig.defaults().toBuilder()
                .device("crc0", Crc32Engine.KIND, Crc32Config.DEFAULT, Crc32Rig.SLOT)   // the one line
                .build();
        try (Machine m = new Machine(config)) {
            Crc32Engine e = m.devices(Crc32Engine.class).getFirst();
            assertTrue(m.pciFunctions().contains(e));
            assertTrue(e.barWindow(0).isPresent(), "firmware placed and enabled BAR0");
            assertEquals(Crc32Rig.SLOT, e.port().requester());
            assertTrue(m.remappingUnits().getFirst() == e.port().translator(), "the default DMAR's unit covers it");
            assertFalse(e.port().busMasterEnabled(), "no DMA until a driver sets Bus Master Enable");
        }
    }

    @Test
    void shouldMatchTheDatasheetRegisterTableRowByRow() {
        try (Crc32Rig rig = new Crc32Rig()) {
            List<Register> expected = List.of(
                    new Register("VERSION", VERSION, 4, RO, VERSION_MASK, VERSION_VALUE),
                    new Register("SRC_ADDR", SRC_ADDR, 8, RW, -1L, 0),
                    new Register("LENGTH", LENGTH, 4, RW, 0xFFFF_FFFFL, 0),
                    new Register("CONTROL", CONTROL, 4, RW, CONTROL_START | CONTROL_IRQ_EN, 0),
                    new Register("RESULT_ADDR", RESULT_ADDR, 8, RW, -1L, 0),
                    new Register("STATUS", STATUS, 4, RW1C, STATUS_BUSY | STATUS_DONE | STATUS_READ_FAULT
                            | STATUS_WRITE_FAULT | STATUS_BAD_LENGTH, 0),
                    new Register("FAULT_ADDR", FAULT_ADDR, 8, RO, -1L, 0),
                    new Register("RESULT", RESULT, 4, RO, 0xFFFF_FFFFL, 0));
            assertEquals(expected, rig.engine.registerTable());
            assertEquals(0x0100, rig.reg32(VERSION), "VERSION 1.0, through BAR0");
            rig.cpu.write32(rig.bar + VERSION, -1);
            assertEquals(0x0100, rig.reg32(VERSION), "RO");
            rig.cpu.write32(rig.bar + CONTROL, -1);
            assertEquals(CONTROL_IRQ_EN, rig.reg32(CONTROL), "START reads 0; reserved bits read 0");
            rig.runIdle();
        }
    }

    @Test
    void shouldPresentItsIdsBarAndMsixCapabilityInConfigurationSpace() {
        try (Crc32Rig rig = new Crc32Rig()) {
            assertEquals((long) DEVICE_ID << 16 | VENDOR_ID, rig.cpu.read32(rig.cfg + PciConfigLayout.VENDOR_ID) & 0xFFFF_FFFFL);
            assertEquals(CLASS_CODE, rig.cpu.read32(rig.cfg + PciConfigLayout.REVISION_ID) >>> 8);
            // BAR0 sizing: all ones, read back (decoding off while we do it, as an OS does).
            rig.cpu.write16(rig.cfg + PciConfigLayout.COMMAND, 0);
            rig.cpu.write32(rig.cfg + PciConfigLayout.BAR0, -1);
            long sized = rig.cpu.read32(rig.cfg + PciConfigLayout.BAR0) & 0xFFFF_FFFFL;
            assertEquals(BAR_SIZE, (~(sized & ~0xFL) + 1) & 0xFFFF_FFFFL, "4 KiB");
            assertEquals(PciConfigLayout.BAR_MEMORY_TYPE_32, (int) sized & PciConfigLayout.BAR_MEMORY_TYPE_MASK);
            assertEquals(0, sized & PciConfigLayout.BAR_PREFETCHABLE);
            int cap = rig.engine.msixCapabilityOffset().orElseThrow();
            assertEquals(MSIX_ENTRIES - 1, rig.cpu.read16(rig.cfg + cap + MsixCapabilityLayout.MESSAGE_CONTROL) & 0x7FF);
            assertEquals(MSIX_TABLE, rig.cpu.read32(rig.cfg + cap + MsixCapabilityLayout.TABLE), "BIR 0");
            assertEquals(MSIX_PBA, rig.cpu.read32(rig.cfg + cap + MsixCapabilityLayout.PBA), "BIR 0");
        }
    }

    @Test
    void shouldChecksumTheCheckStringThenWriteTheResultThenSetDoneThenInterrupt() {
        try (Crc32Rig rig = new Crc32Rig().busMaster().msix()) {
            rig.cpu.write(INPUT, CHECK);
            rig.start(INPUT, CHECK.length, RESULT_AT);
            assertEquals(STATUS_BUSY, rig.reg32(STATUS));
            rig.runIdle();
            assertEquals(CHECK_VALUE, rig.cpu.read32(RESULT_AT), "IEEE 802.3 CRC-32 of \"123456789\", little-endian");
            assertEquals(CHECK_VALUE, (int) rig.reg32(RESULT));
            assertEquals(STATUS_DONE, rig.reg32(STATUS));
            assertEquals(1, rig.interrupts.size());
            long[] seen = rig.interrupts.getFirst();
            assertEquals(STATUS_DONE, seen[1], "the handler sees DONE");
            assertEquals(CHECK_VALUE & 0xFFFF_FFFFL, seen[2], "and the result in memory");
            // The order on the bus: input read, result write, then the MSI.
            List<Crc32Rig.Request> r = rig.requests;
            assertEquals(3, r.size(), r.toString());
            assertEquals(new Crc32Rig.Request(Access.READ, INPUT, CHECK.length, false, true, r.get(0).timeNs()), r.get(0));
            assertEquals(new Crc32Rig.Request(Access.WRITE, RESULT_AT, RESULT_SIZE, false, true, r.get(1).timeNs()), r.get(1));
            assertTrue(r.get(2).msi() && r.get(2).ok());
            assertTrue(r.get(0).timeNs() < r.get(1).timeNs() && r.get(1).timeNs() < r.get(2).timeNs(), r.toString());
            assertEquals(1, rig.engine.operations());
            assertEquals(0, rig.engine.failedOperations());
            // DONE is write-1-to-clear; BUSY cannot be cleared by software.
            rig.cpu.write32(rig.bar + STATUS, STATUS_DONE | STATUS_BUSY);
            assertEquals(0, rig.reg32(STATUS));
        }
    }

    @Test
    void shouldReadTheInputInBoundedChunksOverModeledTime() {
        Crc32Config config = Crc32Config.DEFAULT.withChunkBytes(4096);
        try (Crc32Rig rig = new Crc32Rig(config, MachineConfig.defaults()).busMaster().msix()) {
            byte[] data = pattern(10_000, 42);
            rig.cpu.write(INPUT, data);
            long t0 = rig.machine.eventKernel().now();
            rig.start(INPUT, data.length, RESULT_AT);
            rig.runIdle();
            assertEquals(crc(data), rig.cpu.read32(RESULT_AT));
            List<Crc32Rig.Request> reads = rig.dma().stream().filter(q -> q.access() == Access.READ).toList();
            assertEquals(List.of(4096L, 4096L, 1808L), reads.stream().map(Crc32Rig.Request::length).toList());
            assertEquals(List.of(INPUT, INPUT + 4096, INPUT + 8192), reads.stream().map(Crc32Rig.Request::address).toList());
            assertEquals(t0 + config.setupLatencyNs(), reads.getFirst().timeNs(), "the first read leaves after the setup latency");
            for (int i = 1; i < reads.size(); i++) {
                long gap = reads.get(i).timeNs() - reads.get(i - 1).timeNs();
                assertTrue(gap > config.checksumNs(4096), "chunk " + i + " waits for the bus and the checksum of the last: " + gap);
            }
            assertTrue(rig.interrupts.getFirst()[0] > reads.getLast().timeNs() + config.checksumNs(1808));
            assertEquals(data.length, rig.engine.bytesChecksummed());
        }
    }

    @Test
    void shouldEndABadLengthWithAnErrorStatusAndNoDma() {
        for (long bad : new long[] {0, MAX_LENGTH + 1, 0xFFFF_FFFFL}) {
            try (Crc32Rig rig = new Crc32Rig().busMaster().msix()) {
                rig.start(INPUT, bad, RESULT_AT);
                rig.runIdle();
                assertEquals(STATUS_DONE | STATUS_BAD_LENGTH, rig.reg32(STATUS), "LENGTH " + bad);
                assertTrue(rig.dma().isEmpty(), "no DMA for LENGTH " + bad);
                assertEquals(1, rig.interrupts.size(), "the error ends the operation like any other");
                assertEquals(1, rig.engine.failedOperations());
            }
        }
    }

    @Test
    void shouldRecordTheFirstByteAReadCouldNotReach() {
        try (Crc32Rig rig = new Crc32Rig().busMaster().msix()) {
            rig.cpu.write32(RESULT_AT, 0x1234_5678);
            rig.start(RAM - 100, 200, RESULT_AT);   // the last 100 bytes of RAM, then nothing
            rig.runIdle();
            assertEquals(STATUS_DONE | STATUS_READ_FAULT, rig.reg32(STATUS));
            assertEquals(RAM, rig.reg64(FAULT_ADDR));
            assertEquals(0x1234_5678, rig.cpu.read32(RESULT_AT), "no result is written");
            assertEquals(0, rig.reg32(RESULT));
            assertEquals(1, rig.interrupts.size());
        }
    }

    @Test
    void shouldRecordTheFirstByteAResultWriteCouldNotReach() {
        try (Crc32Rig rig = new Crc32Rig().busMaster().msix()) {
            rig.cpu.write(INPUT, CHECK);
            rig.start(INPUT, CHECK.length, RAM - 2);   // two bytes of RAM, then nothing
            rig.runIdle();
            assertEquals(STATUS_DONE | STATUS_WRITE_FAULT, rig.reg32(STATUS));
            assertEquals(RAM, rig.reg64(FAULT_ADDR));
            assertEquals(0, rig.reg32(RESULT), "RESULT keeps its old value");
            // A later good operation clears the fault state when it starts.
            rig.start(INPUT, CHECK.length, RESULT_AT);
            assertEquals(0, rig.reg64(FAULT_ADDR));
            rig.runIdle();
            assertEquals(STATUS_DONE, rig.reg32(STATUS));
            assertEquals(CHECK_VALUE, (int) rig.reg32(RESULT));
        }
    }

    @Test
    void shouldMoveNothingAndSendNoMessageWhileBusMasterEnableIsClear() {
        try (Crc32Rig rig = new Crc32Rig().msix()) {
            rig.cpu.write(INPUT, CHECK);
            rig.start(INPUT, CHECK.length, RESULT_AT);
            rig.runIdle();
            assertEquals(STATUS_DONE | STATUS_READ_FAULT, rig.reg32(STATUS));
            assertEquals(INPUT, rig.reg64(FAULT_ADDR), "the very first request was refused");
            assertEquals(0, rig.cpu.read32(RESULT_AT));
            assertTrue(rig.interrupts.isEmpty(), "an MSI-X message is a memory write: refused too");
            assertEquals(1, rig.engine.msix().sendFaults());
            assertTrue(rig.requests.stream().noneMatch(Crc32Rig.Request::ok));
            int status = rig.cpu.read16(rig.cfg + org.jdma.spec.pci.PciConfigLayout.STATUS);
            assertTrue((status & org.jdma.spec.pci.PciConfigLayout.STATUS_RECEIVED_MASTER_ABORT) != 0,
                    "the refused DMA is a master abort the device reports in Status");
        }
    }

    @Test
    void shouldNotReportAMasterAbortForDmaThatSucceeded() {
        try (Crc32Rig rig = new Crc32Rig().busMaster().msix()) {
            rig.cpu.write(INPUT, CHECK);
            rig.start(INPUT, CHECK.length, RESULT_AT);
            rig.runIdle();
            int status = rig.cpu.read16(rig.cfg + org.jdma.spec.pci.PciConfigLayout.STATUS);
            assertEquals(0, status & org.jdma.spec.pci.PciConfigLayout.STATUS_RECEIVED_MASTER_ABORT);
        }
    }

    @Test
    void shouldIgnoreStartWhileBusyAndUseTheRegistersLatchedAtStart() {
        try (Crc32Rig rig = new Crc32Rig().busMaster().msix()) {
            byte[] data = pattern(3000, 7);
            rig.cpu.write(INPUT, data);
            rig.start(INPUT, data.length, RESULT_AT);
            rig.start(INPUT + 1, 5, RESULT_AT + 64);   // while busy: new values, START ignored
            assertEquals(INPUT + 1, rig.reg64(SRC_ADDR), "the register holds what was written");
            rig.runIdle();
            assertEquals(1, rig.engine.operations());
            assertEquals(crc(data), rig.cpu.read32(RESULT_AT));
            assertEquals(0, rig.cpu.read32(RESULT_AT + 64));
        }
    }

    @Test
    void shouldAbandonAnOperationInFlightOnReset() {
        try (Crc32Rig rig = new Crc32Rig().busMaster().msix()) {
            byte[] data = pattern(20_000, 9);
            rig.cpu.write(INPUT, data);
            rig.start(INPUT, data.length, RESULT_AT);
            rig.machine.eventKernel().runFor(2_000);
            assertTrue(rig.engine.busy());
            rig.engine.reset();
            rig.runIdle();
            assertFalse(rig.engine.busy());
            assertEquals(0, rig.cpu.read32(RESULT_AT), "no result write after the reset");
            assertTrue(rig.interrupts.isEmpty());
            assertTrue(rig.dma().stream().allMatch(q -> q.access() == Access.READ));
            // A conventional reset also cleared BAR0 and Memory Space: put them back to read the registers.
            assertEquals(0, rig.cpu.read32(rig.cfg + PciConfigLayout.BAR0));
            rig.cpu.write32(rig.cfg + PciConfigLayout.BAR0, (int) rig.bar);
            rig.cpu.write16(rig.cfg + PciConfigLayout.COMMAND, PciConfigLayout.COMMAND_MEMORY_SPACE);
            assertEquals(0, rig.reg32(STATUS) | rig.reg32(CONTROL) | rig.reg32(LENGTH), "registers at reset values");
            assertEquals(VERSION_VALUE, rig.reg32(VERSION));
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 0x5EED_C4C3L})
    void shouldNeverThrowForAnyRegisterAccessAndStillWorkAfterwards(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        try (Crc32Rig rig = new Crc32Rig().busMaster().msix()) {
            try {
                for (int i = 0; i < 2_000; i++) {
                    int size = 1 << random.nextInt(4);
                    long offset = random.nextLong(0, BAR_SIZE) & -size;   // registers, MSI-X table, PBA, holes
                    long value = random.nextLong();
                    if (offset == LENGTH && random.nextBoolean()) {
                        value &= 0xFFF;   // lengths that run, now and then
                    }
                    switch (size) {
                        case 1 -> rig.cpu.write8(rig.bar + offset, (int) value);
                        case 2 -> rig.cpu.write16(rig.bar + offset, (int) value);
                        case 4 -> rig.cpu.write32(rig.bar + offset, (int) value);
                        default -> rig.cpu.write64(rig.bar + offset, value);
                    }
                    rig.machine.eventKernel().runFor(random.nextLong(0, 3_000));
                }
                rig.runIdle();
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ": a register access escaped the device", e);
            }
            assertFalse(rig.engine.busy(), "seed " + seed + ": every operation ended");
            rig.msix();
            rig.cpu.write32(rig.bar + STATUS, STATUS_MASK);
            rig.cpu.write(INPUT, CHECK);
            rig.start(INPUT, CHECK.length, RESULT_AT);
            rig.runIdle();
            assertEquals(STATUS_DONE, rig.reg32(STATUS), "seed " + seed);
            assertEquals(CHECK_VALUE, rig.cpu.read32(RESULT_AT), "seed " + seed);
        }
    }

    @Test
    void shouldGiveEachTimingParameterAClearErrorWhenOutOfRange() {
        var chunk = assertThrows(IllegalArgumentException.class, () -> new Crc32Config(0, 8192, 1));
        assertEquals("chunkBytes must be 1..4096 (PCIe Max_Read_Request_Size), was 8192", chunk.getMessage());
        var rate = assertThrows(IllegalArgumentException.class, () -> new Crc32Config(0, 64, 0));
        assertEquals("bytesPerNs must be a positive number, was 0.0", rate.getMessage());
        var setup = assertThrows(IllegalArgumentException.class, () -> new Crc32Config(-1, 64, 1));
        assertEquals("setupLatencyNs must be >= 0 ns, was -1", setup.getMessage());
        assertArrayEquals(new long[] {1024, 3}, new long[] {Crc32Config.DEFAULT.checksumNs(4096), Crc32Config.DEFAULT.checksumNs(9)});
    }
}
