package org.jdma.fuzz;

import static org.jdma.fuzz.Harness.check;
import static org.jdma.fuzz.Harness.mmioWrite;
import static org.jdma.spec.ixgbe.IxgbeRegisters.*;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.ixgbe.FaultCounters;
import org.jdma.machine.dev.ixgbe.IxgbeConfig;
import org.jdma.machine.dev.ixgbe.IxgbePort;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.jdma.machine.net.FrameReceiver;
import org.jdma.machine.net.LinkEnd;
import org.jdma.machine.time.EventKernel;
import org.jdma.platform.Cpu;
import org.jdma.spec.ixgbe.AdvancedRxDescriptorLayout;
import org.jdma.spec.ixgbe.AdvancedTxDescriptorLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * "A card given garbage counts the error and keeps running", for the 82599 port behind VT-d: the
 * tables map a window of {@value IommuWindow#PAGES} pages ({@link IommuWindow}), receive and
 * transmit queue 0 are set up in it as a driver does (rings in the first two pages, 2 KiB receive
 * buffers after them), and the fuzz bytes then
 * <ul>
 *   <li>write a queue, filter, interrupt or control register with any width and value (ring bases
 *       mostly inside the window), or any offset of BAR0;</li>
 *   <li>write bytes anywhere in the window: descriptors, buffers;</li>
 *   <li>put a transmit data descriptor (any address, length and command bits) at the tail and
 *       move TDT;</li>
 *   <li>send a frame of any length (an Ethernet header or more, jumbo sizes included) into the
 *       port from the wire;</li>
 *   <li>read a register; let virtual time run.</li>
 * </ul>
 * No exception may escape; no byte of RAM outside the window may change; and every access the
 * IOMMU blocked is counted by the card (descriptor fetch, buffer or write-back fault). The machine
 * is built once and reset per input ({@link ReusedMachine}); the wire is a {@link Wire} the harness
 * owns and clears per input.
 *
 * <p>Input: {@link FuzzBytes} fields; each operation is a byte choosing a case of the switch.
 * Regression inputs: {@code src/test/resources/org/jdma/fuzz/IxgbeFuzzTestInputs/<method>/}.
 */
class IxgbeFuzzTest {

    static final long RAM_SIZE = 512L << 10;
    static final RequesterId SLOT = RequesterId.of(0, 5, 0);
    static final int RING = 32;
    static final long RX_RING = IommuWindow.IOVA;
    static final long TX_RING = IommuWindow.IOVA + IommuWindow.PAGE;
    static final long BUFFERS = IommuWindow.IOVA + 2 * IommuWindow.PAGE;
    static final int BUFFER_BYTES = 2048;
    private static final long CSR_SPAN = 0x20000;
    private static final int MAX_OPS = 48;
    private static final long MAX_STEP_NS = 1L << 16;
    private static final long QUIESCE_NS = 2_000_000;
    private static final int MAX_FRAME = 16_384;
    private static final int[] WIDTHS = {1, 2, 4, 8};
    /** Link training after power-on, shortened (the datasheet's is milliseconds) so that inputs start sending at once. */
    private static final long LINK_UP_NS = 20_000;
    private static final int[] REGISTERS = {rdbal(0), rdbah(0), rdlen(0), rdh(0), rdt(0), rxdctl(0), srrctl(0),
            tdbal(0), tdbah(0), tdlen(0), tdh(0), tdt(0), txdctl(0), rdbal(1), rdt(1), rxdctl(1), tdbal(1), tdt(1), txdctl(1),
            RXCTRL, FCTRL, DMATXCTL, CTRL, EIMS, EIMC, EIAC, GPIE, eitr(0), ivar(0), HLREG0, MAXFRS, AUTOC, MRQC, reta(0)};
    /** Base-address registers, written mostly with an IOVA in the window. */
    private static final List<Integer> BASES = List.of(rdbal(0), tdbal(0), rdbal(1), tdbal(1));

    static MachineConfig config() {
        return MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("ram", 0, RAM_SIZE)))
                .withDevice(IxgbePort.spec("eth0", SLOT, IxgbeConfig.DEFAULT.withLinkUpNs(LINK_UP_NS)));
    }

    private static final IommuWindow SANDBOX = new IommuWindow(RAM_SIZE);
    private static final ReusedMachine MACHINE = reusedMachine();

    /** A machine for this target's inputs, whose RAM is restored per input as {@link IommuWindow#restore} says. */
    static ReusedMachine reusedMachine() {
        return new ReusedMachine(config(), SANDBOX::restore);
    }

    @FuzzTest(maxDuration = "10m")
    void garbageDescriptorsAndFramesAreCountedAndStayInTheWindow(byte[] input) {
        run(MACHINE.fresh(), input, Outcome.IGNORED);
    }

    /** Runs one input on {@code m} (new or reset), telling {@code out} what it observed. */
    static void run(Machine m, byte[] input, Outcome out) {
        FuzzBytes data = new FuzzBytes(input);
        Cpu cpu = m.cpu();
        IxgbePort port = (IxgbePort) m.device("eth0");
        Wire wire = Wire.of(port, m.eventKernel());
        MemorySegment ram = VtdUnitFuzzTest.ramOf(m);
        VtdUnit unit = m.remappingUnits().getFirst();
        long unitFaultsBefore = unit.faultsRecorded() + unit.faultsDropped() + unit.faultsSuppressed();
        FaultCounters before = port.faults(); // counters go on over resets: the outcome is the change
        long receivedBefore = port.framesReceived();
        long sentBefore = port.framesSent();
        long bar0 = bringUp(m, cpu, ram);
        SANDBOX.snapshot(m, ram);
        int txTail = 0;
        for (int op = 0; op < MAX_OPS && !data.exhausted(); op++) {
            switch (data.choice(7)) {
                case 0 -> {
                    int reg = REGISTERS[data.choice(REGISTERS.length)];
                    long value = BASES.contains(reg) && data.choice(2) == 0
                            ? IommuWindow.IOVA + (data.u16() % (IommuWindow.BYTES / 128)) * 128 : data.u64();
                    mmioWrite(cpu, bar0 + reg, WIDTHS[data.choice(WIDTHS.length)], value);
                }
                case 1 -> mmioWrite(cpu, bar0 + (data.u16() | (long) data.choice(2) << 16) % CSR_SPAN,
                        WIDTHS[data.choice(WIDTHS.length)], data.u64());
                case 2 -> SANDBOX.write(ram, IommuWindow.WINDOW + data.u16() % IommuWindow.BYTES, data.bytes(64));
                case 3 -> {
                    transmitDescriptor(data, ram, txTail);
                    txTail = (txTail + 1) % RING;
                    cpu.write32(bar0 + tdt(0), txTail);
                }
                case 4 -> wire.arrive(frame(data));
                case 5 -> out.add("read", cpu.read32(bar0 + (data.u16() | (long) data.choice(2) << 16) % CSR_SPAN & ~3L));
                default -> m.clock().runFor(data.u16() % MAX_STEP_NS * 16);
            }
        }
        m.clock().runFor(QUIESCE_NS);
        SANDBOX.checkNothingOutsideChanged(m, ram);
        FaultCounters after = port.faults();
        long cardDmaFaults = after.descriptorFetchFaults() - before.descriptorFetchFaults() + after.bufferFaults()
                - before.bufferFaults() + after.writeBackFaults() - before.writeBackFaults();
        long unitFaults = unit.faultsRecorded() + unit.faultsDropped() + unit.faultsSuppressed() - unitFaultsBefore;
        check(unitFaults == 0 || cardDmaFaults > 0, () -> "the IOMMU blocked " + unitFaults
                + " accesses of the card, which counted no DMA fault: " + after);
        out.add("card dma faults", cardDmaFaults);
        out.add("unit faults", unitFaults);
        out.add("received/sent", (port.framesReceived() - receivedBefore) + "/" + (port.framesSent() - sentBefore));
        out.add("on the wire", wire.sent + " frames, " + wire.sentBytes + " bytes, hash " + wire.sentHash);
        out.add("status", Integer.toHexString(cpu.read32(bar0 + STATUS)));
    }

    /**
     * What ixy's init does, shortened: bus mastering and the IOMMU window, receive queue 0 with
     * {@value #RING} advanced one-buffer descriptors of 2 KiB buffers, all given to the card;
     * transmit queue 0 empty; promiscuous receive, RX and TX DMA on; wait for the link.
     */
    private static long bringUp(Machine m, Cpu cpu, MemorySegment ram) {
        long bar0 = IommuWindow.enable(m, cpu, SLOT, CSR_BAR);
        for (int i = 0; i < RING; i++) {
            long at = IommuWindow.WINDOW + (long) i * AdvancedRxDescriptorLayout.SIZE;
            ram.set(ValueLayout.JAVA_LONG_UNALIGNED, at + AdvancedRxDescriptorLayout.PKT_ADDR, BUFFERS + (long) i * BUFFER_BYTES);
            ram.set(ValueLayout.JAVA_LONG_UNALIGNED, at + AdvancedRxDescriptorLayout.HDR_ADDR, 0);
        }
        cpu.write32(bar0 + rdbal(0), (int) RX_RING);
        cpu.write32(bar0 + rdbah(0), (int) (RX_RING >>> 32));
        cpu.write32(bar0 + rdlen(0), RING * AdvancedRxDescriptorLayout.SIZE);
        cpu.write32(bar0 + srrctl(0), SRRCTL_DESCTYPE_ADV_ONEBUF | BUFFER_BYTES / SRRCTL_BSIZEPKT_UNIT);
        cpu.write32(bar0 + rdh(0), 0);
        cpu.write32(bar0 + rdt(0), RING - 1);
        cpu.write32(bar0 + rxdctl(0), RXDCTL_ENABLE);
        cpu.write32(bar0 + FCTRL, FCTRL_UPE | FCTRL_MPE | FCTRL_BAM);
        cpu.write32(bar0 + RXCTRL, RXCTRL_RXEN);
        cpu.write32(bar0 + tdbal(0), (int) TX_RING);
        cpu.write32(bar0 + tdbah(0), (int) (TX_RING >>> 32));
        cpu.write32(bar0 + tdlen(0), RING * AdvancedTxDescriptorLayout.SIZE);
        cpu.write32(bar0 + tdh(0), 0);
        cpu.write32(bar0 + tdt(0), 0);
        cpu.write32(bar0 + DMATXCTL, DMATXCTL_TE);
        cpu.write32(bar0 + txdctl(0), TXDCTL_ENABLE);
        IxgbePort port = (IxgbePort) m.device("eth0");
        m.eventKernel().runUntil(port::linkUp, m.eventKernel().now() + 10 * LINK_UP_NS);
        check(port.linkUp(), () -> "link not up after bring-up");
        return bar0;
    }

    /** A data descriptor at {@code slot} of transmit ring 0: a buffer mostly in the window, any length and command bits. */
    private static void transmitDescriptor(FuzzBytes data, MemorySegment ram, int slot) {
        long address = data.choice(2) == 0 ? BUFFERS + data.u16() % (IommuWindow.BYTES - 2 * IommuWindow.PAGE) : data.u64();
        int length = data.choice(2) == 0 ? 60 + data.u8() * 4 : data.u16();
        int dcmd = data.choice(2) == 0 // a driver's bits, EOP mostly (a frame in several descriptors otherwise)
                ? AdvancedTxDescriptorLayout.DCMD_IFCS | AdvancedTxDescriptorLayout.DCMD_RS
                        | (data.choice(4) == 0 ? 0 : AdvancedTxDescriptorLayout.DCMD_EOP)
                : data.u8() << 24;
        byte[] d = new byte[AdvancedTxDescriptorLayout.SIZE];
        MemorySegment s = MemorySegment.ofArray(d);
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, AdvancedTxDescriptorLayout.BUFFER_ADDR, address);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, AdvancedTxDescriptorLayout.CMD_TYPE_LEN,
                AdvancedTxDescriptorLayout.dataCmdTypeLen(length, dcmd));
        s.set(ValueLayout.JAVA_INT_UNALIGNED, AdvancedTxDescriptorLayout.OLINFO_STATUS,
                data.choice(2) == 0 ? length << AdvancedTxDescriptorLayout.PAYLEN_SHIFT : (int) data.u64());
        SANDBOX.write(ram, IommuWindow.WINDOW + IommuWindow.PAGE + (long) slot * AdvancedTxDescriptorLayout.SIZE, d);
    }

    /** A frame from the wire: an Ethernet header or more, up to jumbo sizes, its first bytes from the input. */
    private static byte[] frame(FuzzBytes data) {
        int length = LinkEnd.MIN_FRAME - 46 + data.u16() % (MAX_FRAME - 13);
        byte[] frame = new byte[length];
        byte[] head = data.bytes(64);
        System.arraycopy(head, 0, frame, 0, Math.min(head.length, length));
        return frame;
    }

    /**
     * The far end: frames the harness sends arrive at the port at once (as events), frames the
     * port sends are counted and hashed, the wire times them at 10 Gb/s. One per machine, cleared
     * per input, since a reset machine starts at time 0.
     */
    static final class Wire implements LinkEnd {
        private static final long BITS_PER_SECOND = 10_000_000_000L;
        private final EventKernel kernel;
        private FrameReceiver port;
        private long freeAtNs;
        long sent;
        long sentBytes;
        int sentHash;

        private Wire(EventKernel kernel) {
            this.kernel = kernel;
        }

        /** The port's wire, attached on the machine's first input and cleared on every later one. */
        static Wire of(IxgbePort port, EventKernel kernel) {
            if (port.link() instanceof Wire w) {
                w.freeAtNs = 0;
                w.sent = 0;
                w.sentBytes = 0;
                w.sentHash = 0;
                return w;
            }
            Wire w = new Wire(kernel);
            port.attach(w);
            return w;
        }

        void arrive(byte[] frame) {
            if (port != null) {
                kernel.schedule(0, "fuzz frame in", () -> port.receive(frame));
            }
        }

        @Override
        public long transmit(byte[] frame) {
            long start = Math.max(kernel.now(), freeAtNs);
            freeAtNs = start + (frame.length + WIRE_OVERHEAD_BYTES) * 8L * 1_000_000_000L / BITS_PER_SECOND;
            sent++;
            sentBytes += frame.length;
            sentHash = 31 * sentHash + Arrays.hashCode(frame);
            return freeAtNs;
        }

        @Override public void onReceive(FrameReceiver receiver) { this.port = receiver; }
        @Override public boolean linkUp() { return true; }
        @Override public long bitsPerSecond() { return BITS_PER_SECOND; }
    }
}
