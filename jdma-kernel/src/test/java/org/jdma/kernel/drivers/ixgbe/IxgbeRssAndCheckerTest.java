package org.jdma.kernel.drivers.ixgbe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.debug.DmaDebugCategory;
import org.jdma.kernel.dma.debug.DmaDebugReport;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.machine.net.FrameSizes;
import org.jdma.machine.net.GeneratorConfig;
import org.jdma.machine.net.GeneratorRate;
import org.jdma.machine.net.PcapCapture;
import org.jdma.spec.ixgbe.AdvancedRxDescriptorLayout;
import org.jdma.spec.ixgbe.RssHash;
import org.jdma.spec.pcap.PcapFileHeader;
import org.jdma.spec.pcap.PcapWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RSS through the driver, the DMA checker naming a broken driver's call site, and the same seed
 * giving the same capture through the whole forwarding path.
 */
class IxgbeRssAndCheckerTest {

    private TwoPorts rig;

    @AfterEach
    void tearDown() {
        if (rig != null) {
            rig.close();
        }
    }

    private static GeneratorConfig traffic(long count) {
        return GeneratorConfig.DEFAULT.withCount(count).withSizes(new FrameSizes.Cycle(60, 1514, 128, 590, 9014))
                .withRate(new GeneratorRate.LineFraction(0.2));
    }

    private record Seen(int queue, int hash, int type, byte[] frame) { }

    @Test
    void shouldSpreadFlowsOverTheQueuePairsByTheirRssHash() {
        rig = new TwoPorts(IommuMode.STRICT, 4, IxgbeOptions.DEFAULTS,
                GeneratorConfig.DEFAULT.withCount(64).withFlows(16).withRate(new GeneratorRate.LineFraction(0.2)), null);
        assertEquals(4, rig.a.queues());
        List<Seen> seen = new ArrayList<>();
        for (int q = 0; q < 4; q++) {
            rig.a.onReceive(q, (queue, bufs, n) -> {
                for (int i = 0; i < n; i++) {
                    seen.add(new Seen(queue, bufs[i].rssHash(), bufs[i].rssType(), bufs[i].frameBytes()));
                    bufs[i].free();
                }
            });
        }
        rig.generator.start();
        assertTrue(rig.machine.clock().runUntil(() -> seen.size() == 64, TwoPorts.TIMEOUT_NS), seen.size() + " frames");
        byte[] key = IxgbeOptions.DEFAULTS.rssKey();
        Set<Integer> queues = new HashSet<>();
        for (Seen s : seen) {
            RssHash.Result expected = RssHash.of(s.frame(), ReceiveFeatures.RSS_FIELDS, key);
            assertEquals(expected.hash(), s.hash(), "the hash the card wrote back is the Toeplitz hash of the flow with the driver's key");
            assertEquals(AdvancedRxDescriptorLayout.RSSTYPE_IPV4_UDP, s.type());
            assertEquals(RssHash.retaIndex(s.hash()) % 4, s.queue(), "RETA spreads its 128 entries round-robin over the 4 queue pairs");
            queues.add(s.queue());
        }
        assertEquals(Set.of(0, 1, 2, 3), queues, "16 flows reach every queue pair");
        rig.closeWithSilentChecker();
    }

    @Test
    void shouldGiveTheSameKeyForTheSameSeedAndAnotherForAnother() {
        assertArrayEquals(IxgbeOptions.seededRssKey(7), IxgbeOptions.seededRssKey(7));
        assertTrue(!Arrays.equals(IxgbeOptions.seededRssKey(7), IxgbeOptions.seededRssKey(8)));
        assertArrayEquals(IxgbeOptions.seededRssKey(IxgbeOptions.DEFAULT_RSS_SEED), IxgbeOptions.DEFAULTS.rssKey());
    }

    @Test
    void shouldNameWhereADriverThatForgetsToUnmapATransmitBufferMappedIt() {
        rig = new TwoPorts(IommuMode.STRICT, 1, IxgbeOptions.DEFAULTS.withMtu(9000), traffic(20), null);
        rig.b.tx(0).unmap = (dma, address, length) -> { }; // the broken driver: clean-up never unmaps
        rig.forward(0);
        rig.generator.start();
        rig.runUntilArrived(20);
        rig.kernel.close();
        List<DmaDebugReport> reports = rig.kernel.dmaDebug().orElseThrow().reports();
        assertEquals(List.of(DmaDebugCategory.LEAK_ON_DETACH), reports.stream().map(DmaDebugReport::category).toList(), reports.toString());
        DmaDebugReport leak = reports.getFirst();
        assertEquals("ixgbe1", leak.device());
        assertTrue(Arrays.stream(leak.mapStack()).anyMatch(f -> f.getClassName().endsWith("TxQueue") && f.getMethodName().equals("mapSegments")),
                "the report names the line that mapped the buffer: " + leak.format());
    }

    @Test
    void shouldNameTheCallSiteOfADriverThatSyncsATransmitBufferTheWrongWay() {
        rig = new TwoPorts(IommuMode.LAZY, 1, IxgbeOptions.DEFAULTS.withMtu(9000), traffic(5), null);
        // the broken driver: after mapping a buffer to send it syncs it as a receive buffer (FROM_DEVICE)
        rig.b.tx(0).afterMap = (dma, address, length) -> dma.syncSingleForDevice(address, length, DmaDirection.FROM_DEVICE);
        rig.forward(0);
        rig.generator.start();
        rig.runUntilArrived(5);
        List<DmaDebugReport> reports = rig.kernel.dmaDebug().orElseThrow().reports();
        assertTrue(!reports.isEmpty() && reports.stream().allMatch(r -> r.category() == DmaDebugCategory.SYNC_DIRECTION_MISMATCH),
                reports.toString());
        DmaDebugReport r = reports.getFirst();
        StackTraceElement site = Arrays.stream(r.reportStack()).filter(f -> f.getClassName().startsWith(getClass().getName()))
                .findFirst().orElseThrow(() -> new AssertionError("no frame of the broken driver in " + r.format()));
        assertTrue(site.getLineNumber() > 0, site.toString());
    }

    /** Generator, port A, the driver forwarding, port B, a capture: the capture's bytes. */
    private static byte[] captureThroughTheDriver() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PcapWriter writer = new PcapWriter(bytes, PcapFileHeader.ethernet(ByteOrder.LITTLE_ENDIAN, true, 65_535));
        PcapCapture[] capture = new PcapCapture[1];
        try (TwoPorts r = new TwoPorts(IommuMode.STRICT, 2, IxgbeOptions.DEFAULTS.withMtu(9000), traffic(300),
                f -> capture[0].receive(f))) {
            capture[0] = new PcapCapture(r.machine.eventKernel(), writer);
            r.forward(0);
            r.generator.start();
            r.runUntilArrived(300);
            capture[0].close();
            assertEquals(300, capture[0].written());
        }
        return bytes.toByteArray();
    }

    @Test
    void shouldCaptureTheSameBytesThroughTheDriverForTheSameSeed() throws IOException {
        byte[] first = captureThroughTheDriver();
        byte[] second = captureThroughTheDriver();
        assertTrue(first.length > 300 * 60, first.length + " bytes");
        assertArrayEquals(first, second, "same seed, same frames at the same modeled times");
    }
}
