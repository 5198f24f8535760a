package org.jdma.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.machine.pci.PciHostConfig;
import org.jdma.platform.MemoryMapEntry;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.machine.memory.RamRegion;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;
import org.jdma.platform.Clock;

class MachineTest {

    static final long GiB = 1L << 30;
    static final long ECAM = PciHostConfig.DEFAULT.ecamBase();
    static final long BARS = PciHostConfig.DEFAULT.mmio32Base();

    @Test
    void shouldPublishTheDefaultMemoryMap() {
        try (Machine m = Machine.createDefault()) {
            assertEquals(List.of(
                    new MemoryMapEntry(0, 2 * GiB, MemoryMapEntry.Type.RAM),
                    // ECAM: 256 buses of configuration space, as MCFG says (q35's address).
                    new MemoryMapEntry(0xB000_0000L, 256 << 20, MemoryMapEntry.Type.RESERVED),
                    // memcpy0's BAR0, where firmware put it.
                    new MemoryMapEntry(0xF000_0000L, CopyEngine.BAR_SIZE, MemoryMapEntry.Type.RESERVED),
                    // The VT-d unit's register page, as firmware reports it (e820 reserved).
                    new MemoryMapEntry(MachineConfig.VTD_REGISTER_BASE, 0x1000, MemoryMapEntry.Type.RESERVED),
                    new MemoryMapEntry(0xFEE0_0000L, 0x10_0000, MemoryMapEntry.Type.RESERVED),
                    new MemoryMapEntry(4 * GiB, 2 * GiB, MemoryMapEntry.Type.RAM)), m.memoryMap());
            assertEquals(4 * GiB, m.physicalMemory().totalRam());
            assertEquals(4096, m.pageSize());
        }
    }

    @Test
    void shouldPlugOneBarAndRequesterIdPerCopyEngine() {
        try (Machine m = new Machine(MachineConfig.defaults().withDevices(CopyEngine.specs(3)))) {
            List<DmaPort> ports = m.dmaPorts();
            assertEquals(3, ports.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(RequesterId.of(0, 4 + i, 0), ports.get(i).requester());
                assertEquals("memcpy" + i, ports.get(i).name());
            }
            List<Long> reservedBases = m.memoryMap().stream()
                    .filter(e -> e.type() == MemoryMapEntry.Type.RESERVED).map(MemoryMapEntry::base).toList();
            assertEquals(List.of(ECAM, BARS, BARS + CopyEngine.BAR_SIZE, BARS + 2 * CopyEngine.BAR_SIZE,
                    MachineConfig.VTD_REGISTER_BASE, 0xFEE0_0000L), reservedBases);
            assertEquals(List.of(BARS, BARS + CopyEngine.BAR_SIZE, BARS + 2 * CopyEngine.BAR_SIZE),
                    m.devices(CopyEngine.class).stream().map(e -> e.barAddress(0)).toList(), "naturally aligned, in configuration order");
        }
    }

    @Test
    void shouldRejectRamOverlappingTheInterruptRangeEcamOrTheBarRange() {
        var irq = assertThrows(IllegalArgumentException.class, () -> new Machine(MachineConfig.defaults()
                .withRam(List.of(new MachineConfig.Ram("big", 0, 0xFF00_0000L)))));
        assertTrue(irq.getMessage().contains("big") && irq.getMessage().contains("0xfee00000"), irq.getMessage());
        var ecam = assertThrows(IllegalArgumentException.class, () -> new Machine(MachineConfig.defaults()
                .withRam(List.of(new MachineConfig.Ram("low", 0, 0xB000_1000L)))));
        assertTrue(ecam.getMessage().contains("ecam") && ecam.getMessage().contains("low"), ecam.getMessage());
        var bars = assertThrows(IllegalArgumentException.class, () -> new Machine(MachineConfig.defaults()
                .withRam(List.of(new MachineConfig.Ram("low", 0, 2 * GiB), new MachineConfig.Ram("hole", 0xF100_0000L, 1 << 20)))));
        assertEquals("the BAR addresses of the PCI MMIO range [0xf0000000, 0xfec00000) overlap RAM region hole", bars.getMessage());
    }

    @Test
    void shouldValidateItsConfig() {
        assertThrows(IllegalArgumentException.class, () -> MachineConfig.defaults().withRam(List.of()));
        var twin = assertThrows(IllegalArgumentException.class, () -> MachineConfig.defaults().withDevice(CopyEngine.spec(0)));
        assertEquals("device memcpy0 and device memcpy0 have the same name", twin.getMessage());
        var slot = assertThrows(IllegalArgumentException.class, () -> MachineConfig.defaults()
                .withDevice(org.jdma.machine.dev.DeviceSpec.pci("other", CopyEngine.KIND,
                        org.jdma.machine.dev.memcpy.CopyEngineConfig.DEFAULT, CopyEngine.slot(0))));
        assertEquals("memcpy0 and other both sit at 0000:00:04.0", slot.getMessage());
        assertEquals(7, MachineConfig.defaults().withSeed(7).seed());
        assertEquals(MachineConfig.defaults(), MachineConfig.defaults().toBuilder().build(), "a builder copy is an equal value");
    }

    @Test
    void shouldPlugAsManyCopyEnginesAsBusZeroHolds() {
        try (Machine m = new Machine(MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("low", 0, 64 << 20)))
                .withBridges(List.of()).withDevices(CopyEngine.specs(28)))) {
            assertEquals(RequesterId.of(0, 0x1F, 0), m.dmaPorts().getLast().requester());
        }
    }

    @Test
    void shouldFreeItsRamOnClose() {
        Machine m = new Machine(MachineConfig.defaults().withDevices(List.of()));
        m.cpu().write64(0x1000, 42);
        List<MemorySegment> ram = m.physicalMemory().ramRegions().stream().map(RamRegion::memory).toList();
        assertTrue(ram.stream().allMatch(s -> s.scope().isAlive()));
        m.close();
        assertTrue(ram.stream().noneMatch(s -> s.scope().isAlive()));
        assertThrows(IllegalStateException.class, () -> ram.getFirst().get(ValueLayout.JAVA_LONG, 0x1000));
    }

    @Test
    void shouldRunTheEventKernelThroughItsClock() {
        try (Machine m = new Machine(MachineConfig.defaults().withDevices(List.of()))) {
            Clock clock = m.clock();
            boolean[] done = {false};
            m.eventKernel().schedule(100, "done", () -> done[0] = true);
            assertFalse(clock.runUntil(() -> done[0], 50));
            assertEquals(50, clock.now());
            assertTrue(clock.runUntil(() -> done[0], 1_000));
            assertEquals(100, clock.now());
            clock.runFor(10);
            assertEquals(110, clock.now());
            m.eventKernel().schedule(5, "x", () -> { });
            clock.runUntilIdle();
            assertEquals(115, clock.now());
            assertFalse(clock.runUntil(() -> false), "nothing left to happen");
        }
    }

    @Test
    void shouldTreatAnEndlessTimeoutAsNoDeadline() {
        try (Machine m = new Machine(MachineConfig.defaults().withDevices(List.of()))) {
            Clock clock = m.clock();
            clock.runFor(10);
            boolean[] done = {false};
            m.eventKernel().schedule(100, "done", () -> done[0] = true);
            assertTrue(clock.runUntil(() -> done[0], Long.MAX_VALUE));
            assertEquals(110, clock.now());
            assertFalse(clock.runUntil(() -> false, Long.MAX_VALUE), "idle: nothing will ever make it true");
            assertEquals(110, clock.now(), "and the clock does not jump to the end of time");
        }
    }

    @Test
    void shouldGiveTheSameRandomSequenceForTheSameSeed() {
        try (Machine a = new Machine(MachineConfig.defaults().withSeed(9).withDevices(List.of()));
             Machine b = new Machine(MachineConfig.defaults().withSeed(9).withDevices(List.of()))) {
            for (int i = 0; i < 8; i++) {
                assertEquals(a.eventKernel().random().nextLong(), b.eventKernel().random().nextLong());
            }
        }
    }

    @Test
    void shouldWireDevicePortsToMemoryAndInterrupts() {
        try (Machine m = Machine.createDefault()) {
            DmaPort port = m.dmaPorts().getFirst();
            port.busMasterEnabled(true); // what a driver does through Command.Bus Master Enable
            int v = m.interrupts().allocateVector();
            List<Long> handled = new ArrayList<>();
            m.interrupts().register(v, vec -> handled.add(m.clock().now()));
            byte[] data = {1, 2, 3, 4, 5, 6, 7, 8};
            long high = 4 * GiB + 0x1000;
            assertTrue(port.write(high, MemorySegment.ofArray(data), 0, 8).isOk());
            assertEquals(0x0807_0605_0403_0201L, m.cpu().read64(high), "the CPU sees the device's write at once");
            MsiMessage msg = m.interrupts().messageFor(v);
            assertTrue(port.signalMsi(msg.address(), msg.data()).isOk());
            m.clock().runUntilIdle();
            assertEquals(List.of(m.config().interruptLatencyNs()), handled);
            assertEquals(1, m.interrupts().dispatched(v));
        }
    }
}
