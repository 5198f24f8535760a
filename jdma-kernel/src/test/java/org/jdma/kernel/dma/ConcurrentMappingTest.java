package org.jdma.kernel.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.testing.Seed;
import org.jdma.kernel.testing.Seeds;
import org.jdma.kernel.testing.Workers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.jdma.kernel.testing.FakeIommu;
import org.jdma.kernel.testing.FakeIommuDomain;
/** Several threads mapping, checking and unmapping through one layer: nothing leaks, no bytes cross. */
class ConcurrentMappingTest {

    @RegisterExtension
    static final Seeds SEEDS = new Seeds();

    private static final int THREADS = 4;
    private static final int ROUNDS = 400;

    @Test
    void shouldKeepBounceMappingsOfConcurrentThreadsApart(@Seed(0x5EED_C0C0L) long seed) throws InterruptedException {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        try (Rig rig = Rig.iommu(true, new FakeIommu().put(Rig.rid(5), domain))) {
            DmaDevice direct = rig.attach("nic", 4, false);
            DmaDevice untrusted = rig.attach("thunderbolt", 5, true);
            long[] buffers = new long[THREADS];
            for (int t = 0; t < THREADS; t++) {
                buffers[t] = rig.high(128 * 1024);
            }
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            Workers.run(THREADS, id -> {
                SplittableRandom rnd = new SplittableRandom(seed + id);
                for (int i = 0; i < ROUNDS; i++) {
                    boolean viaIommu = rnd.nextBoolean();
                    DmaDevice dev = viaIommu ? untrusted : direct;
                    int size = 1 + rnd.nextInt(60 * 1024);
                    long orig = buffers[id] + rnd.nextInt(1024);
                    byte[] data = new byte[size];
                    rnd.nextBytes(data);
                    rig.write(orig, data);
                    long dma = rig.dma.mapSingle(dev, orig, size, DmaDirection.BIDIRECTIONAL, Set.of());
                    if (dma == DmaApi.DMA_MAPPING_ERROR) {
                        continue; // pool momentarily full: a value, as for a driver
                    }
                    long seen = viaIommu ? domain.translate(dma).orElse(-1) : dma;
                    if (!Arrays.equals(data, rig.read(seen, size))) {
                        failures.add("thread " + id + " round " + i + ": device sees other bytes");
                    }
                    byte[] reply = new byte[size];
                    rnd.nextBytes(reply);
                    rig.write(seen, reply);
                    rig.dma.unmapSingle(dev, dma, size, DmaDirection.BIDIRECTIONAL, Set.of());
                    if (!Arrays.equals(reply, rig.read(orig, size))) {
                        failures.add("thread " + id + " round " + i + ": the device's bytes did not come back");
                    }
                }
            });
            assertEquals(List.of(), List.copyOf(failures), "seed " + seed);
            assertEquals(0, rig.dma.liveMappings(direct), "seed " + seed);
            assertEquals(0, rig.dma.liveMappings(untrusted), "seed " + seed);
            assertEquals(0, rig.dma.swiotlb().usedSlots(), "seed " + seed);
            assertEquals(0, domain.liveAllocations(), "seed " + seed);
        }
    }
}
