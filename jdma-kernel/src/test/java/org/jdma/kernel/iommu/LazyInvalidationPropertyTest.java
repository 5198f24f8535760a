package org.jdma.kernel.iommu;

import org.jdma.machine.dev.memcpy.CopyEngine;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.iommu.vtd.VtdDomain;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;

/**
 * Lazy mode, seeded: an IOVA waiting in the flush queue is never handed out again; while it waits
 * the hardware may still reach its old page (and only that page), and once a flush covering it has
 * completed it faults. The stale window is measured and positive.
 */
class LazyInvalidationPropertyTest {

    private static final RequesterId ENGINE = CopyEngine.slot(0);
    private static final long PAGE = 4096;
    private static final int PAGES = 32;

    @Test
    void shouldNeverReuseAnIovaBeforeItsFlushAndStopTranslatingAfterIt() {
        for (long seed = 1; seed <= 10; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            try (Machine m = new Machine(TestMachines.small(1).withSeed(seed));
                 Kernel k = Kernel.boot(m, Kernel.Options.DEFAULTS.withIommu(IommuMode.LAZY))) {
                String ctx = "seed " + seed;
                VtdDomain domain = VtdDomain.of(k.iommu(), ENGINE).orElseThrow();
                DmaBuffer targets = k.memory().allocate(PAGES * PAGE, PAGE);
                DmaBuffer scratch = k.memory().allocate(PAGE, PAGE);
                for (int p = 0; p < PAGES; p++) {
                    targets.writeLong(p * PAGE, 0x1A2B_0000L + p);
                }
                long sIova = domain.allocIova(PAGE, 0xFFFF_FFFFL).orElseThrow();
                domain.map(sIova, scratch.physicalAddress(), PAGE, IoPermission.READ_WRITE);
                Map<Long, Integer> live = new HashMap<>();       // iova → target page
                Map<Long, Integer> unmapped = new HashMap<>();   // iova → page it last mapped
                List<Long> order = new ArrayList<>();
                for (int step = 0; step < 120; step++) {
                    int op = rnd.nextInt(10);
                    if (op < 4 || live.isEmpty()) {
                        long iova = domain.allocIova(PAGE, 0xFFFF_FFFFL).orElseThrow();
                        assertFalse(domain.flushQueue().holds(iova / PAGE), ctx + ": IOVA " + Long.toHexString(iova) + " handed out while queued");
                        int page = rnd.nextInt(PAGES);
                        domain.map(iova, targets.physicalAddress() + page * PAGE, PAGE, IoPermission.READ);
                        live.put(iova, page);
                        unmapped.remove(iova);
                        order.add(iova);
                        // Touch it so the IOTLB caches it (what makes a stale window possible).
                        assertEquals(0x1A2B_0000L + page, read(k, iova, scratch, sIova).value(), ctx);
                    } else if (op < 8) {
                        long iova = order.remove(rnd.nextInt(order.size()));
                        int page = live.remove(iova);
                        domain.unmapAndFree(iova, PAGE);
                        unmapped.put(iova, page);
                    } else {
                        m.clock().runFor(rnd.nextLong(1, 6_000_000));
                    }
                    if (!unmapped.isEmpty()) {
                        long iova = new ArrayList<>(unmapped.keySet()).get(rnd.nextInt(unmapped.size()));
                        boolean pending = domain.flushQueue().holds(iova / PAGE);
                        Read r = read(k, iova, scratch, sIova);
                        if (pending) {
                            assertTrue(r.result().status().equals(Optional.of(CompletionStatus.PAGE_FAULT_NOBOF))
                                    || r.value() == 0x1A2B_0000L + unmapped.get(iova), ctx + ": a stale IOVA reached another page");
                        } else {
                            assertEquals(Optional.of(CompletionStatus.PAGE_FAULT_NOBOF), r.result().status(),
                                    ctx + ": IOVA " + Long.toHexString(iova) + " still translates after its flush");
                        }
                    }
                }
                FlushQueue.Stats s = domain.flushQueue().stats();
                assertTrue(s.freed() > 0 && s.staleMaxNs() > 0, ctx + ": " + s);
                assertTrue(s.staleMaxNs() <= FlushQueue.DEFAULT_TIMEOUT_NS + 6_000_000 + 1_000_000,
                        ctx + ": the 10 ms timer bounds the window: " + s);
            }
        }
    }

    private record Read(OpResult result, long value) { }

    private static Read read(Kernel k, long iova, DmaBuffer scratch, long sIova) {
        scratch.writeLong(0, 0);
        OpResult r = k.copyEngine().executeUnchecked(Descriptor.memmove(iova, sIova, 8));
        return new Read(r, scratch.readLong(0));
    }
}
