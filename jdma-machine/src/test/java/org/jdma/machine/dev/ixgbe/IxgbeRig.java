package org.jdma.machine.dev.ixgbe;

import static org.jdma.spec.ixgbe.IxgbeRegisters.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.cpu.MachineCpu;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.ixgbe.AdvancedRxDescriptorLayout;
import org.jdma.spec.ixgbe.AdvancedTxDescriptorLayout;
import org.jdma.spec.ixgbe.IvarLayout;
import org.jdma.spec.pci.EcamLayout;
import org.jdma.spec.pci.MsixCapabilityLayout;
import org.jdma.spec.pci.MsixTableLayout;
import org.jdma.spec.pci.PciConfigLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * A machine with one 82599 port plugged by one configuration line and cabled to a test far end,
 * and what a driver does to it, through CPU loads and stores only: configuration cycles through
 * ECAM, registers through BAR0, MSI-X entries through BAR3, rings and buffers in RAM.
 */
final class IxgbeRig implements AutoCloseable {

    static final long MiB = 1L << 20;
    static final RequesterId SLOT = RequesterId.of(0, 5, 0);
    static final long RAM = 64 * MiB;
    /** Receive ring of queue q at RX_RINGS + q * 64 KiB, its buffers at RX_BUFFERS + q * 4 MiB. */
    static final long RX_RINGS = 1 * MiB;
    static final long RX_BUFFERS = 8 * MiB;
    static final long TX_RINGS = 2 * MiB;
    static final long TX_BUFFERS = 32 * MiB;
    static final int BUFFER_STRIDE = 16 * 1024;
    /** The far end's station address. */
    static final byte[] PEER_MAC = {0x02, 0, 0, 0, 0, 0x42};

    /** One interrupt a handler saw: the MSI-X entry (from its vector) and the time. */
    record Irq(int entry, long timeNs) { }

    final Machine machine;
    final MachineCpu cpu;
    final IxgbePort port;
    final TestCable cable;
    final TestCable.End far;
    final long cfg;
    final long bar0;
    final long bar3;
    final List<Irq> interrupts = new ArrayList<>();

    IxgbeRig() {
        this(IxgbeConfig.DEFAULT);
    }

    IxgbeRig(IxgbeConfig config) {
        machine = new Machine(MachineConfig.defaults().toBuilder().ram(List.of(new MachineConfig.Ram("low", 0, RAM)))
                .device(IxgbePort.spec("eth0", SLOT, config))
                .build());
        cpu = machine.cpu();
        port = (IxgbePort) machine.device("eth0");
        cable = new TestCable(machine.eventKernel(), 10_000_000_000L);
        port.attach(cable.a);
        far = cable.b;
        cfg = machine.config().pci().ecamBase() + EcamLayout.offset(SLOT, 0);
        bar0 = barAddress(CSR_BAR);
        bar3 = barAddress(MSIX_BAR);
    }

    private long barAddress(int index) {
        long low = cpu.read32(cfg + PciConfigLayout.bar(index)) & 0xFFFF_FFF0L;
        return low | (cpu.read32(cfg + PciConfigLayout.bar(index + 1)) & 0xFFFF_FFFFL) << 32;
    }

    long kernelNow() {
        return machine.eventKernel().now();
    }

    int reg(int offset) {
        return cpu.read32(bar0 + offset);
    }

    void write(int offset, int value) {
        cpu.write32(bar0 + offset, value);
    }

    void set(int offset, int bits) {
        write(offset, reg(offset) | bits);
    }

    /** Sets Bus Master Enable. */
    IxgbeRig busMaster() {
        int command = cpu.read16(cfg + PciConfigLayout.COMMAND) & 0xFFFF;
        cpu.write16(cfg + PciConfigLayout.COMMAND, command | PciConfigLayout.COMMAND_BUS_MASTER);
        return this;
    }

    /** Programs MSI-X entries 0..n-1 to vectors whose handlers record (entry, time), and enables MSI-X. */
    IxgbeRig msix(int n) {
        for (int e = 0; e < n; e++) {
            int entry = e;
            int vector = machine.interrupts().allocateVector();
            machine.interrupts().register(vector, v -> interrupts.add(new Irq(entry, kernelNow())));
            MsiMessage msg = machine.interrupts().messageFor(vector);
            long at = bar3 + MSIX_TABLE + (long) e * MsixTableLayout.ENTRY_SIZE;
            cpu.write32(at + MsixTableLayout.ADDR_LO, (int) msg.address());
            cpu.write32(at + MsixTableLayout.ADDR_HI, (int) (msg.address() >>> 32));
            cpu.write32(at + MsixTableLayout.DATA, msg.data());
            cpu.write32(at + MsixTableLayout.VECTOR_CONTROL, 0);
        }
        int cap = port.msixCapabilityOffset().orElseThrow();
        cpu.write16(cfg + cap + MsixCapabilityLayout.MESSAGE_CONTROL, MsixCapabilityLayout.CONTROL_ENABLE);
        return this;
    }

    List<Irq> interruptsOf(int entry) {
        return interrupts.stream().filter(i -> i.entry() == entry).toList();
    }

    /** MSI-X mode with auto-clear of queue vectors; queue q's RX and TX causes to vector q; others to vector {@code misc}. */
    void routeQueuesToVectors(int queues, int misc) {
        write(GPIE, GPIE_MSIX_MODE | GPIE_PBA_SUPPORT);
        for (int q = 0; q < queues; q++) {
            int r = IvarLayout.registerOf(q);
            int v = reg(ivar(r));
            v |= IvarLayout.entry(q) << IvarLayout.shiftOf(q, false) | IvarLayout.entry(q) << IvarLayout.shiftOf(q, true);
            write(ivar(r), v);
        }
        write(IVAR_MISC, IvarLayout.entry(misc) << IvarLayout.MISC_OTHER_SHIFT);
        write(EIAC, EICR_RTX_QUEUE);
        write(EIMS, -1);
    }

    void runIdle() {
        machine.eventKernel().runUntilIdle();
    }

    void runFor(long ns) {
        machine.eventKernel().runFor(ns);
    }

    /** Runs until the link is trained and up (the port is out of reset). */
    IxgbeRig linkUp() {
        machine.eventKernel().runUntil(() -> (reg(LINKS) & LINKS_UP) != 0, kernelNow() + 1_000_000_000L);
        return this;
    }

    // ---------------------------------------------------------------- receive

    static long rxRing(int q) { return RX_RINGS + q * 0x10000L; }
    static long rxBuffer(int q, int i) { return RX_BUFFERS + q * 4 * MiB + (long) i * BUFFER_STRIDE; }

    /** Receive on: queue q with an n-descriptor ring, each descriptor given its buffer, RDT = n - 1, RXEN, BAM|UPE as asked. */
    void startRx(int q, int n, int srrctl, int fctrl) {
        long ring = rxRing(q);
        write(rdbal(q), (int) ring);
        write(rdbah(q), (int) (ring >>> 32));
        write(rdlen(q), n * AdvancedRxDescriptorLayout.SIZE);
        write(srrctl(q), srrctl);
        for (int i = 0; i < n; i++) {
            giveRx(q, i);
        }
        write(rdh(q), 0);
        write(rxdctl(q), RXDCTL_ENABLE);
        write(rdt(q), n - 1);
        write(FCTRL, fctrl);
        write(RXCTRL, RXCTRL_RXEN);
    }

    /** Writes descriptor i of queue q in read format with its buffer. */
    void giveRx(int q, int i) {
        long d = rxRing(q) + (long) i * AdvancedRxDescriptorLayout.SIZE;
        cpu.write64(d + AdvancedRxDescriptorLayout.PKT_ADDR, rxBuffer(q, i));
        cpu.write64(d + AdvancedRxDescriptorLayout.HDR_ADDR, 0);
    }

    int rxStatus(int q, int i) {
        return cpu.read32(rxRing(q) + (long) i * AdvancedRxDescriptorLayout.SIZE + AdvancedRxDescriptorLayout.STATUS_ERROR);
    }

    int rxLength(int q, int i) {
        return cpu.read16(rxRing(q) + (long) i * AdvancedRxDescriptorLayout.SIZE + AdvancedRxDescriptorLayout.LENGTH) & 0xFFFF;
    }

    byte[] rxData(int q, int i, int length) {
        byte[] b = new byte[length];
        cpu.read(rxBuffer(q, i), b);
        return b;
    }

    // ---------------------------------------------------------------- transmit

    static long txRing(int q) { return TX_RINGS + q * 0x10000L; }
    static long txBuffer(int q, int i) { return TX_BUFFERS + q * 4 * MiB + (long) i * BUFFER_STRIDE; }

    /** Transmit on: queue q with an n-descriptor ring, TDH = TDT = 0, enabled, DMATXCTL.TE. */
    void startTx(int q, int n) {
        long ring = txRing(q);
        write(tdbal(q), (int) ring);
        write(tdbah(q), (int) (ring >>> 32));
        write(tdlen(q), n * AdvancedTxDescriptorLayout.SIZE);
        write(tdh(q), 0);
        write(tdt(q), 0);
        write(txdctl(q), TXDCTL_ENABLE);
        write(DMATXCTL, DMATXCTL_TE);
    }

    /** Fills TX descriptor i of queue q with {@code data} in its buffer and the DCMD bits given. */
    void putTx(int q, int i, byte[] data, int dcmd, int paylen) {
        long buffer = txBuffer(q, i);
        cpu.write(buffer, data);
        long d = txRing(q) + (long) i * AdvancedTxDescriptorLayout.SIZE;
        cpu.write64(d + AdvancedTxDescriptorLayout.BUFFER_ADDR, buffer);
        cpu.write32(d + AdvancedTxDescriptorLayout.CMD_TYPE_LEN, AdvancedTxDescriptorLayout.dataCmdTypeLen(data.length, dcmd));
        cpu.write32(d + AdvancedTxDescriptorLayout.OLINFO_STATUS, AdvancedTxDescriptorLayout.olinfo(paylen));
    }

    int txStatus(int q, int i) {
        return cpu.read32(txRing(q) + (long) i * AdvancedTxDescriptorLayout.SIZE + AdvancedTxDescriptorLayout.OLINFO_STATUS);
    }

    // ---------------------------------------------------------------- frames

    /** A frame to {@code dst} from the far end, EtherType {@code type}, {@code length} bytes in all, seeded payload. */
    static byte[] frame(byte[] dst, int type, int length, long seed) {
        byte[] f = new byte[length];
        new SplittableRandom(seed).nextBytes(f);
        System.arraycopy(dst, 0, f, 0, 6);
        System.arraycopy(PEER_MAC, 0, f, 6, 6);
        f[12] = (byte) (type >>> 8);
        f[13] = (byte) type;
        return f;
    }

    byte[] toPort(int length, long seed) {
        return frame(port.config().macBytes(), 0x0800, length, seed);
    }

    @Override
    public void close() {
        machine.close();
    }
}
