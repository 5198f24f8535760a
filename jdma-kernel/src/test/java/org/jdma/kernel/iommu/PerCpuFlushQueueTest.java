package org.jdma.kernel.iommu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.iommu.vtd.VtdDomain;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.platform.Clock;
import org.junit.jupiter.api.Test;

/**
 * The lazy flush queue keeps one ring per CPU sharing the domain's flush counters: an IOVA is
 * freed only after an IOTLB flush that started after its unmap has finished, whichever CPU
 * queued it and whichever CPU flushed.
 */
class PerCpuFlushQueueTest {

    /** A clock the test (or its threads) moves by hand; no timers. */
    private static final class ManualClock implements Clock {
        final AtomicLong now = new AtomicLong();
        @Override public long now() { return now.get(); }
        @Override public boolean runUntil(BooleanSupplier c) { return c.getAsBoolean(); }
        @Override public boolean runUntil(BooleanSupplier c, long t) { return c.getAsBoolean(); }
        @Override public void runFor(long d) { now.addAndGet(d); }
        @Override public void runUntilIdle() { }
    }

    private static final long TIMEOUT_NS = 10_000_000L;

    private final ManualClock clock = new ManualClock();
    /** The CPU the test's code runs as. */
    private int cpu;
    private final List<Long> released = new ArrayList<>();
    private int flushes;
    /** Runs inside the next flush, between its start and its finish (another CPU queuing meanwhile). */
    private Runnable duringFlush = () -> { };

    private final FlushQueue fq = new FlushQueue(new FlushQueue.Owner() {
        @Override public void flushIotlbAll() {
            flushes++;
            Runnable r = duringFlush;
            duringFlush = () -> { };
            r.run();
            clock.now.addAndGet(500);
        }
        @Override public void release(long pfn, long pages, List<Long> tablePages) { released.add(pfn); }
    }, clock, 4, () -> cpu, 4, TIMEOUT_NS);

    private void queueOn(int onCpu, long pfn) {
        int before = cpu;
        cpu = onCpu;
        try {
            fq.queue(pfn, 1, List.of());
        } finally {
            cpu = before;
        }
    }

    @Test
    void shouldQueueUnmapsOnFourCpusInFourRings() {
        for (int c = 0; c < 4; c++) {
            queueOn(c, 100 + c);
        }
        assertEquals(4, fq.cpus());
        for (int c = 0; c < 4; c++) {
            assertEquals(1, fq.pending(c), "CPU " + c + "'s ring");
            assertTrue(fq.holds(100 + c));
        }
        assertEquals(4, fq.pending());
        assertEquals(0, flushes, "four rings of four: none is full");
        assertTrue(released.isEmpty());
    }

    @Test
    void shouldFlushOnceWhenOneRingIsFullAndFreeWhatTheFlushCoversInEveryRing() {
        queueOn(1, 10);
        queueOn(1, 11);
        queueOn(2, 20);
        for (long pfn = 1; pfn <= 4; pfn++) {
            queueOn(0, pfn);
        }
        assertEquals(0, flushes);
        // CPU 3 unmaps while CPU 0's flush is under way: that flush may not cover it.
        duringFlush = () -> queueOn(3, 30);
        queueOn(0, 5);
        assertEquals(1, flushes, "one flush for the full ring");
        assertEquals(1, fq.stats().fullFlushes());
        assertEquals(Set.of(1L, 2L, 3L, 4L, 10L, 11L, 20L), Set.copyOf(released),
                "CPU 0's entries and the other CPUs' queued before the flush started");
        assertEquals(7, released.size());
        assertEquals(List.of(1, 0, 0, 1), List.of(fq.pending(0), fq.pending(1), fq.pending(2), fq.pending(3)));
        assertTrue(fq.holds(30), "queued after the flush started: waits for the next one");
        assertTrue(fq.holds(5));

        fq.flushNow();
        assertEquals(2, flushes);
        assertEquals(0, fq.pending());
        assertEquals(List.of(5L, 30L), released.subList(7, 9).stream().sorted().toList());
        assertEquals(fq.flushStartCount(), fq.flushFinishCount());
    }

    @Test
    void shouldFreeEveryRingWhenTheTimerFires() {
        queueOn(0, 1);
        clock.runFor(5_000_000);
        queueOn(1, 2);
        queueOn(2, 3);
        queueOn(3, 4);
        clock.runFor(TIMEOUT_NS - 5_000_000 - 1);
        assertFalse(fq.runTimer(), "10 ms after the first entry, not before");
        clock.runFor(1);
        assertTrue(fq.runTimer());
        assertEquals(1, flushes, "one flush for all four rings");
        assertEquals(List.of(1L, 2L, 3L, 4L), released.stream().sorted().toList());
        assertEquals(0, fq.pending());
        FlushQueue.Stats s = fq.stats();
        assertEquals(1, s.timeoutFlushes());
        assertEquals(4, s.queued());
        assertEquals(4, s.freed());
        assertEquals(TIMEOUT_NS + 500, s.staleMaxNs(), "CPU 0's entry waited the whole timeout and the flush");
        assertEquals(5_000_500, s.staleMinNs());
    }

    @Test
    void shouldRearmTheTimerForWhatAFlushCouldNotFree() {
        duringFlush = () -> queueOn(2, 9);
        fq.queue(1, 1, List.of());
        fq.flushNow();
        assertEquals(List.of(1L), released);
        assertEquals(1, fq.pending(2));
        clock.runFor(TIMEOUT_NS);
        assertTrue(fq.runTimer(), "the entry queued during the flush still has a timer");
        assertEquals(List.of(1L, 9L), released);
    }

    @Test
    void shouldRefuseACallerOnACpuItHasNoRingFor() {
        cpu = 4;
        var e = assertThrows(IllegalStateException.class, () -> fq.queue(1, 1, List.of()));
        assertEquals("the caller runs as CPU 4; this flush queue has rings for CPUs 0..3", e.getMessage());
        assertEquals(0, fq.pending());
    }

    @Test
    void shouldQueueALazyUnmapInTheRingOfTheCpuTheCallerRunsAs() {
        try (Machine machine = new Machine(TestMachines.small(1));
             Kernel kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(IommuMode.LAZY))) {
            FlushQueue q = VtdDomain.of(kernel.iommu(), CopyEngine.slot(0)).orElseThrow().flushQueue();
            DeviceDmaApi dev = kernel.copyEngine().dma();
            DmaBuffer buf = kernel.memory().allocate(4096, 4096);
            assertEquals(machine.cpus().size(), q.cpus());
            int before = q.pending();
            for (int c = 0; c < 4; c++) {
                machine.runOn(c, () -> {
                    long iova = dev.mapSingle(buf.physicalAddress(), 4096, DmaDirection.TO_DEVICE);
                    dev.unmapSingle(iova, 4096, DmaDirection.TO_DEVICE);
                });
            }
            assertEquals(before + 4, q.pending());
            for (int c = 1; c < 4; c++) {
                assertEquals(1, q.pending(c), "CPU " + c + "'s ring");
            }
            buf.close();
        }
    }

    /**
     * Four threads, each running as its own CPU, map, unmap and reuse IOVAs from one pool. A model
     * IOTLB numbers every unmap and flush start; an IOVA released before a flush that started after
     * its unmap has finished (one the IOTLB might still translate) fails the test, as does one
     * handed out while still queued or lost.
     */
    @Test
    void shouldNeverReleaseAnIovaBeforeAFlushThatStartedAfterItsUnmapFinished() throws Exception {
        int threads = 4;
        int pool = 64;
        int opsPerThread = 20_000;
        AtomicLong sequence = new AtomicLong();
        AtomicLong latestFinishedFlushStart = new AtomicLong(-1);
        Map<Long, Long> unmappedAt = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Long> free = new ConcurrentLinkedQueue<>();
        Set<Long> handedOut = ConcurrentHashMap.newKeySet();
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        for (long pfn = 0; pfn < pool; pfn++) {
            free.add(pfn);
        }
        ThreadLocal<Integer> cpuOfThread = ThreadLocal.withInitial(() -> 0);
        FlushQueue q = new FlushQueue(new FlushQueue.Owner() {
            @Override public void flushIotlbAll() {
                long start = sequence.incrementAndGet();
                Thread.yield(); // an invalidation takes a while; other CPUs unmap meanwhile
                latestFinishedFlushStart.accumulateAndGet(start, Math::max);
            }
            @Override public void release(long pfn, long pages, List<Long> tablePages) {
                Long unmap = unmappedAt.remove(pfn);
                if (unmap == null) {
                    violations.add("IOVA " + pfn + " released twice or never unmapped");
                } else if (latestFinishedFlushStart.get() < unmap) {
                    violations.add("IOVA " + pfn + " unmapped at " + unmap + " released when the latest finished flush started at "
                            + latestFinishedFlushStart.get());
                }
                free.add(pfn);
            }
        }, clock, threads, cpuOfThread::get, 8, 3_000);

        CyclicBarrier go = new CyclicBarrier(threads);
        ExecutorService pool4 = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int myCpu = t;
                // CPU 0 is slow (each of its unmaps comes a timeout after the last), the others fill their rings.
                long step = t == 0 ? 3_000 : 100;
                done.add(pool4.submit(() -> {
                    cpuOfThread.set(myCpu);
                    go.await();
                    for (int i = 0; i < opsPerThread; i++) {
                        Long pfn = free.poll();
                        if (pfn == null) {
                            q.flushNow(); // what an allocation that found no space does
                            continue;
                        }
                        if (!handedOut.add(pfn) || q.holds(pfn)) {
                            violations.add("IOVA " + pfn + " handed out while in use or queued");
                        }
                        clock.runFor(step);
                        handedOut.remove(pfn);
                        unmappedAt.put(pfn, sequence.incrementAndGet());
                        q.queue(pfn, 1, List.of());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool4.shutdownNow();
        }
        q.flushNow();
        assertTrue(violations.isEmpty(), violations.size() + " violations, the first: " + violations.stream().limit(3).toList());
        assertEquals(0, q.pending());
        assertEquals(pool, free.size(), "every IOVA came back");
        FlushQueue.Stats s = q.stats();
        assertEquals(s.queued(), s.freed());
        assertTrue(s.fullFlushes() > 0, "rings filled: " + s);
        assertTrue(s.timeoutFlushes() > 0, "the timer fired too: " + s);
        assertTrue(s.staleMinNs() >= 0, "a window ends after its unmap: " + s);

    }
}
