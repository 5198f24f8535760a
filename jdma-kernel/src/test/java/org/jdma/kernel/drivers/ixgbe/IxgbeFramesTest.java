package org.jdma.kernel.drivers.ixgbe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.net.LinkStatus;
import org.jdma.kernel.net.PacketBuffer;
import org.jdma.machine.net.FrameSizes;
import org.jdma.machine.net.GeneratorConfig;
import org.jdma.machine.net.GeneratorFrameLayout;
import org.jdma.machine.net.GeneratorRate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Frames over several buffers, jumbo frames and link changes through the 82599 driver. */
class IxgbeFramesTest {

    private TwoPorts rig;

    @AfterEach
    void tearDown() {
        if (rig != null) {
            rig.close();
        }
    }

    private static GeneratorConfig traffic(long count, FrameSizes sizes) {
        return GeneratorConfig.DEFAULT.withCount(count).withSizes(sizes).withRate(new GeneratorRate.LineFraction(0.2));
    }

    private static IxgbeOptions polling() {
        return IxgbeOptions.DEFAULTS.withInterrupts(false);
    }

    /** A chain of {@code segments} buffers from {@code pool}'s device, {@code each} bytes per segment, bytes numbered. */
    private static PacketBuffer chain(IxgbeDriver device, int segments, int each, int tag) {
        PacketBuffer head = null;
        for (int s = 0; s < segments; s++) {
            PacketBuffer b = device.allocate(0);
            byte[] bytes = new byte[each];
            for (int i = 0; i < each; i++) {
                bytes[i] = (byte) (tag + s * each + i);
            }
            if (s == 0) {
                System.arraycopy(new byte[] {2, 0, 0, 0, 0, 9, 2, 0, 0, 0, 0, 1, (byte) 0x88, (byte) 0xB5}, 0, bytes, 0, 14);
            }
            b.put(bytes);
            head = head == null ? b : head.append(b);
        }
        return head;
    }

    @Test
    void shouldReceiveAJumboFrameAsOneChainOfTwoKilobyteBuffersAndSendItWhole() {
        rig = new TwoPorts(IommuMode.STRICT, 1, polling().withMtu(9000), traffic(1, new FrameSizes.Fixed(9014)), null);
        rig.generator.start();
        rig.machine.clock().runFor(2_000_000);
        PacketBuffer[] batch = new PacketBuffer[4];
        assertEquals(1, rig.a.rxBatch(0, batch, 4), "one frame, however many descriptors");
        PacketBuffer frame = batch[0];
        assertEquals(5, frame.segments());
        assertEquals(9014, frame.frameLength());
        List<Integer> sizes = new ArrayList<>();
        for (PacketBuffer b = frame; b != null; b = b.next()) {
            sizes.add(b.size());
        }
        assertEquals(List.of(2048, 2048, 2048, 2048, 822), sizes);
        byte[] bytes = frame.frameBytes();
        assertEquals(0, GeneratorFrameLayout.sequence(bytes));
        assertEquals(1, rig.b.txBatch(0, batch, 1));
        rig.machine.clock().runFor(1_000_000);
        assertEquals(5, rig.b.cleanTx(0), "five descriptors sent and cleaned");
        assertEquals(1, rig.arrived.size());
        assertArrayEquals(bytes, rig.arrived.getFirst());
        assertEquals(IxgbeOptions.DEFAULTS.ringSize(), rig.a.pool(0).inUse(), "the chain's five buffers are back in A's pool; the ring's are out");
        rig.closeWithSilentChecker();
    }

    @ParameterizedTest
    @EnumSource(IommuMode.class)
    void shouldForwardJumboFramesWhoseSegmentsWrapTheRingsWithNapi(IommuMode mode) {
        // Rings of 64: each 9014-byte frame takes 5 descriptors and each 60-byte one 1, so the
        // eleventh jumbo frame takes descriptors 60..63 and 0 on A's receive ring and B's transmit ring.
        rig = new TwoPorts(mode, 1, IxgbeOptions.DEFAULTS.withMtu(9000).withRing(64, 256),
                traffic(60, new FrameSizes.Cycle(9014, 60)), null);
        long[] refused = rig.forward(0);
        rig.generator.start();
        rig.runUntilArrived(60);
        assertEquals(0, refused[0]);
        for (int i = 0; i < 60; i++) {
            byte[] f = rig.arrived.get(i);
            assertEquals(i % 2 == 0 ? 9014 : 60, f.length, "frame " + i);
            assertEquals(i, GeneratorFrameLayout.sequence(f), "in order");
        }
        assertEquals(60, rig.a.stats().rxPackets());
        assertEquals(0, rig.a.stats().rxErrors());
        assertEquals(64, rig.a.pool(0).inUse(), "every forwarded chain came back to A's pool; only the ring's buffers are out");
        rig.closeWithSilentChecker();
    }

    @Test
    void shouldDropAWholeFrameWhenOneOfItsSegmentsHasAnErrorAndCountIt() {
        rig = new TwoPorts(IommuMode.STRICT, 1, polling().withMtu(9000), traffic(2, new FrameSizes.Cycle(9014, 3000)), null);
        // the card cannot write the third buffer of the first frame: the IOMMU maps nothing there
        long slot2 = rig.a.rx(0).ring().physical() + 2 * org.jdma.spec.ixgbe.AdvancedRxDescriptorLayout.SIZE;
        rig.kernel.platform().cpu().write64(slot2, 0x7_0000_0000L);
        int out = rig.a.pool(0).inUse();
        rig.generator.start();
        rig.machine.clock().runFor(2_000_000);
        PacketBuffer[] batch = new PacketBuffer[4];
        assertEquals(1, rig.a.rxBatch(0, batch, 4), "the broken frame is not handed over, not even in part");
        assertEquals(3000, batch[0].frameLength(), "the next frame is whole");
        assertEquals(2, batch[0].segments());
        assertEquals(1, rig.a.stats().rxErrors(), "counted once for its five descriptors");
        batch[0].free();
        assertEquals(out, rig.a.pool(0).inUse(), "the dropped frame's five buffers went back to the pool");
        var reports = rig.kernel.dmaDebug().orElseThrow().reports();
        assertEquals(1, reports.size(), reports.toString());
        assertTrue(reports.getFirst().message().contains("no mapping for [write] [device address=0x0000000700000000]"),
                "the checker saw the card's write the IOMMU refused: " + reports.getFirst().message());
    }

    @Test
    void shouldDropFramesLongerThanTheMtuAllowsAndCountNothingReceived() {
        rig = new TwoPorts(IommuMode.OFF, 1, polling().withMtu(4000), traffic(3, new FrameSizes.Cycle(4014, 4015, 60)), null);
        rig.generator.start();
        rig.machine.clock().runFor(2_000_000);
        PacketBuffer[] batch = new PacketBuffer[4];
        assertEquals(2, rig.a.rxBatch(0, batch, 4), "4014 + FCS = MAXFRS.MFS 4018 passes, 4015 does not (ROC)");
        assertEquals(4014, batch[0].frameLength());
        assertEquals(60, batch[1].frameLength());
        assertEquals(2, rig.a.stats().rxPackets());
        batch[0].free();
        batch[1].free();
        rig.closeWithSilentChecker();
    }

    @Test
    void shouldNotReceiveAFrameLargerThanAStandardOneWithTheDefaultMtu() {
        rig = new TwoPorts(IommuMode.OFF, 1, polling(), traffic(2, new FrameSizes.Cycle(1519, 1518)), null);
        rig.generator.start();
        rig.machine.clock().runFor(2_000_000);
        PacketBuffer[] batch = new PacketBuffer[4];
        assertEquals(1, rig.a.rxBatch(0, batch, 4));
        assertEquals(1518, batch[0].frameLength(), "1519 is longer than JUMBOEN off allows (1518: 1500, a header, a VLAN tag)");
        assertEquals(1, batch[0].segments());
        batch[0].free();
        rig.closeWithSilentChecker();
    }

    @Test
    void shouldQueueAChainOnlyWhenTheRingHasASlotForEverySegment() {
        rig = new TwoPorts(IommuMode.STRICT, 1, polling().withRing(64, 512).withMtu(9000), traffic(1, new FrameSizes.Fixed(60)), null);
        PacketBuffer[] chains = new PacketBuffer[13];
        byte[][] bytes = new byte[13][];
        for (int i = 0; i < chains.length; i++) {
            chains[i] = chain(rig.b, 5, 300, i);
            bytes[i] = chains[i].frameBytes();
        }
        assertEquals(12, rig.b.txBatch(0, chains, 13), "63 free slots: twelve chains of 5 take 60, the 13th does not fit in 3");
        rig.machine.clock().runFor(1_000_000);
        assertEquals(60, rig.b.cleanTx(0));
        assertEquals(1, rig.b.txBatch(0, new PacketBuffer[] {chains[12]}, 1), "now it fits, across the ring's end (60..63, 0)");
        rig.machine.clock().runFor(1_000_000);
        assertEquals(5, rig.b.cleanTx(0));
        assertEquals(13, rig.arrived.size());
        for (int i = 0; i < 13; i++) {
            assertArrayEquals(bytes[i], rig.arrived.get(i), "frame " + i);
        }
        assertEquals(13, rig.b.stats().txPackets());
        assertEquals(13 * (1500 + 4), rig.b.stats().txBytes(), "one frame per chain (FCS counted)");

        PacketBuffer tooMany = chain(rig.b, 64, 100, 99);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> rig.b.txBatch(0, new PacketBuffer[] {tooMany}, 1));
        assertTrue(e.getMessage().contains("64 segments"), e.getMessage());
        int out = rig.b.pool(0).inUse();
        tooMany.free();
        assertEquals(out - 64, rig.b.pool(0).inUse(), "the refused chain, freed whole");
        rig.closeWithSilentChecker();
    }

    @Test
    void shouldFreeAChainBackToEachSegmentsOwnPool() {
        rig = new TwoPorts(IommuMode.LAZY, 1, polling(), traffic(1, new FrameSizes.Fixed(60)), null);
        int aOut = rig.a.pool(0).inUse();
        int bOut = rig.b.pool(0).inUse();
        PacketBuffer x = rig.a.allocate(0);
        PacketBuffer y = rig.b.allocate(0);
        PacketBuffer z = rig.a.allocate(0);
        x.setSize(10);
        y.setSize(20);
        z.setSize(30);
        x.append(y).append(z);
        assertEquals(3, x.segments());
        assertEquals(60, x.frameLength());
        assertThrows(IllegalArgumentException.class, () -> x.append(y), "a buffer cannot be in a chain twice");
        assertThrows(IllegalArgumentException.class, () -> z.append(x), "nor close a loop");
        x.free();
        assertEquals(aOut, rig.a.pool(0).inUse(), "x and z back in A's pool");
        assertEquals(bOut, rig.b.pool(0).inUse(), "y back in B's pool");
        assertEquals(null, x.next(), "the chain is undone");
        rig.closeWithSilentChecker();
    }

    @Test
    void shouldCountLinkChangesAndRefuseToSendWhileTheLinkIsDown() {
        rig = new TwoPorts(IommuMode.STRICT, 1, IxgbeOptions.DEFAULTS, traffic(1, new FrameSizes.Fixed(60)), null);
        assertEquals(new LinkStatus(true, 10_000_000_000L, 0, 0), rig.b.link());
        rig.out.setEnabled(false);
        rig.machine.clock().runFor(100_000);
        LinkStatus down = rig.b.link();
        assertFalse(down.up(), "EICR.LSC: the other-causes handler read LINKS");
        assertEquals(1, down.changes());
        assertEquals(0, down.bitsPerSecond());
        PacketBuffer buffer = rig.b.allocate(0);
        buffer.put(new byte[60]);
        PacketBuffer[] one = {buffer};
        assertEquals(0, rig.b.txBatch(0, one, 1), "nothing is handed to a card without carrier");
        assertEquals(1, rig.b.link().txRefusedWhileDown());
        assertTrue(rig.a.link().up(), "the other port's link is another cable");
        rig.out.setEnabled(true);
        assertTrue(rig.machine.clock().runUntil(() -> rig.b.link().up(), TwoPorts.TIMEOUT_NS));
        assertEquals(2, rig.b.link().changes());
        assertEquals(1, rig.b.txBatch(0, one, 1), "sending resumes");
        rig.machine.clock().runFor(1_000_000);
        assertEquals(1, rig.arrived.size());
        rig.closeWithSilentChecker();
    }

    @Test
    void shouldSeeALinkChangeWhenPollingOnlyWhenAskedOrSending() {
        rig = new TwoPorts(IommuMode.OFF, 1, polling(), traffic(1, new FrameSizes.Fixed(60)), null);
        rig.out.setEnabled(false);
        rig.machine.clock().runFor(100_000);
        assertFalse(rig.b.link().up(), "link() reads LINKS when there is no link-change interrupt");
        PacketBuffer buffer = rig.b.allocate(0);
        buffer.put(new byte[60]);
        assertEquals(0, rig.b.txBatch(0, new PacketBuffer[] {buffer}, 1));
        rig.out.setEnabled(true);
        rig.machine.clock().runFor(5_000_000);
        assertEquals(1, rig.b.txBatch(0, new PacketBuffer[] {buffer}, 1), "a send while down looks at LINKS again");
        assertNotEquals(0, rig.b.link().changes());
        rig.machine.clock().runFor(1_000_000);
        rig.b.cleanTx(0);
        rig.closeWithSilentChecker();
    }
}
