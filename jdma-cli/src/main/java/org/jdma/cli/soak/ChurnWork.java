package org.jdma.cli.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;

/**
 * Map/unmap churn through the DMA API, under the checker: streaming mappings of random sizes and
 * directions for the copy engines' devices, each synced and unmapped a few steps later; now and
 * then a double unmap, a misuse the checker must report (and the mapping layer refuse) without
 * anything else happening.
 */
final class ChurnWork {

    /** Mappings kept live at most. */
    static final int LIVE = 16;
    private static final DmaDirection[] DIRECTIONS = {DmaDirection.TO_DEVICE, DmaDirection.FROM_DEVICE, DmaDirection.BIDIRECTIONAL};

    private record Live(DeviceDmaApi dma, DmaBuffer buffer, long device, long size, DmaDirection direction) { }

    private final List<DeviceDmaApi> apis;
    private final DmaMemory memory;
    private final SoakConfig config;
    private final SplittableRandom random;
    private final List<Live> live = new ArrayList<>();
    private final List<DmaBuffer> leaked = new ArrayList<>();

    long maps;
    long unmaps;
    long doubleUnmapsInjected;
    long unexpectedMisuses;

    ChurnWork(List<DeviceDmaApi> apis, DmaMemory memory, SoakConfig config) {
        this.apis = apis;
        this.memory = memory;
        this.config = config;
        this.random = new SplittableRandom(config.seed() ^ 0xC4C4L);
    }

    /** A few maps and unmaps. */
    void step() {
        for (int i = 0; i < 4; i++) {
            if (live.size() >= LIVE || (!live.isEmpty() && random.nextBoolean())) {
                unmap(live.remove(random.nextInt(live.size())));
            } else {
                map();
            }
        }
        if (config.sabotaged(Sabotage.LEAK_MAPPING) && leaked.isEmpty()) {
            DmaBuffer b = memory.allocate(4096, 4096);
            apis.getFirst().mapSingle(b.physicalAddress(), 4096, DmaDirection.TO_DEVICE);
            leaked.add(b); // mapped, never unmapped (so never freed either: one frame)
        }
        if (config.sabotaged(Sabotage.UNEXPECTED_MISUSE) && unexpectedMisuses == 0) {
            unexpectedMisuses++;
            doubleUnmap(mapOne());
            doubleUnmapsInjected--; // this one is not counted as injected
        }
    }

    private void map() {
        live.add(mapOne());
    }

    private Live mapOne() {
        DeviceDmaApi dma = apis.get(random.nextInt(apis.size()));
        long size = 1 + random.nextLong(3 * 4096);
        DmaBuffer b = memory.allocate(size, 64);
        DmaDirection d = DIRECTIONS[random.nextInt(DIRECTIONS.length)];
        long device = dma.mapSingle(b.physicalAddress(), size, d);
        if (dma.mappingError(device)) {
            b.close();
            throw new IllegalStateException(dma + ": churn mapping of " + size + " bytes failed");
        }
        maps++;
        return new Live(dma, b, device, size, d);
    }

    private void unmap(Live l) {
        l.dma().syncSingleForCpu(l.device(), l.size(), l.direction());
        l.dma().unmapSingle(l.device(), l.size(), l.direction());
        unmaps++;
        l.buffer().close();
    }

    /** Maps, unmaps, and unmaps again: the checker must report FREE_NOT_ALLOCATED once. */
    void injectDoubleUnmap() {
        doubleUnmap(mapOne());
    }

    private void doubleUnmap(Live l) {
        l.dma().unmapSingle(l.device(), l.size(), l.direction());
        unmaps++;
        doubleUnmapsInjected++;
        try {
            l.dma().unmapSingle(l.device(), l.size(), l.direction());
        } catch (RuntimeException refused) {
            // the mapping layer refuses it too; the checker's report is what is checked
        }
        l.buffer().close();
    }

    /** Unmaps everything still live. */
    void stop() {
        live.forEach(this::unmap);
        live.clear();
    }

    void report(SoakReport r) {
        r.figure("dma api churn %,d maps, %,d unmaps, %d double unmaps injected", maps, unmaps, doubleUnmapsInjected);
    }
}
