package org.jdma.machine.dev.crc32;

import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.bus.Access;
import org.jdma.machine.cpu.MachineCpu;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.crc32.Crc32Registers;
import org.jdma.spec.pci.EcamLayout;
import org.jdma.spec.pci.MsixCapabilityLayout;
import org.jdma.spec.pci.MsixTableLayout;
import org.jdma.spec.pci.PciConfigLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * A machine with one CRC-32 engine, plugged by one configuration line, and the few things an OS
 * does to drive it, all through CPU loads and stores: configuration cycles through ECAM, registers
 * through BAR0 as the OS finds it in configuration space, an MSI-X entry programmed in the table.
 * Records every bus request the engine makes and every interrupt it raises.
 */
final class Crc32Rig implements AutoCloseable {

    static final long MiB = 1L << 20;
    static final RequesterId SLOT = RequesterId.of(0, 7, 0);
    static final long RAM = 64 * MiB;
    static final long INPUT = 1 * MiB;
    static final long RESULT_AT = 2 * MiB;

    /** One bus request the engine made, as a bus analyzer sees it. */
    record Request(Access access, long address, long length, boolean msi, boolean ok, long timeNs) { }

    final Machine machine;
    final MachineCpu cpu;
    final Crc32Engine engine;
    final long cfg;
    final long bar;
    final List<Request> requests = new ArrayList<>();
    /** For each interrupt the engine raised: the time, STATUS and the result word in memory, read by the handler. */
    final List<long[]> interrupts = new ArrayList<>();
    int vector = -1;

    Crc32Rig() {
        this(Crc32Config.DEFAULT, MachineConfig.defaults());
    }

    Crc32Rig(Crc32Config config, MachineConfig base) {
        machine = new Machine(base.toBuilder().ram(List.of(new MachineConfig.Ram("low", 0, RAM)))
                .device("crc0", Crc32Engine.KIND, config, SLOT)
                .build());
        cpu = machine.cpu();
        engine = (Crc32Engine) machine.device("crc0");
        cfg = machine.config().pci().ecamBase() + EcamLayout.offset(SLOT, 0);
        bar = (cpu.read32(cfg + PciConfigLayout.BAR0) & 0xFFFF_FFFFL) & ~(long) PciConfigLayout.BAR_MEMORY_FLAGS_MASK;
        machine.addBusMonitor((origin, access, address, length, msi, ok, t) -> {
            if (origin.requester().equals(SLOT)) {
                requests.add(new Request(access, address, length, msi, ok, t));
            }
        });
    }

    /** Sets Bus Master Enable (firmware already set Memory Space). */
    Crc32Rig busMaster() {
        int command = cpu.read16(cfg + PciConfigLayout.COMMAND) & 0xFFFF;
        cpu.write16(cfg + PciConfigLayout.COMMAND, command | PciConfigLayout.COMMAND_BUS_MASTER);
        return this;
    }

    /** Allocates a vector whose handler records what it sees, points MSI-X entry 0 at it, enables MSI-X. */
    Crc32Rig msix() {
        vector = machine.interrupts().allocateVector();
        machine.interrupts().register(vector, v -> interrupts.add(new long[] {
                machine.eventKernel().now(), reg32(Crc32Registers.STATUS), cpu.read32(RESULT_AT) & 0xFFFF_FFFFL}));
        MsiMessage msg = machine.interrupts().messageFor(vector);
        long entry = bar + Crc32Registers.MSIX_TABLE;
        cpu.write32(entry + MsixTableLayout.ADDR_LO, (int) msg.address());
        cpu.write32(entry + MsixTableLayout.ADDR_HI, (int) (msg.address() >>> 32));
        cpu.write32(entry + MsixTableLayout.DATA, msg.data());
        cpu.write32(entry + MsixTableLayout.VECTOR_CONTROL, 0);
        int cap = engine.msixCapabilityOffset().orElseThrow();
        cpu.write16(cfg + cap + MsixCapabilityLayout.MESSAGE_CONTROL, MsixCapabilityLayout.CONTROL_ENABLE);
        return this;
    }

    long reg32(int offset) {
        return cpu.read32(bar + offset) & 0xFFFF_FFFFL;
    }

    long reg64(int offset) {
        return cpu.read64(bar + offset);
    }

    /** Programs one operation and starts it, with the interrupt enabled. */
    void start(long source, long length, long resultAddress) {
        cpu.write64(bar + Crc32Registers.SRC_ADDR, source);
        cpu.write32(bar + Crc32Registers.LENGTH, (int) length);
        cpu.write64(bar + Crc32Registers.RESULT_ADDR, resultAddress);
        cpu.write32(bar + Crc32Registers.CONTROL, Crc32Registers.CONTROL_IRQ_EN | Crc32Registers.CONTROL_START);
    }

    void runIdle() {
        machine.eventKernel().runUntilIdle();
    }

    /** The requests that were not MSI writes. */
    List<Request> dma() {
        return requests.stream().filter(r -> !r.msi()).toList();
    }

    @Override
    public void close() {
        machine.close();
    }
}
