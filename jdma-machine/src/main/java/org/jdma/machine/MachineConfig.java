package org.jdma.machine;

import java.util.List;
import java.util.Optional;
import org.jdma.machine.bus.BusTiming;
import org.jdma.machine.cache.CacheConfig;
import org.jdma.machine.dev.memcpy.CopyEngineConfig;
import org.jdma.machine.firmware.acpi.DmarDescription;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.machine.iommu.vtd.VtdConfig;
import org.jdma.platform.pci.PciFunction;
import org.jdma.spec.pci.RequesterId;

/**
 * Everything that shapes a machine, in one record. Sizes in bytes, times in nanoseconds.
 *
 * @param seed              seed of the machine's one random source
 * @param ram               RAM regions of the physical address map
 * @param cache             the CPU data cache: coherent (x86) or write-back and bypassed by DMA
 * @param busTiming         timing of each device's path to memory
 * @param interruptLatencyNs MSI write to handler entry
 * @param mmioAccessNs      stall of an uncached MMIO read
 * @param copyEngines       number of copy engines plugged in (memcpy0 at 00:04.0, memcpy1 at 00:05.0, ...)
 * @param copyEngine        configuration of each copy engine
 * @param bridges           PCI-to-PCI bridges (root ports) shaping the bus hierarchy
 * @param dmar              the DMAR table the firmware publishes; empty: the machine has no DMA
 *                          remapping to report and publishes no DMAR
 * @param vtd               what every remapping unit the DMAR describes offers (CAP/ECAP) and its timing
 * @param rogueDevices      rogue bus masters plugged in (rogue0 at 00:10.0, ...): devices that DMA to
 *                          any address they are told, for attack scenarios; 0 on the default machine
 */
public record MachineConfig(long seed, List<Ram> ram, CacheConfig cache, BusTiming busTiming,
                            long interruptLatencyNs, long mmioAccessNs, int copyEngines, CopyEngineConfig copyEngine,
                            List<Bridge> bridges, Optional<DmarDescription> dmar,
                            VtdConfig vtd, int rogueDevices) {

    /** A RAM region to create. */
    public record Ram(String name, long base, long size) { }

    /**
     * A PCI-to-PCI bridge at {@code requester} forwarding buses {@code [secondaryBus,
     * subordinateBus]}. Every bridge presents as QEMU's generic PCIe root port
     * ({@link #VENDOR_ID}:{@link #DEVICE_ID}); to the OS only its bus numbers matter here.
     */
    public record Bridge(String name, RequesterId requester, int secondaryBus, int subordinateBus) {
        /** Red Hat, Inc. (QEMU's emulated devices). */
        public static final int VENDOR_ID = 0x1B36;
        /** QEMU "pcie-root-port". */
        public static final int DEVICE_ID = 0x000C;

        /** The function enumeration finds (checks the bus numbers). */
        public PciFunction pciFunction() {
            return PciFunction.bridge(name, requester, VENDOR_ID, DEVICE_ID, secondaryBus, subordinateBus);
        }
    }

    public static final long GiB = 1L << 30;
    /** Device BARs are placed from here, 64 KiB apart, below the interrupt range. */
    public static final long MMIO_BASE = 0xF000_0000L;
    public static final long BAR_STRIDE = 0x1_0000L;
    /** Copy engine i sits at 00:(FIRST_COPY_ENGINE_DEVICE + i).0 on the root bus. */
    public static final int FIRST_COPY_ENGINE_DEVICE = 4;
    /** As many as fit on bus 0 from device 4 to device 0x1f. */
    public static final int MAX_COPY_ENGINES = 0x1F - FIRST_COPY_ENGINE_DEVICE + 1;
    /** Rogue device i sits at 00:(FIRST_ROGUE_DEVICE + i).0; copy engines and rogues must not collide (checked by the machine). */
    public static final int FIRST_ROGUE_DEVICE = 0x10;
    public static final int MAX_ROGUE_DEVICES = 4;
    /**
     * Where the default machine's firmware reports its remapping unit's registers: the address
     * QEMU's q35 machine gives its VT-d unit.
     */
    public static final long VTD_REGISTER_BASE = 0xFED9_0000L;
    /** Host Address Width of the default DMAR: 39-bit DMA addresses (3-level VT-d page tables). */
    public static final int HOST_ADDRESS_WIDTH = 38;
    /** The default machine's PCIe root port: 00:1c.0 with bus 1 below it, nothing plugged in. */
    public static final Bridge DEFAULT_ROOT_PORT = new Bridge("rootport0", RequesterId.of(0, 0x1C, 0), 1, 1);

    public MachineConfig {
        ram = List.copyOf(ram);
        bridges = List.copyOf(bridges);
        if (ram.isEmpty()) {
            throw new IllegalArgumentException("a machine needs at least one RAM region");
        }
        java.util.Objects.requireNonNull(cache, "cache");
        java.util.Objects.requireNonNull(vtd, "vtd");
        if (rogueDevices < 0 || rogueDevices > MAX_ROGUE_DEVICES) {
            throw new IllegalArgumentException("rogueDevices must be 0.." + MAX_ROGUE_DEVICES + ", was " + rogueDevices);
        }
        if (copyEngines < 0 || copyEngines > MAX_COPY_ENGINES) {
            throw new IllegalArgumentException("copyEngines must be 0.." + MAX_COPY_ENGINES + " (bus 0, devices 04..1f), was " + copyEngines);
        }
        if (rogueDevices > 0 && FIRST_COPY_ENGINE_DEVICE + copyEngines > FIRST_ROGUE_DEVICE) {
            throw new IllegalArgumentException(String.format(
                    "%d copy engines (00:%02x.0..00:%02x.0) collide with rogue device 0 at 00:%02x.0: use at most %d copy engines with rogue devices",
                    copyEngines, FIRST_COPY_ENGINE_DEVICE, FIRST_COPY_ENGINE_DEVICE + copyEngines - 1, FIRST_ROGUE_DEVICE,
                    FIRST_ROGUE_DEVICE - FIRST_COPY_ENGINE_DEVICE));
        }
    }

    /**
     * The default machine: 2 GiB of RAM below 4 GiB (so 32-bit DMA masks have something to reach)
     * and 2 GiB above 4 GiB (so they also have something to miss), a PCI hole from 2 GiB to 4 GiB
     * with the device BARs and the interrupt range, 64-byte cache lines, one copy engine at
     * 00:04.0, a PCIe root port at 00:1c.0 (bus 1, empty), and the {@link #defaultDmar()}.
     */
    public static MachineConfig defaults() {
        return new MachineConfig(1, List.of(new Ram("low", 0, 2 * GiB), new Ram("high", 4 * GiB, 2 * GiB)),
                CacheConfig.COHERENT, BusTiming.DEFAULT, 1_000, 250, 1, CopyEngineConfig.DEFAULT, List.of(DEFAULT_ROOT_PORT),
                Optional.of(defaultDmar()), VtdConfig.DEFAULT, 0);
    }

    /**
     * The default machine's DMAR: one remapping unit at {@link #VTD_REGISTER_BASE} (one 4 KiB
     * register page) covering all of segment 0 (INCLUDE_PCI_ALL), 39-bit DMA addresses, no RMRRs.
     *
     * <p>Flags: DMA_CTRL_PLATFORM_OPT_IN only. The flag states that any DMA the platform starts
     * itself reaches only RMRR memory when firmware hands over to the OS, and asks the OS to keep
     * remapping on; that holds here (the firmware starts no DMA at all), and current Intel client
     * firmware sets it ("Kernel DMA Protection"). INTR_REMAP is clear because no interrupt
     * remapping hardware is modelled, and X2APIC_OPT_OUT means something only with INTR_REMAP.
     *
     * <p>The machine plugs a VT-d unit ({@link #vtd()}) in at the register base; it starts with
     * translation disabled, as hardware leaves reset.
     */
    public static DmarDescription defaultDmar() {
        return DmarDescription.of("JDMAMACH", HOST_ADDRESS_WIDTH, DmarLayout.FLAG_DMA_CTRL_PLATFORM_OPT_IN,
                List.of(DmarDescription.RemappingUnit.includeAll(0, VTD_REGISTER_BASE)));
    }

    public MachineConfig withSeed(long s) {
        return new MachineConfig(s, ram, cache, busTiming, interruptLatencyNs, mmioAccessNs, copyEngines, copyEngine, bridges, dmar, vtd, rogueDevices);
    }

    public MachineConfig withRam(List<Ram> r) {
        return new MachineConfig(seed, r, cache, busTiming, interruptLatencyNs, mmioAccessNs, copyEngines, copyEngine, bridges, dmar, vtd, rogueDevices);
    }

    public MachineConfig withCopyEngines(int n) {
        return new MachineConfig(seed, ram, cache, busTiming, interruptLatencyNs, mmioAccessNs, n, copyEngine, bridges, dmar, vtd, rogueDevices);
    }

    public MachineConfig withCopyEngine(CopyEngineConfig c) {
        return new MachineConfig(seed, ram, cache, busTiming, interruptLatencyNs, mmioAccessNs, copyEngines, c, bridges, dmar, vtd, rogueDevices);
    }

    public MachineConfig withBusTiming(BusTiming t) {
        return new MachineConfig(seed, ram, cache, t, interruptLatencyNs, mmioAccessNs, copyEngines, copyEngine, bridges, dmar, vtd, rogueDevices);
    }

    public MachineConfig withBridges(List<Bridge> b) {
        return new MachineConfig(seed, ram, cache, busTiming, interruptLatencyNs, mmioAccessNs, copyEngines, copyEngine, b, dmar, vtd, rogueDevices);
    }

    /** The firmware publishes {@code d} as its DMAR. */
    public MachineConfig withDmar(DmarDescription d) {
        return new MachineConfig(seed, ram, cache, busTiming, interruptLatencyNs, mmioAccessNs, copyEngines, copyEngine, bridges,
                Optional.of(d), vtd, rogueDevices);
    }

    /** The firmware publishes no DMAR: a machine without DMA remapping. */
    public MachineConfig withoutDmar() {
        return new MachineConfig(seed, ram, cache, busTiming, interruptLatencyNs, mmioAccessNs, copyEngines, copyEngine, bridges,
                Optional.empty(), vtd, rogueDevices);
    }

    public MachineConfig withCache(CacheConfig c) {
        return new MachineConfig(seed, ram, c, busTiming, interruptLatencyNs, mmioAccessNs, copyEngines, copyEngine, bridges, dmar, vtd, rogueDevices);
    }

    public MachineConfig withVtd(VtdConfig v) {
        return new MachineConfig(seed, ram, cache, busTiming, interruptLatencyNs, mmioAccessNs, copyEngines, copyEngine, bridges, dmar, v, rogueDevices);
    }

    public MachineConfig withRogueDevices(int n) {
        return new MachineConfig(seed, ram, cache, busTiming, interruptLatencyNs, mmioAccessNs, copyEngines, copyEngine, bridges, dmar, vtd, n);
    }
}
