package org.jdma.kernel.driver;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.pci.PciSubsystem;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.crc32.Crc32Engine;
import org.jdma.machine.dev.timer.CountdownTimer;
import org.jdma.spec.pci.RequesterId;

/**
 * A machine for the driver-model tests: the copy engine at 00:04.0, an MSI-only device at
 * 00:06.0, the CRC-32 engine at 00:07.0, and (when asked) the countdown timer at ports 0x300-0x303
 * on IRQ 5, which makes the LPC bridge appear at 00:1f.0; its memory under a frame allocator and a
 * direct DMA-mapping layer, so a driver core can be bound without a kernel.
 */
final class DriverRig {

    static final RequesterId COPY_ENGINE = RequesterId.of(0, 4, 0);
    static final RequesterId MSI_ONLY = RequesterId.of(0, 6, 0);
    static final RequesterId CRC = RequesterId.of(0, 7, 0);
    static final RequesterId LPC = RequesterId.of(0, 0x1F, 0);

    final Machine machine;
    final DmaMemory memory;
    final DmaMappingLayer dma;
    private final List<DriverRegistry> open = new ArrayList<>();

    DriverRig(boolean withTimer) {
        MachineConfig c = TestMachines.small(1)
                .withDevice(MsiOnlyEndpoint.spec("msi0", MSI_ONLY))
                .withDevice(Crc32Engine.spec("crc0", CRC));
        if (withTimer) {
            c = c.withDevice(CountdownTimer.spec("timer0", 0x300, 5));
        }
        machine = new Machine(c);
        memory = TestMachines.dmaMemory(machine);
        dma = TestMachines.directDma(memory);
    }

    DriverRegistry bind(Driver<?>... drivers) {
        DriverRegistry r = DriverRegistry.bind(machine, PciSubsystem.scan(machine), dma, List.of(drivers));
        open.add(r);
        return r;
    }

    long freeFrames() {
        return memory.frames().stats().freeFrames();
    }

    /** The vector the interrupt controller would hand out next (it is given back at once). */
    int nextVector() {
        int v = machine.interrupts().allocateVector();
        machine.interrupts().freeVector(v);
        return v;
    }

    void close() {
        for (DriverRegistry c : open.reversed()) {
            c.close();
        }
        machine.close();
    }

    /** A bound instance that records what its context gave it and how often it was removed and reset. */
    static final class Recorder implements DriverInstance {
        final DriverContext context;
        int removes;
        int resets;

        Recorder(DriverContext context) {
            this.context = context;
        }

        @Override
        public void remove() {
            removes++;
        }

        @Override
        public void reset() {
            resets++;
        }
    }

    /** A driver whose probe runs {@code probe} on the context and returns a {@link Recorder}. */
    static Driver<Recorder> recording(String name, DeviceMatch match, Consumer<DriverContext> probe) {
        return Driver.of(name, match, ctx -> {
            probe.accept(ctx);
            return new Recorder(ctx);
        });
    }

    static Driver<Recorder> recording(String name, DeviceMatch match) {
        return recording(name, match, ctx -> { });
    }
}
