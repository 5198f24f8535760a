package org.jdma.cli.attack;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.engine.DeviceAddressing;
import org.jdma.kernel.engine.DmaBuffer;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.rogue.RogueDevice;
import org.jdma.machine.firmware.acpi.DmarDescription;
import org.jdma.machine.firmware.acpi.DmarLayout;
import org.jdma.machine.firmware.acpi.ScopeDescription;
import org.jdma.machine.pci.RequesterId;

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
    static final RequesterId PEER = RequesterId.of(0, MachineConfig.FIRST_COPY_ENGINE_DEVICE, 0);

    private final AttackMode mode;
    private final Machine machine;
    private final Kernel kernel;
    private final RogueDevice rogue;
    private final List<DmaBuffer> buffers = new ArrayList<>();

    AttackBed(AttackMode mode, long seed) {
        this.mode = mode;
        this.machine = new Machine(config(seed));
        try {
            this.kernel = boot(machine, mode);
            this.rogue = machine.rogueDevices().getFirst();
        } catch (RuntimeException e) {
            machine.close();
            throw e;
        }
    }

    /** The default machine, one rogue device, and an RMRR for the copy engine. */
    static MachineConfig config(long seed) {
        DmarDescription dmar = DmarDescription.of("JDMAMACH", MachineConfig.HOST_ADDRESS_WIDTH,
                DmarLayout.FLAG_DMA_CTRL_PLATFORM_OPT_IN, List.of(
                        DmarDescription.RemappingUnit.includeAll(0, MachineConfig.VTD_REGISTER_BASE),
                        new DmarDescription.ReservedMemoryRegion(0, RMRR_BASE, RMRR_BASE + RMRR_SIZE - 1,
                                List.of(new ScopeDescription.PciDevice(PEER, 0)))));
        return MachineConfig.defaults().withSeed(seed).withRogueDevices(1).withDmar(dmar);
    }

    private static Kernel boot(Machine machine, AttackMode mode) {
        // TODO(vtd-driver): boot with the IOMMU in STRICT or LAZY mode once the kernel has the option;
        // until then every mode runs with translation off.
        return Kernel.boot(machine);
    }

    AttackMode mode() { return mode; }
    Machine machine() { return machine; }
    Kernel kernel() { return kernel; }
    RogueDevice rogue() { return rogue; }

    /** A kernel buffer of {@code size} bytes (page aligned), freed when the bed closes. */
    DmaBuffer allocate(long size) {
        DmaBuffer b = kernel.memory().allocate(size, 4096);
        buffers.add(b);
        return b;
    }

    /** Maps {@code b} for the copy engine, as its driver does; returns the device address. */
    long mapForPeer(DmaBuffer b) {
        return peerAddressing().map(b, 0);
    }

    void unmapForPeer(long deviceAddress) {
        peerAddressing().unmap(deviceAddress);
    }

    private DeviceAddressing peerAddressing() {
        return kernel.copyEngine().engine().addressing();
    }

    /** Maps {@code b} for the rogue device as if a driver of it did (the device is compromised, not its driver). */
    long mapForRogue(DmaBuffer b) {
        return b.physicalAddress();
    }

    /** Undoes {@link #mapForRogue}, as the rogue's driver does when its I/O is done. */
    void unmapForRogue(long deviceAddress, long size) {
    }

    /** Lets pending interrupts (the fault event) be handled, then returns the faults the kernel reported since the last call. */
    List<FaultRecord> takeKernelFaults() {
        machine.clock().runFor(INTERRUPT_SETTLE_NS);
        return List.of();
    }

    /** Virtual time given to the fault-event interrupt to reach its handler. */
    static final long INTERRUPT_SETTLE_NS = 20_000;

    /** Physical address of the root table the unit uses, when translation is on. */
    OptionalLong rootTable() {
        return OptionalLong.empty();
    }

    /** Physical address of {@code device}'s top-level page-table page, when it has one. */
    OptionalLong pageTablePage(RequesterId device) {
        return OptionalLong.empty();
    }

    @Override
    public void close() {
        try {
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
