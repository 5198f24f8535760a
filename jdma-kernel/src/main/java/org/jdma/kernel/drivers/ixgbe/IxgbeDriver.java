package org.jdma.kernel.drivers.ixgbe;

import static org.jdma.spec.ixgbe.IxgbeRegisters.*;

import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.jdma.kernel.dma.CoherentAllocation;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.driver.Affinity;
import org.jdma.kernel.driver.DeviceMatch;
import org.jdma.kernel.driver.Driver;
import org.jdma.kernel.driver.DriverContext;
import org.jdma.kernel.driver.DriverInstance;
import org.jdma.kernel.driver.InterruptVectors;
import org.jdma.kernel.driver.MmioWindow;
import org.jdma.kernel.driver.ProbeException;
import org.jdma.kernel.net.LinkStatus;
import org.jdma.kernel.net.NetDevice;
import org.jdma.kernel.net.NetStats;
import org.jdma.kernel.net.PacketBuffer;
import org.jdma.kernel.net.PacketReceiver;
import org.jdma.kernel.net.PagePool;
import org.jdma.spec.ixgbe.IvarLayout;

/**
 * The driver of an Intel 82599 port (8086:10FB), ixy's driver in the kernel's driver model: the
 * datasheet's init sequence (reset, EEPROM and DMA init done, link, statistics, receive and
 * transmit init, queue start, promiscuous mode, link wait), N queue pairs with rings in coherent
 * memory, receive buffers from a {@link PagePool} per queue, transmit buffers mapped per packet,
 * and either polling or NAPI over one MSI-X vector per queue pair ({@link Napi}).
 */
public final class IxgbeDriver implements DriverInstance, NetDevice {

    /** Receive buffers: 2 KB (SRRCTL.BSIZEPKT = 2), enough for a 1518-byte frame. */
    static final int BUFFER_SIZE = 2048;
    /** Buffers one pool chunk holds (and one mapping covers). */
    static final int CHUNK_ENTRIES = 64;
    private static final long RESET_SETTLE_NS = 10_000_000L;

    /** The registration: named "ixgbe", bound by PCI ids, with {@code options}. */
    public static Driver<IxgbeDriver> driver(IxgbeOptions options) {
        Objects.requireNonNull(options, "options");
        return Driver.of("ixgbe", DeviceMatch.pciId(VENDOR_ID, DEVICE_ID), ctx -> new IxgbeDriver(ctx, options));
    }

    /** The registration with {@link IxgbeOptions#DEFAULTS}. */
    public static Driver<IxgbeDriver> driver() {
        return driver(IxgbeOptions.DEFAULTS);
    }

    private final DriverContext context;
    private final IxgbeOptions options;
    private final MmioWindow registers;
    private final DeviceDmaApi dma;
    private final int queues;
    private final byte[] mac = new byte[6];
    private final RxQueue[] rx;
    private final TxQueue[] tx;
    private final Napi[] napi;
    private InterruptVectors vectors;
    private long rxPackets, rxBytes, txPackets, txBytes, rxDropped;
    private boolean removed;
    /** The carrier as LINKS read at the last link-change interrupt (or the end of init). */
    private final Carrier carrier = new Carrier();

    private IxgbeDriver(DriverContext context, IxgbeOptions options) {
        this.context = context;
        this.options = options;
        this.registers = context.mmio(CSR_BAR);
        this.dma = context.dma();
        if (!dma.setMaskAndCoherent(DmaMask.BITS_64)) {
            throw new ProbeException(context.name() + ": the platform refuses a 64-bit DMA mask");
        }
        int wanted = options.queues() == 0 ? context.cpus() : options.queues();
        this.queues = Math.min(wanted, maxQueues());
        this.rx = new RxQueue[queues];
        this.tx = new TxQueue[queues];
        this.napi = new Napi[queues];
        context.enableBusMaster();
        resetAndInit();
        if (options.interrupts()) {
            allocateInterrupts();
            programInterrupts();
        }
    }

    /** The card's queues: those whose SRRCTL holds its non-zero reset value (an absent queue's registers read 0). */
    private int maxQueues() {
        int n = 0;
        while (n < 16) {
            int before = registers.read32(srrctl(n));
            if (before == 0) {
                break; // reset value of SRRCTL is non-zero for every queue the port has
            }
            n++;
        }
        if (n == 0) {
            throw new ProbeException(context.name() + ": SRRCTL[0] reads 0; not an 82599 in its reset state");
        }
        return n;
    }

    // ---------------------------------------------------------------- init (reference §3.1)

    private void resetAndInit() {
        registers.write32(EIMC, 0xFFFF_FFFF);
        registers.read32(EICR);
        registers.write32(CTRL, CTRL_RST | CTRL_LNK_RST);
        waitFor("CTRL.RST to clear", () -> (registers.read32(CTRL) & (CTRL_RST | CTRL_LNK_RST)) == 0);
        context.clock().runFor(RESET_SETTLE_NS);
        registers.write32(EIMC, 0xFFFF_FFFF);
        registers.read32(EICR);
        int ral = registers.read32(ral(0));
        int rah = registers.read32(rah(0));
        for (int i = 0; i < 4; i++) {
            mac[i] = (byte) (ral >>> (8 * i));
        }
        mac[4] = (byte) rah;
        mac[5] = (byte) (rah >>> 8);
        waitFor("EEC.ARD (EEPROM auto-read done)", () -> (registers.read32(EEC) & EEC_ARD) != 0);
        waitFor("RDRXCTL.DMAIDONE", () -> (registers.read32(RDRXCTL) & RDRXCTL_DMAIDONE) != 0);
        registers.write32(AUTOC, registers.read32(AUTOC) & ~AUTOC_LMS_MASK & ~AUTOC_10G_PMA_PMD_MASK
                | AUTOC_LMS_10G_SERIAL | AUTOC_AN_RESTART);
        readCounters(); // clear on read: the statistics start at zero
        initRx();
        initTx();
        for (int q = 0; q < queues; q++) {
            startRx(q);
            startTx(q);
        }
        int fctrl = registers.read32(FCTRL);
        registers.write32(FCTRL, options.promiscuous() ? fctrl | FCTRL_UPE | FCTRL_MPE : fctrl & ~(FCTRL_UPE | FCTRL_MPE));
        context.clock().runUntil(() -> (registers.read32(LINKS) & LINKS_UP) != 0, options.linkTimeoutNs());
        carrier.read(registers, false);
    }

    /** The other-causes vector: reading EICR acknowledges them (GPIE.OCD: only bits 31:16); LSC updates the carrier. */
    private void otherCauses() {
        if ((registers.read32(EICR) & EICR_LSC) != 0) {
            carrier.read(registers, true);
        }
    }

    private void waitFor(String what, BooleanSupplier condition) {
        if (!context.clock().runUntil(condition, options.timeoutNs())) {
            throw new ProbeException(String.format("%s: %s did not happen within %d ns", context.name(), what, options.timeoutNs()));
        }
    }

    private void initRx() {
        registers.write32(RXCTRL, registers.read32(RXCTRL) & ~RXCTRL_RXEN);
        registers.write32(rxpbsize(0), 128 << 10);
        for (int i = 1; i < PACKET_BUFFERS; i++) {
            registers.write32(rxpbsize(i), 0);
        }
        registers.write32(HLREG0, registers.read32(HLREG0) | HLREG0_RXCRCSTRP);
        registers.write32(RDRXCTL, registers.read32(RDRXCTL) | RDRXCTL_CRCSTRIP);
        ReceiveFeatures.frameSize(registers, options);
        ReceiveFeatures.rss(registers, options, queues);
        registers.write32(FCTRL, registers.read32(FCTRL) | FCTRL_BAM);
        for (int q = 0; q < queues; q++) {
            registers.write32(srrctl(q), SRRCTL_DESCTYPE_ADV_ONEBUF | SRRCTL_DROP_EN | (BUFFER_SIZE / SRRCTL_BSIZEPKT_UNIT));
            CoherentAllocation ring = ring("receive", q);
            registers.write32(rdbal(q), (int) ring.dmaAddress());
            registers.write32(rdbah(q), (int) (ring.dmaAddress() >>> 32));
            registers.write32(rdlen(q), (int) ring.size());
            registers.write32(rdh(q), 0);
            registers.write32(rdt(q), 0);
            PagePool pool = rx[q] != null ? rx[q].pool() // a reset keeps the pool and its mappings
                    : new PagePool(context.name() + " rx" + q, dma, context::cpu, BUFFER_SIZE, CHUNK_ENTRIES, options.poolEntries());
            rx[q] = new RxQueue(q, options.ringSize(), ring, context.cpu(), pool, dma, registers);
            registers.write32(dcaRxctrl(q), registers.read32(dcaRxctrl(q)) & ~(1 << 12));
        }
        registers.write32(CTRL_EXT, registers.read32(CTRL_EXT) | CTRL_EXT_NS_DIS);
        registers.write32(RXCTRL, registers.read32(RXCTRL) | RXCTRL_RXEN);
    }

    private void initTx() {
        registers.write32(HLREG0, registers.read32(HLREG0) | HLREG0_TXCRCEN | HLREG0_TXPADEN);
        registers.write32(txpbsize(0), 40 << 10);
        for (int i = 1; i < PACKET_BUFFERS; i++) {
            registers.write32(txpbsize(i), 0);
        }
        registers.write32(DTXMXSZRQ, 0xFFFF);
        registers.write32(RTTDCS, registers.read32(RTTDCS) & ~RTTDCS_ARBDIS);
        for (int q = 0; q < queues; q++) {
            CoherentAllocation ring = ring("transmit", q);
            registers.write32(tdbal(q), (int) ring.dmaAddress());
            registers.write32(tdbah(q), (int) (ring.dmaAddress() >>> 32));
            registers.write32(tdlen(q), (int) ring.size());
            registers.write32(txdctl(q), 36 | 8 << 8 | 4 << 16);
            tx[q] = new TxQueue(q, options.ringSize(), ring, context.cpu(), dma, registers, options.txCleanBatch());
        }
        registers.write32(DMATXCTL, DMATXCTL_TE);
    }

    /** A ring of the configured size in coherent memory, filled with 0xFF as ixy does (premature DMA shows). */
    private CoherentAllocation ring(String what, int q) {
        long bytes = (long) options.ringSize() * DESCRIPTOR_SIZE;
        CoherentAllocation ring = dma.allocCoherent(bytes);
        if (ring == null) {
            throw new ProbeException(String.format("%s: no coherent memory for %s ring %d (%d bytes)", context.name(), what, q, bytes));
        }
        context.cpu().fill(ring.physical(), bytes, (byte) 0xFF);
        return ring;
    }

    private void startRx(int q) {
        rx[q].fill();
        registers.write32(rxdctl(q), registers.read32(rxdctl(q)) | RXDCTL_ENABLE);
        waitFor("RXDCTL[" + q + "].ENABLE", () -> (registers.read32(rxdctl(q)) & RXDCTL_ENABLE) != 0);
        registers.write32(rdh(q), 0);
        registers.write32(rdt(q), rx[q].initialTail());
    }

    private void startTx(int q) {
        registers.write32(tdh(q), 0);
        registers.write32(tdt(q), 0);
        registers.write32(txdctl(q), registers.read32(txdctl(q)) | TXDCTL_ENABLE);
        waitFor("TXDCTL[" + q + "].ENABLE", () -> (registers.read32(txdctl(q)) & TXDCTL_ENABLE) != 0);
    }

    // ---------------------------------------------------------------- interrupts

    /**
     * MSI-X: vector q for queue pair q on CPU q mod CPUs, one more for other causes on CPU 0; each
     * queue vector's handler schedules its queue's NAPI poll. Once per probe.
     */
    private void allocateInterrupts() {
        int[] cpus = new int[queues + 1];
        for (int q = 0; q < queues; q++) {
            cpus[q] = q % context.cpus();
        }
        vectors = context.allocateVectors(queues + 1, Affinity.cpus(cpus));
        for (int q = 0; q < queues; q++) {
            napi[q] = new Napi(this, q, cpus[q]);
            int queue = q;
            vectors.onInterrupt(q, v -> napi[queue].interrupt());
        }
        vectors.onInterrupt(queues, v -> otherCauses());
    }

    /**
     * The card's side, after every init: IVAR routes RX q and TX q to vector q; auto-clear and
     * auto-mask (EIAC, GPIE.EIAME with EIAM) make a vector mask itself when it fires, so the
     * handler only schedules the poll; EITR moderates each queue vector.
     */
    private void programInterrupts() {
        // OCD: the other-causes handler's EICR read must not clear a queue cause that waits for its re-armed vector.
        registers.write32(GPIE, GPIE_MSIX_MODE | GPIE_PBA_SUPPORT | GPIE_EIAME | GPIE_OCD);
        int queueBits = (1 << queues) - 1;
        registers.write32(EIAC, queueBits);
        registers.write32(EIAM, queueBits);
        registers.write32(IVAR_MISC, IvarLayout.entry(queues) << IvarLayout.MISC_OTHER_SHIFT);
        for (int q = 0; q < queues; q++) {
            int reg = ivar(IvarLayout.registerOf(q));
            int value = registers.read32(reg);
            for (boolean isTx : new boolean[] {false, true}) {
                int shift = IvarLayout.shiftOf(q, isTx);
                value = value & ~(IvarLayout.ENTRY_MASK << shift) | IvarLayout.entry(q) << shift;
            }
            registers.write32(reg, value);
            registers.write32(eitr(q), options.itr() | EITR_CNT_WDIS);
        }
        registers.write32(EIMS, queueBits | EICR_LSC);
    }

    /** Re-enables queue pair {@code q}'s vector (the end of a NAPI poll that took less than its budget). */
    void rearm(int q) {
        registers.write32(EIMS, 1 << q);
    }

    DriverContext context() {
        return context;
    }

    RxQueue rx(int q) {
        return rx[q];
    }

    TxQueue tx(int q) {
        return tx[q];
    }

    IxgbeOptions options() {
        return options;
    }

    // ---------------------------------------------------------------- NetDevice

    @Override
    public String name() {
        return context.name();
    }

    @Override
    public byte[] macAddress() {
        return mac.clone();
    }

    @Override
    public int queues() {
        return queues;
    }

    @Override
    public boolean linkUp() {
        return (registers.read32(LINKS) & LINKS_UP) != 0;
    }

    @Override
    public int rxBatch(int queue, PacketBuffer[] buffers, int max) {
        checkQueue(queue);
        if (max < 0 || max > buffers.length) {
            throw new IllegalArgumentException(String.format("%s: max %d outside 0..%d (the array's length)", name(), max, buffers.length));
        }
        return rx[queue].receive(buffers, max);
    }

    @Override
    public boolean rxFoundEmpty(int queue) {
        checkQueue(queue);
        return rx[queue].foundEmpty();
    }

    @Override
    public LinkStatus link() {
        if (!options.interrupts()) {
            carrier.read(registers, true); // no link-change interrupt: look now
        }
        return carrier.status();
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException naming the frame when a chain has more segments than the
     *         ring could ever hold, or more bytes than the MTU allows (nothing is queued then)
     */
    @Override
    public int txBatch(int queue, PacketBuffer[] buffers, int count) {
        checkQueue(queue);
        Objects.checkFromIndexSize(0, count, buffers.length);
        if (!carrier.up() && !options.interrupts()) {
            carrier.read(registers, true); // a polling driver learns the link came up when it next sends
        }
        if (!carrier.up()) {
            carrier.refused();
            return 0;
        }
        int maxFrame = options.maxFrameSize() - FCS_BYTES;
        for (int i = 0; i < count; i++) {
            PacketBuffer b = buffers[i];
            if (b.next() != null && b.segments() > tx[queue].size() - 1) {
                throw new IllegalArgumentException(String.format("%s: frame %d has %d segments; ring %d holds at most %d",
                        name(), i, b.segments(), queue, tx[queue].size() - 1));
            }
            if (b.next() != null && b.frameLength() > maxFrame) {
                throw new IllegalArgumentException(String.format("%s: frame %d is %d bytes; MTU %d allows %d",
                        name(), i, b.frameLength(), options.mtu(), maxFrame));
            }
        }
        return tx[queue].send(buffers, count);
    }

    /** Reclaims every sent descriptor of {@code queue} now, not only whole batches; returns how many. */
    public int cleanTx(int queue) {
        checkQueue(queue);
        return tx[queue].clean(true);
    }

    @Override
    public PacketBuffer allocate(int queue) {
        checkQueue(queue);
        return rx[queue].pool().allocForCpu();
    }

    @Override
    public void onReceive(int queue, PacketReceiver receiver) {
        checkQueue(queue);
        if (!options.interrupts()) {
            throw new IllegalStateException(name() + " was started without interrupts: poll with rxBatch");
        }
        napi[queue].receiver(receiver);
        if (receiver != null) {
            napi[queue].schedule();
        }
    }

    /** Queue pair {@code queue}'s NAPI counters. */
    public NapiStats napiStats(int queue) {
        checkQueue(queue);
        if (napi[queue] == null) {
            throw new IllegalStateException(name() + " was started without interrupts");
        }
        return napi[queue].stats();
    }

    /** The MSI-X vectors (queue pair q on entry q, other causes on entry {@link #queues()}), or null when polling. */
    public InterruptVectors vectors() {
        return vectors;
    }

    /** The page pool of receive queue {@code queue}. */
    public PagePool pool(int queue) {
        checkQueue(queue);
        return rx[queue].pool();
    }

    /**
     * Steers frames of {@code etherType} to receive queue {@code queue} with EtherType filter
     * {@code filter} (ETQF/ETQS; a filter's match takes precedence over RSS).
     */
    public void steerEtherType(int filter, int etherType, int queue) {
        checkQueue(queue);
        Objects.checkIndex(filter, ETQ_FILTERS);
        registers.write32(etqs(filter), ETQS_QUEUE_EN | queue << ETQS_RX_QUEUE_SHIFT);
        registers.write32(etqf(filter), ETQF_FILTER_EN | etherType & ETQF_ETYPE);
    }

    @Override
    public NetStats stats() {
        readCounters();
        long errors = 0;
        for (RxQueue q : rx) {
            errors += q.errors;
        }
        return new NetStats(rxPackets, rxBytes, txPackets, txBytes, rxDropped, errors);
    }

    /** Adds the clear-on-read counters to the driver's totals. */
    private void readCounters() {
        rxPackets += u32(GPRC);
        rxBytes += u32(GORCL) + ((long) (registers.read32(GORCH) & OCTETS_HIGH_MASK) << 32);
        txPackets += u32(GPTC);
        txBytes += u32(GOTCL) + ((long) (registers.read32(GOTCH) & OCTETS_HIGH_MASK) << 32);
        for (int i = 0; i < PACKET_BUFFERS; i++) {
            rxDropped += u32(mpc(i));
        }
        for (int q = 0; q < QUEUE_STATISTICS; q++) {
            rxDropped += u32(qprdc(q));
        }
    }

    private long u32(int offset) {
        return registers.read32(offset) & 0xFFFF_FFFFL;
    }

    private void checkQueue(int queue) {
        if (queue < 0 || queue >= queues) {
            throw new IllegalArgumentException(String.format("%s: queue %d outside 0..%d", name(), queue, queues - 1));
        }
    }

    // ---------------------------------------------------------------- life cycle

    /**
     * Stops the queues and the port's DMA (RXCTRL.RXEN and DMATXCTL.TE off, queues disabled),
     * masks its interrupts, then unmaps and frees every buffer and ring. Buffers the application
     * still holds, or another device still sends, are unmapped with their pool
     * ({@link PagePool#retire}); their memory goes back when they are freed.
     */
    @Override
    public void remove() {
        if (removed) {
            return;
        }
        removed = true;
        quiesce();
        for (int q = 0; q < queues; q++) {
            rx[q].pool().retire(); // buffers still out free their memory when they come back
        }
    }

    /** Interrupts masked, polls stopped, DMA off, every posted and queued buffer back and its ring freed. */
    private void quiesce() {
        registers.write32(EIMC, 0xFFFF_FFFF);
        registers.write32(RXCTRL, 0);
        registers.write32(DMATXCTL, 0);
        for (int q = 0; q < queues; q++) {
            if (napi[q] != null) {
                napi[q].stop();
            }
            registers.write32(rxdctl(q), 0);
            registers.write32(txdctl(q), 0);
        }
        for (int q = 0; q < queues; q++) {
            tx[q].drain();
            tx[q].ring().close();
            rx[q].drain();
            rx[q].ring().close();
        }
    }

    /**
     * Linux's {@code ixgbe_reinit_locked}: quiesce (frames queued for sending are dropped), then the
     * whole init sequence again with fresh rings; the page pools and their mappings, the vectors
     * and each queue's receiver stay.
     */
    @Override
    public void reset() {
        if (removed) {
            throw new IllegalStateException(name() + " was removed");
        }
        quiesce();
        resetAndInit();
        if (options.interrupts()) {
            vectors.restore();
            programInterrupts();
            for (Napi n : napi) {
                n.resume();
            }
        }
    }

    @Override
    public String toString() {
        return String.format("%s: 82599 %02x:%02x:%02x:%02x:%02x:%02x, %d queue pairs, %s", name(), mac[0], mac[1], mac[2], mac[3],
                mac[4], mac[5], queues, options.interrupts() ? "NAPI" : "polling");
    }
}
