package org.jdma.kernel.isadma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.drivers.isablock.IsaBlockDriver;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.isablock.IsaBlockDevice;
import org.jdma.machine.firmware.acpi.DmarDescription;
import org.jdma.machine.firmware.acpi.ScopeDescription;
import org.jdma.machine.legacy.LegacyBus;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.spec.isablock.IsaBlockPorts;
import org.junit.jupiter.api.Test;

/**
 * ISA DMA under strict VT-d: the 8237A's cycles reach the IOMMU with the LPC bridge's requester id
 * (00:1f.0). A driver that maps its buffer with the DMA API gets an IOVA in 00:1f.0's domain and
 * works; a channel programmed with a raw physical address (what Linux's ISA drivers do) works only
 * inside an RMRR the DMAR gives 00:1f.0, and faults elsewhere, the fault naming 00:1f.0 and the address.
 */
class IsaDmaUnderVtdTest {

    private static final int BASE = 0x3F0;
    private static final int CHANNEL = 2;
    /** The window the RMRR reserves for legacy DMA: 64 KiB at 8 MiB, one 8237A page. */
    private static final long WINDOW = 0x80_0000L;

    private static MachineConfig machine(boolean rmrr) {
        MachineConfig c = MachineConfig.defaults().withDevice(IsaBlockDevice.spec("fd0", BASE, 6, CHANNEL));
        if (rmrr) {
            List<DmarDescription.Structure> s = new ArrayList<>(MachineConfig.defaultDmar().structures());
            s.add(new DmarDescription.ReservedMemoryRegion(0, WINDOW, WINDOW + 0xFFFF,
                    List.of(new ScopeDescription.PciDevice(LegacyBus.LPC_BRIDGE, 0))));
            c = c.withDmar(DmarDescription.of("JDMAISA", MachineConfig.HOST_ADDRESS_WIDTH, DmarLayout.FLAG_DMA_CTRL_PLATFORM_OPT_IN, s));
        }
        return c;
    }

    @Test
    void shouldReadThroughTheBridgesDomainWhenTheDriverMapsItsBufferWithTheDmaApi() {
        try (Machine m = new Machine(machine(false));
             Kernel k = Kernel.boot(m, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT).withDriver(IsaBlockDriver.driver(BASE, 6, CHANNEL)))) {
            IsaBlockDevice fd = m.devices(IsaBlockDevice.class).getFirst();
            Arrays.fill(fd.medium(), 0, 512, (byte) 0x3C);
            byte[] got = new byte[512];
            k.drivers().driver(IsaBlockDriver.class).read(0, 1, got);
            assertArrayEquals(Arrays.copyOf(fd.medium(), 512), got);
            assertTrue(k.iommu().domainOf(LegacyBus.LPC_BRIDGE).isPresent(), "00:1f.0 has a translated domain");
            assertEquals(0, m.isaDma().orElseThrow().counters().faults(CHANNEL));
        }
    }

    @Test
    void shouldFaultNamingTheBridgeAndTheAddressWithoutAnRmrr() {
        try (Machine m = new Machine(machine(false)); Kernel k = Kernel.boot(m, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT))) {
            readSectorTo(m, WINDOW);
            assertEquals(512, m.isaDma().orElseThrow().counters().faults(CHANNEL), "every byte's memory cycle was refused");
            assertEquals(0, m.cpu().read8(WINDOW), "nothing reached memory");
            IommuFault f = k.iommu().faults().getFirst();
            assertEquals(LegacyBus.LPC_BRIDGE, f.device(), "the fault names 00:1f.0");
            assertEquals(WINDOW, f.iovaPage(), "and the page the channel drove");
            assertFalse(f.read(), "a write: device to memory");
        }
    }

    @Test
    void shouldReachTheRmrrWindowUnderStrictTranslation() {
        try (Machine m = new Machine(machine(true)); Kernel k = Kernel.boot(m, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT))) {
            IsaBlockDevice fd = m.devices(IsaBlockDevice.class).getFirst();
            for (int i = 0; i < 512; i++) {
                fd.medium()[i] = (byte) (i * 3 + 1);
            }
            readSectorTo(m, WINDOW + 0x1000);
            assertEquals(0, m.isaDma().orElseThrow().counters().faults(CHANNEL));
            byte[] got = new byte[512];
            m.cpu().read(WINDOW + 0x1000, got);
            assertArrayEquals(Arrays.copyOf(fd.medium(), 512), got, "the RMRR is identity-mapped in 00:1f.0's domain");
            assertTrue(k.iommu().faults().isEmpty());
            readSectorTo(m, WINDOW + 0x10000); // just past the window: not mapped
            assertNotEquals(0, m.isaDma().orElseThrow().counters().faults(CHANNEL));
            assertEquals(WINDOW + 0x10000, k.iommu().faults().getFirst().iovaPage());
        }
    }

    /** Programs the channel with a raw physical address (Linux's ISA drivers do) and has the device read sector 0 to it. */
    private static void readSectorTo(Machine m, long physical) {
        IsaDma isa = new IsaDma(m.cpu());
        try (IsaDma.Lock l = isa.claimDmaLock()) {
            isa.disableDma(CHANNEL);
            isa.clearDmaFf(CHANNEL);
            isa.setDmaMode(CHANNEL, IsaDma.DMA_MODE_READ);
            isa.setDmaAddr(CHANNEL, physical);
            isa.setDmaCount(CHANNEL, 512);
            isa.enableDma(CHANNEL);
        }
        m.cpu().out8(BASE + IsaBlockPorts.SECTOR_LO, 0);
        m.cpu().out8(BASE + IsaBlockPorts.SECTOR_HI, 0);
        m.cpu().out8(BASE + IsaBlockPorts.COUNT, 1);
        m.cpu().out8(BASE + IsaBlockPorts.COMMAND, IsaBlockPorts.CMD_READ);
        m.clock().runUntil(() -> (m.cpu().in8(BASE + IsaBlockPorts.STATUS) & IsaBlockPorts.STATUS_BUSY) == 0);
        m.cpu().out8(BASE + IsaBlockPorts.COMMAND, IsaBlockPorts.CMD_ACK);
    }
}
