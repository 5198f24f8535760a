package org.jdma.machine.dev.nvme;

import static org.jdma.spec.nvme.NvmeRegisters.*;

import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.cpu.MachineCpu;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.nvme.CompletionEntryLayout;
import org.jdma.spec.nvme.NvmeCommands;
import org.jdma.spec.nvme.SubmissionEntryLayout;
import org.jdma.spec.pci.EcamLayout;
import org.jdma.spec.pci.MsixCapabilityLayout;
import org.jdma.spec.pci.MsixTableLayout;
import org.jdma.spec.pci.PciConfigLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * A machine with one NVMe controller plugged by one configuration line, and what a driver does to
 * it through CPU loads and stores only: configuration cycles through ECAM, registers and doorbells
 * through BAR0, MSI-X entries through BAR4, queues and buffers in RAM.
 */
final class NvmeRig implements AutoCloseable {

    static final long MiB = 1L << 20;
    static final RequesterId SLOT = RequesterId.of(0, 6, 0);
    static final long RAM = 64 * MiB;
    static final long ASQ_BASE = 1 * MiB;
    static final long ACQ_BASE = ASQ_BASE + 0x10000;
    /** PRP lists and SGL segments the tests build. */
    static final long LISTS = 6 * MiB;
    /** Data buffers. */
    static final long DATA = 8 * MiB;
    static final int ADMIN_ENTRIES = 32;

    /** One completion entry as read from host memory. */
    record Cqe(int dw0, int sqhd, int sqid, int cid, int status, boolean dnr, int phase) {
        boolean ok() { return status == 0; }
    }

    /** One interrupt a handler saw: the MSI-X entry and the time. */
    record Irq(int entry, long timeNs) { }

    /** Host-side state of one queue pair. */
    static final class Pair {
        final int qid;
        final long sqBase;
        final long cqBase;
        final int entries;
        int sqTail;
        int cqHead;
        int phase = 1;
        int nextCid;

        Pair(int qid, long sqBase, long cqBase, int entries) {
            this.qid = qid;
            this.sqBase = sqBase;
            this.cqBase = cqBase;
            this.entries = entries;
        }
    }

    final Machine machine;
    final MachineCpu cpu;
    final NvmeController nvme;
    final long cfg;
    final long bar0;
    final long bar4;
    final List<Irq> interrupts = new ArrayList<>();
    final Pair admin = new Pair(0, ASQ_BASE, ACQ_BASE, ADMIN_ENTRIES);
    final Pair[] io = new Pair[NvmeConfig.MAX_IO_QUEUES + 1];

    NvmeRig() {
        this(NvmeConfig.DEFAULT);
    }

    NvmeRig(NvmeConfig config) {
        this(config, 1);
    }

    NvmeRig(NvmeConfig config, long seed) {
        machine = new Machine(MachineConfig.defaults().toBuilder().seed(seed).ram(List.of(new MachineConfig.Ram("low", 0, RAM)))
                .device(NvmeController.spec("nvme0", SLOT, config))
                .build());
        cpu = machine.cpu();
        nvme = (NvmeController) machine.device("nvme0");
        cfg = machine.config().pci().ecamBase() + EcamLayout.offset(SLOT, 0);
        bar0 = barAddress(REGISTER_BAR);
        bar4 = barAddress(MSIX_BAR);
    }

    private long barAddress(int index) {
        long low = cpu.read32(cfg + PciConfigLayout.bar(index)) & 0xFFFF_FFF0L;
        return low | (cpu.read32(cfg + PciConfigLayout.bar(index + 1)) & 0xFFFF_FFFFL) << 32;
    }

    long now() { return machine.eventKernel().now(); }

    int reg(int offset) { return cpu.read32(bar0 + offset); }

    long reg64(int offset) { return cpu.read64(bar0 + offset); }

    void write(int offset, int value) { cpu.write32(bar0 + offset, value); }

    void write64(int offset, long value) { cpu.write64(bar0 + offset, value); }

    /** Reads {@code len} bytes at physical {@code address} into {@code dst} at {@code off}. */
    void readInto(long address, byte[] dst, int off, int len) {
        byte[] b = new byte[len];
        cpu.read(address, b);
        System.arraycopy(b, 0, dst, off, len);
    }

    void runIdle() { machine.eventKernel().runUntilIdle(); }

    void runFor(long ns) { machine.eventKernel().runFor(ns); }

    /** Memory Space and Bus Master Enable. */
    NvmeRig busMaster() {
        int command = cpu.read16(cfg + PciConfigLayout.COMMAND) & 0xFFFF;
        cpu.write16(cfg + PciConfigLayout.COMMAND, command | PciConfigLayout.COMMAND_BUS_MASTER | PciConfigLayout.COMMAND_MEMORY_SPACE);
        return this;
    }

    /** Programs MSI-X entries 0..n-1 to vectors whose handlers record (entry, time), and enables MSI-X. */
    NvmeRig msix(int n) {
        for (int e = 0; e < n; e++) {
            int entry = e;
            int vector = machine.interrupts().allocateVector();
            machine.interrupts().register(vector, v -> interrupts.add(new Irq(entry, now())));
            MsiMessage msg = machine.interrupts().messageFor(vector);
            long at = bar4 + MSIX_TABLE + (long) e * MsixTableLayout.ENTRY_SIZE;
            cpu.write32(at + MsixTableLayout.ADDR_LO, (int) msg.address());
            cpu.write32(at + MsixTableLayout.ADDR_HI, (int) (msg.address() >>> 32));
            cpu.write32(at + MsixTableLayout.DATA, msg.data());
            cpu.write32(at + MsixTableLayout.VECTOR_CONTROL, 0);
        }
        int cap = nvme.msixCapabilityOffset().orElseThrow();
        cpu.write16(cfg + cap + MsixCapabilityLayout.MESSAGE_CONTROL, MsixCapabilityLayout.CONTROL_ENABLE);
        return this;
    }

    long interruptsOf(int entry) {
        return interrupts.stream().filter(i -> i.entry() == entry).count();
    }

    /** Linux's bring-up: AQA, ASQ, ACQ, CC with EN, then wait for CSTS.RDY. */
    NvmeRig enable() {
        cpu.fill(ACQ_BASE, ADMIN_ENTRIES * CompletionEntryLayout.SIZE, (byte) 0);
        write(AQA, aqa(ADMIN_ENTRIES, ADMIN_ENTRIES));
        write64(ASQ, ASQ_BASE);
        write64(ACQ, ACQ_BASE);
        write(CC, ccEnable(0));
        machine.eventKernel().runUntil(() -> (reg(CSTS) & (CSTS_RDY | CSTS_CFS)) != 0, now() + 1_000_000_000L);
        if ((reg(CSTS) & CSTS_RDY) == 0) {
            throw new AssertionError(String.format("controller not ready: CSTS %#x", reg(CSTS)));
        }
        return this;
    }

    /** A fresh, zeroed 64-byte SQE with {@code opcode}. */
    static Sqe sqe(int opcode) {
        return new Sqe(opcode);
    }

    /** Writes {@code e} at the pair's tail with the next CID (unless it has one) and rings the doorbell. */
    int submit(Pair p, Sqe e) {
        int cid = queue(p, e);
        ring(p);
        return cid;
    }

    /** Writes {@code e} at the pair's tail without ringing. */
    int queue(Pair p, Sqe e) {
        if (!e.cidSet) {
            e.cid(p.nextCid++ & 0xFFFF);
        }
        cpu.write(p.sqBase + (long) p.sqTail * SubmissionEntryLayout.SIZE, e.bytes);
        p.sqTail = (p.sqTail + 1) % p.entries;
        return e.cid;
    }

    void ring(Pair p) {
        write(sqTailDoorbell(p.qid, nvme.config().doorbellStride()), p.sqTail);
    }

    /** The entry at the pair's CQ head if its phase says it is new, else null. Does not consume it. */
    Cqe peek(Pair p) {
        long at = p.cqBase + (long) p.cqHead * CompletionEntryLayout.SIZE;
        int word = cpu.read16(at + CompletionEntryLayout.STATUS) & 0xFFFF;
        if (CompletionEntryLayout.phase(word) != p.phase) {
            return null;
        }
        return new Cqe(cpu.read32(at + CompletionEntryLayout.DW0), cpu.read16(at + CompletionEntryLayout.SQHD) & 0xFFFF,
                cpu.read16(at + CompletionEntryLayout.SQID) & 0xFFFF, cpu.read16(at + CompletionEntryLayout.CID) & 0xFFFF,
                CompletionEntryLayout.status(word), CompletionEntryLayout.dnr(word), CompletionEntryLayout.phase(word));
    }

    /** Runs until the next completion of the pair, consumes it and rings the CQ head doorbell. */
    Cqe await(Pair p) {
        machine.eventKernel().runUntil(() -> peek(p) != null, now() + 10_000_000_000L);
        Cqe c = peek(p);
        if (c == null) {
            throw new AssertionError("no completion on queue " + p.qid + "; CSTS " + Integer.toHexString(reg(CSTS)));
        }
        p.cqHead++;
        if (p.cqHead == p.entries) {
            p.cqHead = 0;
            p.phase ^= 1;
        }
        write(cqHeadDoorbell(p.qid, nvme.config().doorbellStride()), p.cqHead);
        return c;
    }

    /** Submits on the admin queue and waits for its completion. */
    Cqe admin(Sqe e) {
        submit(admin, e);
        return await(admin);
    }

    /** Creates I/O pair {@code qid} of {@code entries} entries on MSI-X entry {@code vector}. */
    Pair createPair(int qid, int entries, int vector) {
        long sqBase = 2 * MiB + (qid - 1) * 0x20000L;
        long cqBase = 4 * MiB + (qid - 1) * 0x8000L;
        cpu.fill(cqBase, (long) entries * CompletionEntryLayout.SIZE, (byte) 0);
        Cqe c = admin(sqe(NvmeCommands.ADMIN_CREATE_CQ).prp1(cqBase)
                .cdw(10, NvmeCommands.createQueueCdw10(qid, entries)).cdw(11, NvmeCommands.createCqCdw11(vector, true)));
        if (!c.ok()) {
            throw new AssertionError("Create I/O CQ " + qid + ": " + c);
        }
        c = admin(sqe(NvmeCommands.ADMIN_CREATE_SQ).prp1(sqBase)
                .cdw(10, NvmeCommands.createQueueCdw10(qid, entries)).cdw(11, NvmeCommands.createSqCdw11(qid)));
        if (!c.ok()) {
            throw new AssertionError("Create I/O SQ " + qid + ": " + c);
        }
        io[qid] = new Pair(qid, sqBase, cqBase, entries);
        return io[qid];
    }

    /** A read or write of {@code blocks} blocks at {@code slba} of namespace 1 with PRP1/PRP2 as given. */
    static Sqe rw(int opcode, long slba, int blocks, long prp1, long prp2) {
        return sqe(opcode).nsid(1).prp1(prp1).prp2(prp2).cdw64(10, slba).cdw(12, blocks - 1);
    }

    @Override
    public void close() {
        machine.close();
    }
}
