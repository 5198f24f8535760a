package org.jdma.bench.ring;

import org.jdma.spec.pci.EcamLayout;
import org.jdma.spec.pci.PciConfigLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.jdma.platform.Cpu;
import org.jdma.machine.Machine;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.spec.memcpy.CopyEngineRegisters;
import org.jdma.spec.memcpy.Opcode;

/**
 * The copy engine's threaded mode driven by the least driver that works: descriptors written
 * straight into guest RAM from a prebuilt 64-byte image, a status store to clear each completion
 * record, one SUBMIT_INDEX write per batch, acquire polls of the status bytes. No {@code
 * CopyRing}: this isolates what the machine (CPU path, MMIO, device thread) costs, so that the
 * ring's own share of {@code RingBenchmark.jdmaRing} can be told apart.
 *
 * <p>With {@code threaded == false} the engine stays on the event kernel and the round trip runs
 * the machine until idle after the doorbell: everything on one thread.
 */
public final class DeviceOnlyRoundTrip implements RoundTrip {

    private static final long RING = 0x10_0000;
    private static final long RECORDS = RING + (long) CAPACITY * CopyDescriptorLayout.SIZE;
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Machine machine;
    private final Cpu cpu;
    private final CopyEngine engine;
    private final long bar;
    private final MemorySegment image = MemorySegment.ofArray(new byte[CopyDescriptorLayout.SIZE]);
    private int head;

    private final boolean threaded;

    public DeviceOnlyRoundTrip() {
        this(true);
    }

    public DeviceOnlyRoundTrip(boolean threaded) {
        this.threaded = threaded;
        machine = Machine.createDefault();
        cpu = machine.cpu();
        engine = machine.devices(CopyEngine.class).getFirst();
        bar = engine.barAddress(0);
        // Bus Master Enable, as a driver sets it through configuration space (ECAM) before the device may DMA.
        long command = machine.config().pci().ecamBase() + EcamLayout.offset(engine.requester(), PciConfigLayout.COMMAND);
        cpu.write16(command, cpu.read16(command) | PciConfigLayout.COMMAND_BUS_MASTER);
        cpu.write64(bar + CopyEngineRegisters.RING_BASE, RING);
        cpu.write32(bar + CopyEngineRegisters.RING_SIZE, CAPACITY);
        cpu.write32(bar + CopyEngineRegisters.CONTROL, CopyEngineRegisters.CONTROL_ENABLE);
        image.set(LE_INT, CopyDescriptorLayout.FLAGS_OPCODE, CopyDescriptorLayout.flagsOpcode(
                CopyDescriptorLayout.FLAG_RCR | CopyDescriptorLayout.FLAG_CRAV, Opcode.NOOP.code()));
        if (threaded) {
            engine.startThread();
        }
    }

    private static long record(int slot) {
        return RECORDS + (long) slot * CompletionRecordLayout.SIZE;
    }

    @Override
    public int roundTrip(int batch) {
        int first = head;
        for (int i = 0; i < batch; i++) {
            int slot = (first + i) & (CAPACITY - 1);
            image.set(LE_LONG, CopyDescriptorLayout.COMPLETION_ADDR, record(slot));
            cpu.write32(record(slot), 0);
            cpu.write(RING + (long) slot * CopyDescriptorLayout.SIZE, image, 0, CopyDescriptorLayout.SIZE);
        }
        head = (first + batch) & (CAPACITY - 1);
        cpu.write32(bar + CopyEngineRegisters.SUBMIT_INDEX, head);
        if (!threaded) {
            machine.clock().runUntilIdle();
        }
        int statusSum = 0;
        for (int i = 0; i < batch; i++) {
            long rec = record((first + i) & (CAPACITY - 1));
            int status;
            while ((status = cpu.read32Acquire(rec) & 0xFF) == 0) {
                Thread.onSpinWait();
            }
            statusSum += status;
        }
        return statusSum;
    }

    @Override
    public void close() {
        if (threaded) {
            engine.stopThread();
        }
        machine.close();
    }
}
