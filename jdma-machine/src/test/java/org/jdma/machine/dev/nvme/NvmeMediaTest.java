package org.jdma.machine.dev.nvme;

import static org.jdma.machine.dev.nvme.NvmeRig.DATA;
import static org.jdma.machine.dev.nvme.NvmeRig.rw;
import static org.jdma.spec.nvme.NvmeCommands.NVM_READ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The media model: throughput grows with queue depth until the channels are busy, then only latency grows. */
class NvmeMediaTest {

    static final MediaTiming FOUR_CHANNELS = new MediaTiming(4, 2_000, 1_250, 2_500, 50_000, 0);

    /** Runs {@code ios} 4 KiB random reads at queue depth {@code depth}: {IOPS, mean latency ns}, and the latencies. */
    static double[] run(int depth, int ios, long seed, List<Long> latencies) {
        return run(depth, ios, seed, latencies, 0);
    }

    static double[] run(int depth, int ios, long seed, List<Long> latencies, double spread) {
        try (NvmeRig rig = new NvmeRig(NvmeConfig.DEFAULT.withMedia(FOUR_CHANNELS.withSpread(spread)), seed).busMaster().msix(2).enable()) {
            NvmeRig.Pair p = rig.createPair(1, 256, 1);
            SplittableRandom random = rig.machine.eventKernel().random().split();
            Map<Integer, Long> started = new HashMap<>();
            long blocks = NvmeConfig.DEFAULT.namespaces().getFirst().blocks() / 8;
            int submitted = 0;
            int done = 0;
            long t0 = rig.now();
            long latencySum = 0;
            while (done < ios) {
                while (submitted < ios && submitted - done < depth) {
                    int slot = submitted % depth;
                    Sqe e = rw(NVM_READ, 8 * random.nextLong(blocks), 8, DATA + 4096L * slot, 0).cid(submitted & 0xFFFF);
                    rig.queue(p, e);
                    started.put(submitted & 0xFFFF, rig.now());
                    submitted++;
                }
                rig.ring(p);
                NvmeRig.Cqe c = rig.await(p);
                assertEquals(0, c.status());
                long latency = rig.now() - started.remove(c.cid());
                latencySum += latency;
                latencies.add(latency);
                done++;
            }
            double seconds = (rig.now() - t0) / 1e9;
            return new double[] {ios / seconds, latencySum / (double) ios};
        }
    }

    @Test
    void shouldGrowThroughputWithDepthUntilTheChannelsSaturate() {
        double[] qd1 = run(1, 200, 1, new ArrayList<>());
        double[] qd4 = run(4, 400, 1, new ArrayList<>());
        double[] qd32 = run(32, 800, 1, new ArrayList<>());
        double[] qd64 = run(64, 800, 1, new ArrayList<>());
        assertTrue(qd4[0] > 3 * qd1[0], "4 channels: depth 4 gives about 4x: " + qd1[0] + " -> " + qd4[0]);
        double perChannel = 1e9 / (FOUR_CHANNELS.commandNs() + 8 * FOUR_CHANNELS.readNsPerBlock());
        assertTrue(qd32[0] <= 4 * perChannel * 1.01, "saturated at the channels' rate: " + qd32[0]);
        assertTrue(qd64[0] < qd32[0] * 1.1, "no more throughput past saturation: " + qd32[0] + " -> " + qd64[0]);
        assertTrue(qd64[1] > 1.8 * qd32[1], "only latency grows: " + qd32[1] + " -> " + qd64[1]);
        // Little's law: outstanding = throughput x latency
        assertEquals(32, qd32[0] * qd32[1] / 1e9, 32 * 0.05);
    }

    @Test
    void shouldGiveTheSameLatenciesForTheSameSeed() {
        List<Long> a = new ArrayList<>();
        List<Long> b = new ArrayList<>();
        List<Long> c = new ArrayList<>();
        run(8, 300, 42, a, 0.25);
        run(8, 300, 42, b, 0.25);
        run(8, 300, 43, c, 0.25);
        assertEquals(300, a.size());
        assertEquals(a, b, "same seed, same latencies");
        assertTrue(a.stream().distinct().count() > 100, "the spread varies them");
        assertTrue(!a.equals(c), "another seed, other latencies");
    }
}
