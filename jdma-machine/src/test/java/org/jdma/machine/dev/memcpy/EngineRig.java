package org.jdma.machine.dev.memcpy;

import static org.jdma.spec.memcpy.CopyEngineRegisters.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import org.jdma.platform.Cpu;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.pci.EcamLayout;
import org.jdma.spec.pci.MsixCapabilityLayout;
import org.jdma.spec.pci.PciConfigLayout;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.Opcode;

/**
 * A small machine with one copy engine, driven the way a driver would: Bus Master Enable and MSI-X
 * Enable set through configuration space (ECAM), descriptors written into RAM by the CPU,
 * registers reached by MMIO. Memory plan (all in the one 32 MiB RAM region):
 * ring at {@link #RING}, completion records at {@link #RECORDS} (32 bytes per slot), data from
 * {@link #DATA}.
 */
final class EngineRig implements AutoCloseable {

    static final long RAM_SIZE = 32L << 20;
    static final long RING = 0x10_0000;
    static final long RECORDS = 0x20_0000;
    static final long DATA = 0x40_0000;
    /** An address no RAM or MMIO claims (between RAM and the BARs). */
    static final long HOLE = 0x8000_0000L;

    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final Machine machine;
    final Cpu cpu;
    final CopyEngine engine;
    final long bar;
    long ringBase = RING;
    int ringSize;
    /** The producer index the rig has written to SUBMIT_INDEX. */
    int tail;

    EngineRig() {
        this(config());
    }

    EngineRig(MachineConfig config) {
        machine = new Machine(config);
        cpu = machine.cpu();
        engine = machine.devices(CopyEngine.class).getFirst();
        bar = engine.barAddress(0);
        long function = machine.config().pci().ecamBase() + EcamLayout.offset(engine.requester(), 0);
        cpu.write16(function + PciConfigLayout.COMMAND, cpu.read16(function + PciConfigLayout.COMMAND) | PciConfigLayout.COMMAND_BUS_MASTER);
        int msix = engine.msixCapabilityOffset().orElseThrow();
        cpu.write16(function + msix + MsixCapabilityLayout.MESSAGE_CONTROL, MsixCapabilityLayout.CONTROL_ENABLE);
    }

    static MachineConfig config() {
        return MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("low", 0, RAM_SIZE)));
    }

    static MachineConfig config(CopyEngineConfig engine) {
        return config().withDevices(List.of(CopyEngine.spec(0, engine)));
    }

    // ------------------------------------------------------------ registers

    long reg(int offset) {
        return cpu.read32(bar + offset) & 0xFFFF_FFFFL;
    }

    long reg64(int offset) {
        return cpu.read64(bar + offset);
    }

    void write(int offset, long value) {
        cpu.write32(bar + offset, (int) value);
    }

    void write64(int offset, long value) {
        cpu.write64(bar + offset, value);
    }

    int state() {
        return (int) (reg(STATUS) & STATUS_STATE_MASK);
    }

    /** Programs and enables a ring of {@code slots} at {@code base}. */
    void enable(long base, int slots) {
        ringBase = base;
        ringSize = slots;
        tail = 0;
        write64(RING_BASE, base);
        write(RING_SIZE, slots);
        write(CONTROL, CONTROL_ENABLE);
    }

    void enable(int slots) {
        enable(RING, slots);
    }

    /** Programs MSI-X entry {@code entry} with {@code message} and unmasks it. */
    void msix(int entry, MsiMessage message) {
        long e = bar + MSIX_TABLE + (long) entry * MSIX_ENTRY_SIZE;
        cpu.write32(e + MSIX_ADDR_LO, (int) message.address());
        cpu.write32(e + MSIX_ADDR_HI, (int) (message.address() >>> 32));
        cpu.write32(e + MSIX_DATA, message.data());
        cpu.write32(e + MSIX_VECTOR_CONTROL, 0);
    }

    // ------------------------------------------------------------ descriptors

    /** A descriptor as 64 bytes, little-endian, per {@link CopyDescriptorLayout}. */
    static final class Desc {
        final byte[] bytes = new byte[CopyDescriptorLayout.SIZE];
        private final MemorySegment seg = MemorySegment.ofArray(bytes);

        Desc op(int opcode, int flags) {
            seg.set(LE_INT, CopyDescriptorLayout.FLAGS_OPCODE, CopyDescriptorLayout.flagsOpcode(flags, opcode));
            return this;
        }

        Desc completion(long address) {
            seg.set(LE_LONG, CopyDescriptorLayout.COMPLETION_ADDR, address);
            return this;
        }

        Desc src(long address) {
            seg.set(LE_LONG, CopyDescriptorLayout.SRC_ADDR, address);
            return this;
        }

        Desc dst(long address) {
            seg.set(LE_LONG, CopyDescriptorLayout.DST_ADDR, address);
            return this;
        }

        Desc size(long bytes) {
            seg.set(LE_INT, CopyDescriptorLayout.XFER_SIZE, (int) bytes);
            return this;
        }

        Desc handle(int entry) {
            seg.set(LE_SHORT, CopyDescriptorLayout.INT_HANDLE, (short) entry);
            return this;
        }

        Desc word(int offset, int value) {
            seg.set(LE_INT, offset, value);
            return this;
        }

        Desc qword(int offset, long value) {
            seg.set(LE_LONG, offset, value);
            return this;
        }

        Desc setByte(int offset, int value) {
            bytes[offset] = (byte) value;
            return this;
        }
    }

    static final int RECORD_FLAGS = CopyDescriptorLayout.FLAG_RCR | CopyDescriptorLayout.FLAG_CRAV;

    static long recordAddress(int slot) {
        return RECORDS + (long) slot * CompletionRecordLayout.SIZE;
    }

    static Desc memmove(long src, long dst, long size, long record) {
        return new Desc().op(Opcode.MEMMOVE.code(), RECORD_FLAGS).src(src).dst(dst).size(size).completion(record);
    }

    static Desc memfill(long pattern, long dst, long size, long record) {
        return new Desc().op(Opcode.MEMFILL.code(), RECORD_FLAGS).src(pattern).dst(dst).size(size).completion(record);
    }

    static Desc compare(long a, long b, long size, long record) {
        return new Desc().op(Opcode.COMPARE.code(), RECORD_FLAGS).src(a).dst(b).size(size).completion(record);
    }

    static Desc noop(long record) {
        return new Desc().op(Opcode.NOOP.code(), RECORD_FLAGS).completion(record);
    }

    /** Writes {@code d} into slot {@code slot} of the ring. */
    void put(int slot, Desc d) {
        cpu.write(ringBase + (long) slot * CopyDescriptorLayout.SIZE, d.bytes);
    }

    /** Clears the record a descriptor in {@code slot} will use, writes it, rings the doorbell. Returns the slot. */
    int submit(Desc d) {
        int slot = tail;
        put(slot, d);
        tail = (tail + 1) % ringSize;
        write(SUBMIT_INDEX, tail);
        return slot;
    }

    void runIdle() {
        machine.clock().runUntilIdle();
    }

    // ------------------------------------------------------------ completion records

    record Completion(int status, int result, long bytesCompleted, long faultAddress, int invalidFlags) {
        CompletionStatus code() {
            return CompletionStatus.fromStatusByte(status);
        }

        boolean writeFault() {
            return (status & CompletionStatus.WRITE_FAULT_BIT) != 0;
        }
    }

    Completion record(long address) {
        byte[] b = new byte[CompletionRecordLayout.SIZE];
        cpu.read(address, b);
        MemorySegment s = MemorySegment.ofArray(b);
        return new Completion(b[CompletionRecordLayout.STATUS] & 0xFF, b[CompletionRecordLayout.RESULT] & 0xFF,
                s.get(LE_INT, CompletionRecordLayout.BYTES_COMPLETED) & 0xFFFF_FFFFL,
                s.get(LE_LONG, CompletionRecordLayout.FAULT_ADDR),
                s.get(LE_INT, CompletionRecordLayout.INVALID_FLAGS) & CopyDescriptorLayout.FLAGS_MASK);
    }

    /** A CHAIN record's jdma fields: bytes the failed link completed, and its address. */
    record ChainFields(long linkBytes, long linkAddress) { }

    ChainFields chainFields(long address) {
        return new ChainFields(cpu.read32(address + CompletionRecordLayout.CHAIN_LINK_BYTES) & 0xFFFF_FFFFL,
                cpu.read64(address + CompletionRecordLayout.CHAIN_LINK_ADDR));
    }

    byte[] bytes(long address, int length) {
        byte[] b = new byte[length];
        cpu.read(address, b);
        return b;
    }

    /**
     * Spins, as a polling driver does, until the status byte of the completion record at
     * {@code record} is non-zero (read with acquire semantics, so the record and the data it
     * covers are visible). Gives up with an AssertionError when the thread is interrupted: a
     * test's timeout (run with {@code threadMode = SEPARATE_THREAD}) interrupts a descriptor that
     * never completes, where a plain spin would hang the build.
     */
    void awaitRecord(long record) {
        spinUntil(() -> (cpu.read32Acquire(record) & 0xFF) != 0, () -> String.format("the record at %#x", record));
    }

    /** Spins until {@code done}; an interrupt (the test's timeout) fails with what it waited for. */
    static void spinUntil(java.util.function.BooleanSupplier done, java.util.function.Supplier<String> what) {
        while (!done.getAsBoolean()) {
            if (Thread.interrupted()) {
                throw new AssertionError("interrupted (timed out) while waiting for " + what.get());
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public void close() {
        machine.close();
    }
}
