package org.jdma.machine.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.net.EthernetLink.Direction;
import org.jdma.machine.time.EventKernel;
import org.junit.jupiter.api.Test;

class EthernetLinkTest {

    private final EventKernel kernel = new EventKernel(1);

    private EthernetLink link(LinkParameters p) {
        return new EthernetLink(kernel, p);
    }

    private static LinkParameters upAtOnce() {
        return LinkParameters.DEFAULT.withLinkUpTimeNs(0);
    }

    /** Keeps the transmitter busy: sends the same frame again each time the transmitter is free. */
    private void sendBackToBack(LinkEnd end, byte[] frame) {
        long free = end.transmit(frame);
        kernel.scheduleAt(free, "next", () -> sendBackToBack(end, frame));
    }

    private long framesInOneSecond(int frameBytes) {
        EthernetLink link = link(upAtOnce());
        CountingSink sink = new CountingSink(kernel);
        link.endB().onReceive(sink);
        sendBackToBack(link.endA(), new byte[frameBytes]);
        kernel.runUntil(1_000_000_000L);
        return sink.frames();
    }

    @Test
    void shouldCarry14880952MinimumFramesInAModeledSecondAt10Gbps() {
        long frames = framesInOneSecond(60);
        assertTrue(Math.abs(frames - 14_880_952) <= 1, "60-byte frames (64 with FCS) in 1 s: " + frames);
    }

    @Test
    void shouldCarry812744FullSizeFramesInAModeledSecondAt10Gbps() {
        long frames = framesInOneSecond(1514);
        assertTrue(Math.abs(frames - 812_744) <= 1, "1514-byte frames (1518 with FCS) in 1 s: " + frames);
    }

    @Test
    void shouldGiveTheLineRateArithmeticOfTheDatasheet() {
        assertEquals(67_200, LinkParameters.DEFAULT.framePicoseconds(60));
        assertEquals(1_230_400, LinkParameters.DEFAULT.framePicoseconds(1514));
        assertEquals(14_880_952, Math.round(LinkParameters.DEFAULT.lineRatePps(60)));
        assertEquals(812_744, Math.round(LinkParameters.DEFAULT.lineRatePps(1514)));
        // A short frame is padded on the wire to the minimum.
        assertEquals(67_200, LinkParameters.DEFAULT.framePicoseconds(20));
        assertEquals(8_000, LinkParameters.DEFAULT.withBitsPerSecond(1_000_000_000L).bytePicoseconds());
    }

    @Test
    void shouldSerialiseFramesOneAfterAnotherAndDeliverEachWhenItsLastBitArrives() {
        EthernetLink link = link(upAtOnce());
        List<String> arrivals = new ArrayList<>();
        link.endB().onReceive(f -> arrivals.add(f.length + "@" + kernel.now()));
        // All three are queued at time 0. 60 bytes: 84 byte times = 67.2 ns; preamble, frame and FCS end
        // after 72 byte times = 57.6 ns, delivered in the nanosecond that falls in.
        assertEquals(67, link.endA().transmit(new byte[60]));
        // Starts at 67.2 ns, lasts 1538 byte times = 1230.4 ns; the last bit at 67.2 + 1526 × 0.8 = 1288 ns.
        assertEquals(1297, link.endA().transmit(new byte[1514]));
        // Starts at 1297.6 ns; last bit at 1297.6 + 57.6 = 1355.2 ns.
        assertEquals(1364, link.endA().transmit(new byte[60]));
        kernel.runUntilIdle();
        assertEquals(List.of("60@58", "1514@1288", "60@1356"), arrivals);
        LinkCounters c = link.counters(Direction.A_TO_B);
        assertEquals(3, c.frames());
        assertEquals(60 + 1514 + 60, c.bytes());
        assertEquals(3, c.delivered());
        assertEquals(67_200 + 1_230_400 + 67_200, c.busyPicoseconds());
    }

    @Test
    void shouldStartAFrameWhenSentIfTheTransmitterIsIdle() {
        EthernetLink link = link(upAtOnce());
        List<Long> arrivals = new ArrayList<>();
        link.endB().onReceive(f -> arrivals.add(kernel.now()));
        link.endA().transmit(new byte[60]);
        kernel.runUntil(10_000);
        assertEquals(10_067, link.endA().transmit(new byte[60]));
        kernel.runUntilIdle();
        assertEquals(List.of(58L, 10_058L), arrivals);
        assertEquals(0.01344, link.counters(Direction.A_TO_B).utilisation(10_000), 1e-9);
    }

    @Test
    void shouldAddThePropagationDelayToEveryArrival() {
        EthernetLink link = link(upAtOnce().withPropagationDelayNs(500));
        List<Long> arrivals = new ArrayList<>();
        link.endB().onReceive(f -> arrivals.add(kernel.now()));
        assertEquals(67, link.endA().transmit(new byte[60]), "the transmitter is free before the frame arrives");
        link.endA().transmit(new byte[60]);
        kernel.runUntilIdle();
        assertEquals(List.of(558L, 625L), arrivals);
    }

    @Test
    void shouldCarryBothDirectionsIndependently() {
        // Alone: B sends minimum frames back to back for 10 µs.
        EventKernel alone = new EventKernel(1);
        EthernetLink solo = new EthernetLink(alone, upAtOnce());
        List<Long> soloArrivals = new ArrayList<>();
        solo.endA().onReceive(f -> soloArrivals.add(alone.now()));
        for (int i = 0; i < 100; i++) {
            solo.endB().transmit(new byte[60]);
        }
        alone.runUntilIdle();

        // Together with full-size frames going the other way at the same time.
        EthernetLink link = link(upAtOnce());
        List<Long> arrivals = new ArrayList<>();
        CountingSink atB = new CountingSink(kernel);
        link.endA().onReceive(f -> arrivals.add(kernel.now()));
        link.endB().onReceive(atB);
        for (int i = 0; i < 100; i++) {
            link.endB().transmit(new byte[60]);
            link.endA().transmit(new byte[1514]);
        }
        kernel.runUntilIdle();
        assertEquals(soloArrivals, arrivals);
        assertEquals(100, atB.frames());
        assertEquals(100 * 1_230_400L, link.counters(Direction.A_TO_B).busyPicoseconds());
        assertEquals(100 * 67_200L, link.counters(Direction.B_TO_A).busyPicoseconds());
    }

    @Test
    void shouldComeUpAfterTheLinkUpTimeAndLoseWhatIsSentBefore() {
        EthernetLink link = link(LinkParameters.DEFAULT.withLinkUpTimeNs(5_000));
        CountingSink sink = new CountingSink(kernel);
        link.endB().onReceive(sink);
        List<String> changes = new ArrayList<>();
        link.onLinkChange(() -> changes.add(link.isUp() + "@" + kernel.now()));
        assertFalse(link.endA().linkUp());
        assertEquals(0, link.endA().transmit(new byte[60]), "a frame sent while down returns at once");
        kernel.runUntil(4_999);
        assertFalse(link.isUp());
        kernel.runUntil(5_000);
        assertTrue(link.endA().linkUp());
        assertTrue(link.endB().linkUp());
        link.endA().transmit(new byte[60]);
        kernel.runUntilIdle();
        assertEquals(1, sink.frames());
        assertEquals(1, link.counters(Direction.A_TO_B).lostLinkDown());
        assertEquals(1, link.counters(Direction.A_TO_B).frames());
        assertEquals(List.of("true@5000"), changes);
    }

    @Test
    void shouldLoseEveryFrameStillOnTheWireOrQueuedWhenTheLinkGoesDown() {
        EthernetLink link = link(LinkParameters.DEFAULT.withLinkUpTimeNs(1_000));
        CountingSink sink = new CountingSink(kernel);
        link.endB().onReceive(sink);
        List<String> changes = new ArrayList<>();
        link.onLinkChange(() -> changes.add(link.isUp() + "@" + kernel.now()));
        kernel.runUntil(1_000);
        for (int i = 0; i < 10; i++) {
            link.endA().transmit(new byte[1514]);
        }
        // The first frame's last bit arrives at 1000 + 1220.8 ns; pull the cable while the second is on the wire.
        kernel.runUntil(2_500);
        assertEquals(1, sink.frames());
        link.setEnabled(false);
        assertFalse(link.isUp());
        assertEquals(kernel.now(), link.endA().transmit(new byte[60]), "sent while down: lost at once");
        kernel.runUntil(100_000);
        assertEquals(1, sink.frames(), "nothing queued before the cable was pulled arrives");
        LinkCounters c = link.counters(Direction.A_TO_B);
        assertEquals(10, c.frames());
        assertEquals(1, c.delivered());
        assertEquals(10, c.lostLinkDown());
        assertEquals(1_500_000, c.busyPicoseconds(), "busy from 1000 ns until the cable was pulled at 2500 ns");

        link.setEnabled(true);
        assertFalse(link.isUp(), "the link trains again");
        kernel.runUntil(101_000);
        assertTrue(link.isUp());
        link.endA().transmit(new byte[60]);
        kernel.runUntilIdle();
        assertEquals(2, sink.frames());
        assertEquals(List.of("true@1000", "false@2500", "true@101000"), changes);
    }

    @Test
    void shouldGiveAFrameBackToItsSenderOnceAReceiverThatKeepsNothingHasIt() {
        EthernetLink link = link(upAtOnce());
        CountingSink sink = new CountingSink(kernel);
        link.endB().onReceive(sink);
        FrameArrays arrays = new FrameArrays();
        byte[] frame = arrays.take(1514);
        link.endA().transmit(frame, arrays);
        assertEquals(1, arrays.made());
        assertNotSame(frame, arrays.take(1514), "still on the wire");
        kernel.runUntilIdle();
        assertEquals(1, sink.frames());
        assertSame(frame, arrays.take(1514), "delivered and counted: back with its sender");
    }

    @Test
    void shouldNeverGiveBackAFrameAReceiverMayKeep() {
        EthernetLink link = link(upAtOnce());
        List<byte[]> kept = new ArrayList<>();
        link.endB().onReceive(kept::add);
        FrameArrays arrays = new FrameArrays();
        byte[] frame = arrays.take(100);
        link.endA().transmit(frame, arrays);
        kernel.runUntilIdle();
        assertSame(frame, kept.getFirst());
        assertNotSame(frame, arrays.take(100));
        assertEquals(0, arrays.reused());
    }

    @Test
    void shouldGiveBackAFrameLostOnALinkThatIsDownOrUnclaimed() {
        EthernetLink link = link(LinkParameters.DEFAULT.withLinkUpTimeNs(1_000));
        FrameArrays arrays = new FrameArrays();
        byte[] early = arrays.take(100);
        link.endA().transmit(early, arrays);
        assertSame(early, arrays.take(100), "sent before the link was up: lost at once");
        kernel.runUntil(1_000);
        byte[] nobody = arrays.take(100);
        link.endA().transmit(nobody, arrays);
        kernel.runUntilIdle();
        assertEquals(1, link.counters(Direction.A_TO_B).unclaimed());
        assertSame(nobody, arrays.take(100), "no receiver at the far end");
        link.endB().onReceive(new CountingSink(kernel));
        byte[] pulled = arrays.take(100);
        link.endA().transmit(pulled, arrays);
        link.setEnabled(false);
        kernel.runUntilIdle();
        assertSame(pulled, arrays.take(100), "on the wire when the cable was pulled");
    }

    @Test
    void shouldNotComeUpFromATrainingThatAPulledCableCut() {
        EthernetLink link = link(LinkParameters.DEFAULT.withLinkUpTimeNs(1_000));
        kernel.runUntil(500);
        link.setEnabled(false);
        link.setEnabled(true);
        kernel.runUntil(1_000);
        assertFalse(link.isUp(), "the training begun at 0 was cut at 500");
        kernel.runUntil(1_500);
        assertTrue(link.isUp());
    }

    @Test
    void shouldCountFramesThatArriveWhereNobodyListens() {
        EthernetLink link = link(upAtOnce());
        link.endA().transmit(new byte[60]);
        kernel.runUntilIdle();
        assertEquals(1, link.counters(Direction.A_TO_B).unclaimed());
        assertEquals(0, link.counters(Direction.A_TO_B).delivered());
    }

    @Test
    void shouldHandTheReceiverTheSendersFrame() {
        EthernetLink link = link(upAtOnce());
        byte[] frame = new byte[60];
        List<byte[]> got = new ArrayList<>();
        link.endA().onReceive(got::add);
        link.endB().transmit(frame);
        kernel.runUntilIdle();
        assertSame(frame, got.getFirst());
    }

    @Test
    void shouldRejectAFrameWithoutAnEthernetHeader() {
        EthernetLink link = link(upAtOnce());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> link.endA().transmit(new byte[13]));
        assertTrue(e.getMessage().contains("13 bytes"), e.getMessage());
        assertEquals(0, link.counters(Direction.A_TO_B).frames());
    }

    @Test
    void shouldRejectARateWhoseByteTimeIsNotWholePicoseconds() {
        assertThrows(IllegalArgumentException.class, () -> LinkParameters.DEFAULT.withBitsPerSecond(3_000_000_000L));
        assertThrows(IllegalArgumentException.class, () -> LinkParameters.DEFAULT.withLinkUpTimeNs(-1));
        assertEquals(320, LinkParameters.DEFAULT.withBitsPerSecond(25_000_000_000L).bytePicoseconds());
    }
}
