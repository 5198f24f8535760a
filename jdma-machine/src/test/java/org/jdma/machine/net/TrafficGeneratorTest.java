package org.jdma.machine.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.pcap.PcapFileHeader;
import org.jdma.spec.pcap.PcapWriter;
import org.junit.jupiter.api.Test;

class TrafficGeneratorTest {

    private final EventKernel kernel = new EventKernel(7);
    private final EthernetLink link = new EthernetLink(kernel, LinkParameters.DEFAULT.withLinkUpTimeNs(0));
    private final List<Long> arrivals = new ArrayList<>();
    private final List<byte[]> frames = new ArrayList<>();

    private TrafficGenerator generator(GeneratorConfig config) {
        link.endB().onReceive(f -> {
            arrivals.add(kernel.now());
            frames.add(f);
        });
        return new TrafficGenerator(kernel, link.endA(), config);
    }

    /** The capture file of {@code count} generated frames on a fresh machine with {@code seed}. */
    private static byte[] capture(long seed, GeneratorConfig config) throws IOException {
        EventKernel k = new EventKernel(seed);
        EthernetLink l = new EthernetLink(k, LinkParameters.DEFAULT);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PcapCapture capture = new PcapCapture(k, new PcapWriter(bytes,
                PcapFileHeader.ethernet(ByteOrder.LITTLE_ENDIAN, true, 65535)));
        l.endB().onReceive(capture);
        TrafficGenerator g = new TrafficGenerator(k, l.endA(), config);
        k.runUntil(l::isUp);
        g.start();
        k.runUntilIdle();
        capture.close();
        return bytes.toByteArray();
    }

    /** Copies of the frames {@code config} sends with {@code seed}; {@code giveBack}: the far end hands each array back. */
    private static List<byte[]> sent(long seed, GeneratorConfig config, boolean giveBack, Set<byte[]> arraysSeen) {
        EventKernel k = new EventKernel(seed);
        EthernetLink l = new EthernetLink(k, LinkParameters.DEFAULT.withLinkUpTimeNs(0));
        List<byte[]> copies = new ArrayList<>();
        l.endB().onReceive(new FrameReceiver() {
            @Override
            public void receive(byte[] frame) {
                copies.add(frame.clone());
                arraysSeen.add(frame);
            }

            @Override
            public void receive(byte[] frame, FrameArrays arrays) {
                receive(frame);
                if (giveBack) {
                    arrays.giveBack(frame);
                }
            }
        });
        TrafficGenerator g = new TrafficGenerator(k, l.endA(), config);
        g.start();
        k.runUntilIdle();
        return copies;
    }

    @Test
    void shouldSendTheSameBytesWhetherItsFrameArraysComeBackOrNot() {
        GeneratorConfig config = GeneratorConfig.DEFAULT.withSizes(FrameSizes.Mix.imix()).withCount(400).withFlows(5)
                .withRate(new GeneratorRate.LineFraction(0.8));
        Set<byte[]> fresh = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<byte[]> reused = Collections.newSetFromMap(new IdentityHashMap<>());
        List<byte[]> kept = sent(9, config, false, fresh);
        List<byte[]> back = sent(9, config, true, reused);
        assertEquals(400, kept.size());
        assertEquals(400, fresh.size(), "nothing given back: a new array per frame");
        assertTrue(reused.size() < 20, "given back: a few arrays per frame length serve all 400, was " + reused.size());
        for (int i = 0; i < kept.size(); i++) {
            assertArrayEquals(kept.get(i), back.get(i), "frame " + i + ": every byte written again");
        }
    }

    @Test
    void shouldWriteAByteIdenticalCaptureForTheSameSeed() throws IOException {
        GeneratorConfig config = GeneratorConfig.DEFAULT.withSizes(FrameSizes.Mix.imix()).withCount(500)
                .withRate(new GeneratorRate.LineFraction(0.7));
        byte[] first = capture(42, config);
        byte[] second = capture(42, config);
        assertArrayEquals(first, second);
        assertTrue(first.length > 500 * 60, "the capture holds the frames");
        assertFalse(Arrays.equals(first, capture(43, config)), "another seed sends other bytes");
    }

    @Test
    void shouldFillPayloadsWithTheBytesSplittableRandomGives() {
        // The fast fill must not change a single payload byte: captures of earlier versions stay valid.
        for (int length : new int[] {0, 1, 7, 8, 9, 60, 61, 1514, 9014}) {
            byte[] expected = new byte[length];
            new java.util.SplittableRandom(length).nextBytes(expected);
            byte[] actual = new byte[length];
            TrafficGenerator.fillRandom(actual, new java.util.SplittableRandom(length));
            assertArrayEquals(expected, actual, "payload of " + length + " bytes");
        }
    }

    @Test
    void shouldSendBackToBackAtLineRate() {
        TrafficGenerator g = generator(GeneratorConfig.DEFAULT.withCount(1_000));
        g.start();
        kernel.runUntilIdle();
        assertEquals(1_000, arrivals.size());
        // Frame k's last bit arrives at k × 67.2 ns + 57.6 ns.
        for (int k = 0; k < 1_000; k++) {
            assertEquals(Math.ceilDiv(k * 67_200L + 57_600, 1_000), arrivals.get(k), "frame " + k);
        }
        assertTrue(g.finished());
        assertEquals(1_000, g.sent());
        assertEquals(60_000, g.sentBytes());
    }

    @Test
    void shouldSpaceFramesExactlyAtThePacketRate() {
        // A third of a second apart: the picoseconds that do not divide are carried, so frame 3 is at exactly 1 s.
        generator(GeneratorConfig.DEFAULT.withCount(4).withRate(new GeneratorRate.PacketsPerSecond(3))).start();
        kernel.runUntilIdle();
        assertEquals(List.of(58L, 333_333_391L, 666_666_724L, 1_000_000_058L), arrivals);
    }

    @Test
    void shouldSendAtAFractionOfLineRate() {
        generator(GeneratorConfig.DEFAULT.withRate(new GeneratorRate.LineFraction(0.25))).start();
        kernel.runUntil(1_000_000);
        // A quarter of 14,880,952 frames per second, for 1 ms.
        assertTrue(Math.abs(arrivals.size() - 3_720) <= 1, "frames in 1 ms: " + arrivals.size());
        assertEquals(4 * 67_200 / 1_000, arrivals.get(1) - arrivals.get(0), 1);
    }

    @Test
    void shouldGoBackToBackWhenOfferedMoreThanTheWireCarries() {
        generator(GeneratorConfig.DEFAULT.withRate(new GeneratorRate.PacketsPerSecond(20_000_000))).start();
        kernel.runUntil(1_000_000);
        assertTrue(Math.abs(arrivals.size() - 14_881) <= 1, "frames in 1 ms: " + arrivals.size());
    }

    @Test
    void shouldStopAfterTheCountAndSaySo() {
        TrafficGenerator g = generator(GeneratorConfig.DEFAULT.withCount(3));
        List<Long> finished = new ArrayList<>();
        g.onFinished(() -> finished.add(kernel.now()));
        g.start();
        kernel.runUntilIdle();
        assertEquals(3, arrivals.size());
        assertEquals(List.of(134L), finished, "the third frame is handed over when the second has left");
        assertThrows(IllegalStateException.class, g::start);
    }

    @Test
    void shouldStopAndResumeWithoutSendingTwice() {
        TrafficGenerator g = generator(GeneratorConfig.DEFAULT.withRate(new GeneratorRate.PacketsPerSecond(1_000_000)));
        g.start();
        kernel.runUntil(2_500);
        g.stop();
        g.start();
        kernel.runUntil(5_500);
        g.stop();
        kernel.runUntilIdle();
        // The send due at 3000 before the stop never runs; the restart sends from 2500 on its own schedule.
        assertEquals(List.of(58L, 1_058L, 2_058L, 2_558L, 3_558L, 4_558L, 5_558L), arrivals);
        SequenceChecker checker = new SequenceChecker();
        frames.forEach(checker::receive);
        assertTrue(checker.report(7).clean(), checker.report(7).toString());
    }

    @Test
    void shouldBuildFramesWithTheConfiguredHeaderAndSequenceNumbers() {
        generator(GeneratorConfig.DEFAULT.withCount(3).withSizes(new FrameSizes.Cycle(60, 128, 1514))
                .withAddresses(0x01_02_03_04_05_06L, 0x10_10_10_10_10_10L).withEtherType(0x0800)).start();
        kernel.runUntilIdle();
        assertEquals(List.of(60, 128, 1514), frames.stream().map(f -> f.length).toList());
        for (int i = 0; i < 3; i++) {
            byte[] f = frames.get(i);
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x08, 0x00},
                    Arrays.copyOf(f, 14));
            assertEquals(i, GeneratorFrameLayout.sequence(f));
        }
        assertFalse(Arrays.equals(Arrays.copyOfRange(frames.get(0), 22, 60), new byte[38]), "the payload is random");
    }

    @Test
    void shouldFillTheWholeFrameWithPayloadWithoutSequenceNumbers() {
        generator(GeneratorConfig.DEFAULT.withCount(2).withSequenceNumbers(false)).start();
        kernel.runUntilIdle();
        assertFalse(Arrays.equals(Arrays.copyOfRange(frames.get(0), 14, 22), new byte[8]));
        assertFalse(Arrays.equals(Arrays.copyOfRange(frames.get(0), 14, 60), Arrays.copyOfRange(frames.get(1), 14, 60)));
    }

    @Test
    void shouldDrawMixedSizesOnlyFromTheMix() {
        generator(GeneratorConfig.DEFAULT.withCount(600).withSizes(FrameSizes.Mix.imix())).start();
        kernel.runUntilIdle();
        Set<Integer> sizes = new TreeSet<>();
        long small = 0;
        for (byte[] f : frames) {
            sizes.add(f.length);
            small += f.length == 60 ? 1 : 0;
        }
        assertEquals(Set.of(60, 590, 1514), sizes);
        // 7 of 12 are small: 350 expected, far from 200 (uniform) at this count.
        assertTrue(small > 300 && small < 400, "60-byte frames: " + small);
    }

    @Test
    void shouldRejectFramesShorterThanTheMinimumOrSillyRates() {
        assertThrows(IllegalArgumentException.class, () -> new FrameSizes.Fixed(59));
        assertThrows(IllegalArgumentException.class, () -> new FrameSizes.Cycle());
        assertThrows(IllegalArgumentException.class, () -> new FrameSizes.Mix(new int[] {60}, new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> new GeneratorRate.LineFraction(1.5));
        assertThrows(IllegalArgumentException.class, () -> new GeneratorRate.LineFraction(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new GeneratorRate.PacketsPerSecond(0));
        assertThrows(IllegalArgumentException.class, () -> GeneratorConfig.DEFAULT.withCount(0));
        assertThrows(IllegalArgumentException.class, () -> GeneratorConfig.DEFAULT.withEtherType(0x05DC));
    }

    @Test
    void shouldKeepSendingOnScheduleIntoADownLinkAndLoseThoseFrames() {
        EthernetLink slow = new EthernetLink(kernel, LinkParameters.DEFAULT.withLinkUpTimeNs(10_000));
        CountingSink sink = new CountingSink(kernel);
        slow.endB().onReceive(sink);
        TrafficGenerator g = new TrafficGenerator(kernel, slow.endA(),
                GeneratorConfig.DEFAULT.withRate(new GeneratorRate.PacketsPerSecond(1_000_000)).withCount(20));
        g.start();
        kernel.runUntilIdle();
        assertEquals(20, g.sent());
        assertEquals(10, slow.counters(EthernetLink.Direction.A_TO_B).lostLinkDown(), "sent at 0..9 µs, before the link was up");
        assertEquals(10, sink.frames());
    }

    @Test
    void shouldSendIpv4UdpFramesOfEachFlowInTurnWithOtherwiseTheSameBytes() throws IOException {
        GeneratorConfig plain = GeneratorConfig.DEFAULT.withCount(8).withSequenceNumbers(false);
        TrafficGenerator g = generator(plain.withFlows(4));
        g.start();
        kernel.runUntilIdle();
        assertEquals(8, frames.size());
        for (int i = 0; i < 8; i++) {
            byte[] f = frames.get(i);
            assertEquals(0x0800, GeneratorFrameLayout.etherType(f));
            assertEquals(0x45, f[GeneratorFrameLayout.IPV4] & 0xFF);
            assertEquals(17, f[GeneratorFrameLayout.IPV4 + 9], "UDP");
            int sum = 0;
            for (int k = 0; k < 20; k += 2) {
                sum += (f[GeneratorFrameLayout.IPV4 + k] & 0xFF) << 8 | (f[GeneratorFrameLayout.IPV4 + k + 1] & 0xFF);
            }
            while (sum > 0xFFFF) {
                sum = (sum & 0xFFFF) + (sum >>> 16);
            }
            assertEquals(0xFFFF, sum, "the header checksum is valid");
            int sourcePort = (f[GeneratorFrameLayout.UDP] & 0xFF) << 8 | (f[GeneratorFrameLayout.UDP + 1] & 0xFF);
            assertEquals(GeneratorFrameLayout.FLOW_FIRST_SOURCE_PORT + i % 4, sourcePort, "flow " + i % 4);
            assertEquals(i % 4, f[GeneratorFrameLayout.IPV4 + 15], "its source address");
        }
        assertThrows(IllegalArgumentException.class, () -> GeneratorConfig.DEFAULT.withCount(1)
                .withFlows(2).withSequenceNumbers(true), "the sequence number's bytes hold the IPv4 header");
        byte[] withFlows = capture(42, plain.withFlows(4));
        byte[] without = capture(42, plain);
        assertEquals(without.length, withFlows.length, "flows change headers, not sizes or the random payload");
        assertArrayEquals(Arrays.copyOfRange(without, without.length - 10, without.length),
                Arrays.copyOfRange(withFlows, withFlows.length - 10, withFlows.length));
    }
}
