package org.jdma.kernel.pci;

import static org.jdma.spec.pci.PciConfigLayout.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdma.kernel.acpi.McfgParser;
import org.jdma.kernel.acpi.McfgTable;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.crc32.Crc32Config;
import org.jdma.machine.dev.crc32.Crc32Engine;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.machine.dev.rogue.RogueDevice;
import org.jdma.machine.dev.timer.CountdownTimer;
import org.jdma.machine.dev.timer.CountdownTimerConfig;
import org.jdma.machine.pci.LpcBridge;
import org.jdma.machine.pci.Bar;
import org.jdma.machine.pci.PciBridge;
import org.jdma.machine.pci.PciEndpoint;
import org.jdma.machine.pci.PciFunction;
import org.jdma.platform.Clock;
import org.jdma.platform.Cpu;
import org.jdma.platform.MemoryMapEntry;
import org.jdma.platform.Platform;
import org.jdma.platform.irq.Interrupts;
import org.jdma.spec.crc32.Crc32Registers;
import org.jdma.spec.pci.MsiCapabilityLayout;
import org.jdma.spec.pci.MsixCapabilityLayout;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;

/** The kernel's PCI enumeration, checked against the machine it runs on. */
class PciSubsystemTest {

    static final long MiB = 1L << 20;
    static final RequesterId BEHIND_ROOT_PORT = RequesterId.of(1, 0, 0);

    /** Two copy engines, a rogue device, a device behind the root port and a two-function device. */
    static MachineConfig rich() {
        return MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("low", 0, 64 * MiB)))
                .withDevices(List.of(CopyEngine.spec(0), CopyEngine.spec(1), RogueDevice.spec(0),
                        ProbeEndpoint.spec("behind", BEHIND_ROOT_PORT, false),
                        ProbeEndpoint.spec("mf0", RequesterId.of(0, 8, 0), false),
                        ProbeEndpoint.spec("mf5", RequesterId.of(0, 8, 5), false)));
    }

    @Test
    void shouldFindExactlyTheFunctionsTheMachineHasWithTheirIdsAndBars() {
        try (Machine m = new Machine(rich())) {
            PciSubsystem pci = PciSubsystem.scan(m);
            assertEquals(List.of(), pci.problems());
            List<PciFunction> expected = m.pciFunctions();
            assertEquals(expected.stream().map(PciFunction::requester).toList(), pci.devices().stream().map(PciDevice::requester).toList());
            for (PciFunction f : expected) {
                PciDevice d = pci.device(f.requester()).orElseThrow();
                assertEquals(f.vendorId(), d.vendorId(), f.name());
                assertEquals(f.deviceId(), d.deviceId(), f.name());
                assertEquals(f.classCode(), d.classCode(), f.name());
                assertEquals(f.isBridge(), d.isBridge(), f.name());
                if (f instanceof PciBridge b) {
                    assertEquals(b.secondaryBus(), d.secondaryBus());
                    assertEquals(b.subordinateBus(), d.subordinateBus());
                    assertEquals(List.of(), d.bars());
                }
                if (f instanceof PciEndpoint e) {
                    List<String> machineBars = new ArrayList<>();
                    for (Bar b : e.bars()) {
                        machineBars.add(b.index() + "@" + Long.toHexString(e.barAddress(b.index())) + "+" + Long.toHexString(b.size())
                                + (b.is64Bit() ? " 64" : " 32") + (b.prefetchable() ? " pf" : ""));
                    }
                    assertEquals(machineBars, d.bars().stream().map(b -> b.index() + "@" + Long.toHexString(b.base()) + "+"
                            + Long.toHexString(b.size()) + (b.is64Bit() ? " 64" : " 32") + (b.prefetchable() ? " pf" : "")).toList(), f.name());
                    assertEquals(e.capabilityOffsets(), d.capabilities().stream().map(PciCapability::offset).toList(), f.name());
                }
            }
            assertTrue(pci.device(RequesterId.of(0, 8, 0)).orElseThrow().multiFunction());
            assertEquals(2, CopyEngineFinder.count(pci));
            assertEquals(List.of("PCI: ECAM [0xb0000000-0xbfffffff] for segment 0000 buses 00-ff (MCFG)"), pci.bootLog());
        }
    }

    /** Reads the copy engines as a driver finds them, by ids. */
    private static final class CopyEngineFinder {
        static int count(PciSubsystem pci) {
            return pci.find(CopyEngine.VENDOR_ID, CopyEngine.DEVICE_ID).size();
        }
    }

    /** Records each configuration write with the Command value in force when it happened. */
    private static final class Recording implements ConfigAccess {
        final ConfigAccess inner;
        final List<String> barWritesWhileDecoding = new ArrayList<>();
        int barWrites;

        Recording(ConfigAccess inner) {
            this.inner = inner;
        }

        private void check(RequesterId f, int register) {
            if (register >= BAR0 && register < BAR0 + 4 * BAR_COUNT_TYPE0) {
                barWrites++;
                if ((inner.read16(f, COMMAND) & (COMMAND_MEMORY_SPACE | COMMAND_IO_SPACE)) != 0) {
                    barWritesWhileDecoding.add(f + " " + Integer.toHexString(register));
                }
            }
        }

        @Override public int read8(RequesterId f, int r) { return inner.read8(f, r); }
        @Override public int read16(RequesterId f, int r) { return inner.read16(f, r); }
        @Override public int read32(RequesterId f, int r) { return inner.read32(f, r); }
        @Override public void write8(RequesterId f, int r, int v) { check(f, r); inner.write8(f, r, v); }
        @Override public void write16(RequesterId f, int r, int v) { check(f, r); inner.write16(f, r, v); }
        @Override public void write32(RequesterId f, int r, int v) { check(f, r); inner.write32(f, r, v); }
        @Override public boolean reaches(RequesterId f) { return inner.reaches(f); }
    }

    @Test
    void shouldFindTheLpcBridgeAndTheCrcEngineOfAMachineWithTheExampleDevices() {
        RequesterId crcSlot = RequesterId.of(0, 7, 0);
        MachineConfig c = MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("low", 0, 64 * MiB))).toBuilder()
                .device("crc0", Crc32Engine.KIND, Crc32Config.DEFAULT, crcSlot)
                .device("timer0", CountdownTimer.KIND, CountdownTimerConfig.DEFAULT, CountdownTimer.resources(0x300, 5))
                .build();
        try (Machine m = new Machine(c)) {
            PciSubsystem pci = PciSubsystem.scan(m);
            assertEquals(List.of(), pci.problems());
            PciDevice lpc = pci.device(RequesterId.of(0, 0x1F, 0)).orElseThrow();
            assertTrue(lpc.is(LpcBridge.VENDOR_ID, LpcBridge.DEVICE_ID));
            assertEquals(CLASS_ISA_BRIDGE, lpc.classCode(), "an ISA bridge: where legacy DMA comes from");
            assertFalse(lpc.isBridge(), "a type 0 header: no bus behind it to scan");
            assertEquals(List.of(), lpc.bars());
            assertEquals(COMMAND_BUS_MASTER, lpc.command() & COMMAND_BUS_MASTER);
            PciDevice crc = pci.find(Crc32Registers.VENDOR_ID, Crc32Registers.DEVICE_ID).getFirst();
            assertEquals(crcSlot, crc.requester());
            assertEquals(Crc32Registers.CLASS_CODE, crc.classCode());
            Crc32Engine engine = m.devices(Crc32Engine.class).getFirst();
            assertEquals(new PciBar(0, engine.barAddress(0), Crc32Registers.BAR_SIZE, false, false, false), crc.bar(0).orElseThrow());
            assertEquals(List.of(MsixCapabilityLayout.ID), crc.capabilities().stream().map(PciCapability::id).toList());
        }
    }

    @Test
    void shouldSizeBarsWithDecodingOffAndLeaveBarsAndCommandAsFound() throws Exception {
        try (Machine m = new Machine(rich())) {
            McfgTable mcfg = McfgParser.parse(m.acpiTable("MCFG").orElseThrow());
            List<String> before = snapshot(m);
            Recording rec = new Recording(new EcamConfigAccess(m.cpu(), mcfg));
            PciSubsystem pci = PciSubsystem.scan(rec, mcfg.allocations());
            assertTrue(rec.barWrites > 20, "BARs were sized: " + rec.barWrites);
            assertEquals(List.of(), rec.barWritesWhileDecoding, "no BAR is written while its function decodes");
            assertEquals(before, snapshot(m), "BARs and Command restored");
            assertEquals(m.pciFunctions().size(), pci.devices().size());
            m.devices(PciEndpoint.class).forEach(e -> assertTrue(e.barWindow(0).isPresent(), e.name() + " decodes again"));
        }
    }

    private static List<String> snapshot(Machine m) {
        List<String> s = new ArrayList<>();
        for (PciFunction f : m.pciFunctions()) {
            StringBuilder b = new StringBuilder(f.name()).append(' ').append(Long.toHexString(f.configRead(COMMAND, 2)));
            for (int i = 0; i < BAR_COUNT_TYPE0; i++) {
                b.append(' ').append(Long.toHexString(f.configRead(bar(i), 4)));
            }
            s.add(b.toString());
        }
        return s;
    }

    @Test
    void shouldStopACapabilityWalkThatLoopsAndSayWhy() {
        try (Machine m = new Machine(MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("low", 0, 64 * MiB)))
                .withDevices(List.of(ProbeEndpoint.spec("loop", RequesterId.of(0, 6, 0), true))))) {
            PciSubsystem pci = PciSubsystem.scan(m);
            PciDevice d = pci.device(RequesterId.of(0, 6, 0)).orElseThrow();
            assertEquals(List.of(MsixCapabilityLayout.ID, MsiCapabilityLayout.ID), d.capabilities().stream().map(PciCapability::id).toList());
            assertEquals(List.of("0000:00:06.0: the capability list loops back to 0x40; the walk stops after 2 entries"), pci.problems());
        }
    }

    @Test
    void shouldNotFollowABridgeWhoseSecondaryBusIsNotBelowIt() {
        try (Machine m = new Machine(rich())) {
            RequesterId rp = MachineConfig.DEFAULT_ROOT_PORT.requester();
            m.pciHost().ecam().at(rp).configWrite(SECONDARY_BUS, 1, 0); // firmware bug: a bridge that leads back to bus 0
            PciSubsystem pci = PciSubsystem.scan(m);
            assertEquals(List.of("0000:00:1c.0: bridge to bus 00 is not followed (not below its own bus)"), pci.problems());
            assertTrue(pci.device(BEHIND_ROOT_PORT).isEmpty(), "bus 1 is not reached");
            assertTrue(pci.device(rp).isPresent());
        }
    }

    @Test
    void shouldEnumerateNothingWithoutAnMcfgTable() {
        try (Machine m = new Machine(rich())) {
            Platform noMcfg = new Platform() {
                @Override public Cpu cpu() { return m.cpu(); }
                @Override public Clock clock() { return m.clock(); }
                @Override public List<MemoryMapEntry> memoryMap() { return m.memoryMap(); }
                @Override public Optional<byte[]> acpiTable(String s) { return s.equals("MCFG") ? Optional.empty() : m.acpiTable(s); }
                @Override public Interrupts interrupts() { return m.interrupts(); }
            };
            PciSubsystem pci = PciSubsystem.scan(noMcfg);
            assertEquals(List.of(), pci.devices());
            assertEquals(List.of("no MCFG table: PCI configuration space cannot be reached, no device is enumerated"), pci.problems());
        }
    }

    @Test
    void shouldSetMemorySpaceAndBusMasterEnableInCommand() {
        try (Machine m = new Machine(rich())) {
            PciDevice d = PciSubsystem.scan(m).device(CopyEngine.slot(1)).orElseThrow();
            CopyEngine e = (CopyEngine) m.device("memcpy1");
            assertFalse(e.port().busMasterEnabled());
            d.enableBusMaster();
            d.enableMemorySpace();
            assertEquals(COMMAND_MEMORY_SPACE | COMMAND_BUS_MASTER, d.command());
            assertTrue(e.port().busMasterEnabled(), "the device's DMA port opens");
            d.disableBusMaster();
            assertFalse(e.port().busMasterEnabled());
        }
    }
}
