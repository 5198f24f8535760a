package org.jdma.cli.attack;

import org.jdma.machine.dev.memcpy.CopyEngine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.dma.StreamingMapping;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.iommu.iova.CachedIovaAllocator;
import org.jdma.kernel.iommu.vtd.VtdDomain;
import org.jdma.kernel.iommu.vtd.VtdIommuDriver;
import org.jdma.kernel.iommu.vtd.VtdUnitDriver;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.rogue.RogueDevice;
import org.jdma.machine.firmware.acpi.DmarDescription;
import org.jdma.spec.vtd.VtdRegisterLayout;
import org.jdma.machine.firmware.acpi.ScopeDescription;
import org.jdma.spec.pci.PciConfigLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * One machine under attack: the default machine plus one rogue device, with a DMAR that also
 * reserves a memory region (RMRR) for the copy engine, booted with the kernel in one
 * {@link AttackMode}. Everything an attack needs from the kernel goes through here.
 */
final class AttackBed implements AutoCloseable {

    /** The copy engine's RMRR: the last 64 KiB of low RAM. */
    static final long RMRR_BASE = 2 * MachineConfig.GiB - 0x1_0000;
    static final long RMRR_SIZE = 0x1_0000;
    /** The copy engine: the peer whose buffers and RMRR the rogue goes after. */
    static final RequesterId PEER = CopyEngine.slot(0);
    /** rogue1: a device whose hardware honours Command.Bus Master Enable, as PCI requires. */
    static final RequesterId COMPLIANT = RogueDevice.slot(1);

    private final AttackMode mode;
    private final Machine machine;
    private final Kernel kernel;
    private final RogueDevice rogue;
    private final RogueDevice compliant;
    private final List<DmaBuffer> buffers = new ArrayList<>();
    /** Faults the kernel's handler reported and no attack has taken yet (event thread = this thread). */
    private final List<IommuFault> reported = new ArrayList<>();
    /** The rogue's DMA API, as a driver of it would have it: its default domain, or direct DMA. */
    private final DeviceDmaApi rogueDma;
    /** Live mappings made by {@link #mapForPeer} and {@link #mapForRogue}, by device address. */
    private final Map<Long, StreamingMapping> peerMappings = new HashMap<>();
    private final Map<Long, StreamingMapping> rogueMappings = new HashMap<>();

    AttackBed(AttackMode mode, long seed) {
        this.mode = mode;
        this.machine = new Machine(config(seed));
        try {
            this.kernel = boot(machine, mode);
            this.rogue = machine.devices(RogueDevice.class).getFirst();
            this.compliant = machine.devices(RogueDevice.class).get(1);
            kernel.iommu().addFaultListener(reported::add);
            // In strict+untrusted mode the rogue is marked untrusted, as Linux marks a device behind an
            // external-facing port: its sub-page streaming mappings are bounced.
            DmaDevice rogueDevice = new DmaDevice(rogue.name(), rogue.requester(), mode == AttackMode.STRICT_UNTRUSTED);
            kernel.dma().attach(rogueDevice);
            this.rogueDma = new DeviceDmaApi(kernel.dma(), rogueDevice);
            rogueDma.setMaskAndCoherent(DmaMask.BITS_64);
        } catch (RuntimeException e) {
            machine.close();
            throw e;
        }
    }

    /**
     * The default machine, a rogue device that ignores Bus Master Enable (rogue0), one that honours
     * it (rogue1), and an RMRR for the copy engine. No driver binds either rogue, so the OS never
     * sets their Bus Master Enable.
     */
    static MachineConfig config(long seed) {
        DmarDescription dmar = DmarDescription.of("JDMAMACH", MachineConfig.HOST_ADDRESS_WIDTH,
                MachineConfig.defaultDmar().flags(), List.of(
                        DmarDescription.RemappingUnit.includeAll(0, MachineConfig.VTD_REGISTER_BASE),
                        new DmarDescription.ReservedMemoryRegion(0, RMRR_BASE, RMRR_BASE + RMRR_SIZE - 1,
                                List.of(new ScopeDescription.PciDevice(PEER, 0)))));
        return MachineConfig.defaults().withSeed(seed).withDevice(RogueDevice.spec(0))
                .withDevice(RogueDevice.spec(1, RogueDevice.Options.HONOURS_BUS_MASTER_ENABLE)).withDmar(dmar);
    }

    private static Kernel boot(Machine machine, AttackMode mode) {
        IommuMode m = switch (mode) {
            case OFF -> IommuMode.OFF;
            case PASS_THROUGH -> IommuMode.IDENTITY;
            case STRICT, STRICT_UNTRUSTED -> IommuMode.STRICT;
            case LAZY -> IommuMode.LAZY;
        };
        Kernel.Options options = Kernel.Options.DEFAULTS.withIommu(m).withIovaAllocators(CachedIovaAllocator::new);
        // The kernel is told the rogue is untrusted: its domain is strict whatever the mode.
        return Kernel.boot(machine, mode == AttackMode.STRICT_UNTRUSTED ? options.withUntrusted(RogueDevice.slot(0)) : options);
    }

    AttackMode mode() { return mode; }
    Machine machine() { return machine; }
    Kernel kernel() { return kernel; }
    RogueDevice rogue() { return rogue; }
    /** rogue1, which honours Bus Master Enable. */
    RogueDevice compliant() { return compliant; }

    /** The Status register of {@code device} as the OS reads it through configuration space (PCI 3.0 §6.2.3). */
    int configStatus(RequesterId device) {
        return kernel.pci().device(device).orElseThrow().read16(PciConfigLayout.STATUS);
    }

    /** The Command register of {@code device} as the OS reads it through configuration space. */
    int configCommand(RequesterId device) {
        return kernel.pci().device(device).orElseThrow().read16(PciConfigLayout.COMMAND);
    }

    /** A kernel buffer of {@code size} bytes (page aligned), freed when the bed closes. */
    DmaBuffer allocate(long size) {
        DmaBuffer b = kernel.memory().allocate(size, 4096);
        buffers.add(b);
        return b;
    }

    /** Maps all of {@code b} for the copy engine through its driver's DMA API; returns the device address. */
    long mapForPeer(DmaBuffer b) {
        return map(kernel.copyEngine().dma(), b, peerMappings);
    }

    void unmapForPeer(long deviceAddress) {
        unmap(peerMappings, deviceAddress);
    }

    /** Maps {@code b} for the rogue device as if a driver of it did (the device is compromised, not its driver). */
    long mapForRogue(DmaBuffer b) {
        return map(rogueDma, b, rogueMappings);
    }

    /** Maps the first {@code length} bytes of {@code b} for the rogue, for the device to read. */
    long mapForRogue(DmaBuffer b, long length) {
        StreamingMapping m = rogueDma.mapStreaming(b, length, DmaDirection.TO_DEVICE);
        rogueMappings.put(m.dmaAddress(), m);
        return m.dmaAddress();
    }

    /** The interrupt remapping table of the unit, when the kernel remaps interrupts. */
    OptionalLong interruptRemapTable() {
        return kernel.iommu().driver(VtdIommuDriver.class).stream().flatMap(d -> d.units().stream())
                .filter(VtdUnitDriver::interruptRemapping).mapToLong(VtdUnitDriver::interruptRemapTable).findFirst();
    }

    /** Undoes {@link #mapForRogue}, as the rogue's driver does when its I/O is done. */
    void unmapForRogue(long deviceAddress) {
        unmap(rogueMappings, deviceAddress);
    }

    private static long map(DeviceDmaApi dma, DmaBuffer b, Map<Long, StreamingMapping> live) {
        StreamingMapping m = dma.mapStreaming(b, b.length(), DmaDirection.BIDIRECTIONAL);
        live.put(m.dmaAddress(), m);
        return m.dmaAddress();
    }

    private static void unmap(Map<Long, StreamingMapping> live, long deviceAddress) {
        StreamingMapping m = live.remove(deviceAddress);
        if (m != null) {
            m.close();
        }
    }

    /**
     * Lets {@code ns} of virtual time pass (the lazy flush queue's 10 ms timer fires on the machine's
     * clock meanwhile), then asks the kernel to run any timer that is due, as a timer tick would.
     */
    void advance(long ns) {
        machine.clock().runFor(ns);
        kernel.iommu().runTimers();
    }

    /** Lets pending interrupts (the fault event) be handled, then returns the faults the kernel reported since the last call. */
    List<IommuFault> takeKernelFaults() {
        machine.clock().runFor(INTERRUPT_SETTLE_NS);
        List<IommuFault> taken = List.copyOf(reported);
        reported.clear();
        return taken;
    }

    /** Virtual time given to the fault-event interrupt to reach its handler. */
    static final long INTERRUPT_SETTLE_NS = 20_000;

    /** Physical address of the root table the unit uses, when translation is on. */
    OptionalLong rootTable() {
        return kernel.iommu().driver(VtdIommuDriver.class).stream().flatMap(d -> d.units().stream())
                .filter(VtdUnitDriver::translationEnabled)
                .mapToLong(VtdUnitDriver::rootTable).findFirst();
    }

    /**
     * The root-table address in the remapping unit's RTADDR_REG (VT-d §10.4.6: RTA, bits 63:12),
     * read by the CPU through MMIO: the table the unit walks once translation is on. With the
     * IOMMU off the kernel never programs the unit, and the register keeps its reset value, 0.
     */
    long rootTableRegister() {
        return machine.cpu().read64(MachineConfig.VTD_REGISTER_BASE + VtdRegisterLayout.RTADDR) & VtdRegisterLayout.RTADDR_RTA_MASK;
    }

    /** Physical address of {@code device}'s top-level page-table page, when it has one. */
    OptionalLong pageTablePage(RequesterId device) {
        return VtdDomain.of(kernel.iommu(), device).filter(d -> d.pageTable() != null)
                .map(d -> OptionalLong.of(d.pageTable().root())).orElse(OptionalLong.empty());
    }

    /** The longest unmap-to-flush window the rogue's lazy domain has measured, if it has a flush queue that flushed. */
    OptionalLong flushQueueStaleMaxNs() {
        return kernel.iommu().domainOf(rogue.requester()).filter(d -> d.flushQueue() != null)
                .map(d -> d.flushQueue().stats()).filter(st -> st.freed() > 0)
                .map(st -> OptionalLong.of(st.staleMaxNs())).orElse(OptionalLong.empty());
    }

    @Override
    public void close() {
        try {
            peerMappings.values().forEach(StreamingMapping::close);
            rogueMappings.values().forEach(StreamingMapping::close);
            for (DmaBuffer b : buffers) {
                if (!b.isFreed()) {
                    b.close();
                }
            }
            kernel.close();
        } finally {
            machine.close();
        }
    }
}
