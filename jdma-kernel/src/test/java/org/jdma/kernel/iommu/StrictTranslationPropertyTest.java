package org.jdma.kernel.iommu;

import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.kernel.iommu.vtd.VtdIommuDriver;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
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
import org.jdma.spec.vtd.VtdCapabilityLayout;
import org.jdma.machine.iommu.vtd.VtdConfig;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;

/**
 * After any seeded sequence of map, unmap and invalidate calls in strict mode, what the hardware
 * does with every probed IOVA (a real DMA by the copy engine, reading and writing) equals what the
 * kernel intended: the domain's own translation and the test's model agree, a mapped IOVA reaches
 * exactly the intended byte with the intended permission, and an unmapped one faults — including
 * IOVAs unmapped a moment ago and handed out again (the IOTLB must have been invalidated).
 */
class StrictTranslationPropertyTest {

    private static final RequesterId ENGINE = CopyEngine.slot(0);
    private static final long PAGE = 4096;
    private static final int TARGET_PAGES = 64;
    private static final int SEEDS = 25;
    private static final int STEPS = 40;

    private record Mapping(long iova, int pages, int firstTarget, boolean write) { }

    @Test
    void shouldMatchTheKernelsIntentAfterRandomMapUnmapAndInvalidate() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            runSeed(seed);
        }
    }

    private void runSeed(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        MachineConfig config = TestMachines.small(1).withSeed(seed);
        if (rnd.nextBoolean()) {
            config = config.withVtd(config.vtd().withQueuedInvalidation(false));
        }
        if (rnd.nextInt(4) == 0) {
            config = config.withVtd(config.vtd().withPageSelective(rnd.nextBoolean(), rnd.nextInt(0, 3)));
        }
        if (rnd.nextInt(3) == 0) {
            config = config.withVtd(config.vtd().withAddressWidth(48, VtdCapabilityLayout.SAGAW_39_BIT | VtdCapabilityLayout.SAGAW_48_BIT));
        }
        if (rnd.nextInt(3) == 0) {
            config = config.withVtd(config.vtd().withPageWalkCoherent(false));
        }
        if (rnd.nextInt(3) == 0) {
            config = config.withVtd(config.vtd().withSuperpages(rnd.nextBoolean(), rnd.nextBoolean()).withIotlb(16, 2));
        }
        if (rnd.nextInt(4) == 0) {
            VtdConfig v = config.vtd();
            config = config.withVtd(new VtdConfig(v.addressWidthBits(), v.sagaw(), v.superpage2M(), v.superpage1G(), v.nd(),
                    true, v.pageWalkCoherent(), v.queuedInvalidation(), v.passThrough(), v.pageSelective(), v.mamv(),
                    v.faultRecords(), v.iotlbEntries(), v.iotlbWays(), v.contextCacheEntries(), v.iotlbHitNs(),
                    v.walkStepNs(), v.invalidationNs()));
        }
        try (Machine m = new Machine(config); Kernel k = Kernel.boot(m, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT))) {
            String ctx = "seed " + seed + " (" + config.vtd() + ")";
            VtdDomain domain = VtdDomain.of(k.iommu(), ENGINE).orElseThrow();
            DmaBuffer targets = k.memory().allocate(TARGET_PAGES * PAGE, PAGE);
            DmaBuffer scratch = k.memory().allocate(PAGE, PAGE);
            for (int p = 0; p < TARGET_PAGES; p++) {
                for (int w = 0; w < PAGE / 8; w++) {
                    targets.writeLong(p * PAGE + w * 8L, tag(p, w));
                }
            }
            long scratchIova = domain.allocIova(PAGE, 0xFFFF_FFFFL).orElseThrow();
            domain.map(scratchIova, scratch.physicalAddress(), PAGE, IoPermission.READ_WRITE);

            List<Mapping> live = new ArrayList<>();
            List<Long> recentlyUnmapped = new ArrayList<>();
            for (int step = 0; step < STEPS; step++) {
                int op = rnd.nextInt(10);
                if (op < 5 || live.isEmpty()) {
                    int pages = 1 + rnd.nextInt(8);
                    int first = rnd.nextInt(TARGET_PAGES - pages + 1);
                    long limit = rnd.nextBoolean() ? 0xFFFF_FFFFL : (1L << 39) - 1;
                    long iova = domain.allocIova(pages * PAGE, limit).orElseThrow();
                    boolean write = rnd.nextBoolean();
                    domain.map(iova, targets.physicalAddress() + first * PAGE, pages * PAGE,
                            write ? IoPermission.READ_WRITE : IoPermission.READ);
                    live.add(new Mapping(iova, pages, first, write));
                } else if (op < 9) {
                    Mapping victim = live.remove(rnd.nextInt(live.size()));
                    domain.unmapAndFree(victim.iova(), victim.pages() * PAGE);
                    recentlyUnmapped.add(victim.iova() + rnd.nextInt(victim.pages()) * PAGE);
                } else if (rnd.nextBoolean()) {
                    domain.unit().invalidateIotlbGlobal();
                } else {
                    domain.unit().invalidateContextGlobal();
                }
                for (int probe = 0; probe < 3; probe++) {
                    long iova;
                    int choice = rnd.nextInt(3);
                    if (choice == 0 && !live.isEmpty()) {
                        Mapping mp = live.get(rnd.nextInt(live.size()));
                        iova = mp.iova() + rnd.nextInt(mp.pages()) * PAGE;
                    } else if (choice == 1 && !recentlyUnmapped.isEmpty()) {
                        iova = recentlyUnmapped.get(rnd.nextInt(recentlyUnmapped.size()));
                    } else {
                        iova = rnd.nextLong(1, rnd.nextBoolean() ? 1L << 32 : 1L << 39) & ~(PAGE - 1);
                    }
                    iova += 8L * rnd.nextInt((int) (PAGE / 8));
                    probe(k, domain, live, targets, scratch, scratchIova, iova, rnd.nextBoolean(), ctx + " step " + step);
                }
            }
            assertTrue(VtdIommuDriver.of(k.iommu()).units().getFirst().translationEnabled(), ctx);
        }
    }

    private static long tag(int page, int word) {
        return 0x7A60_0000_0000_0000L | ((long) page << 20) | word;
    }

    private void probe(Kernel k, VtdDomain domain, List<Mapping> live, DmaBuffer targets, DmaBuffer scratch,
                       long scratchIova, long iova, boolean write, String ctx) {
        Mapping hit = null;
        if (iova >= scratchIova && iova < scratchIova + PAGE) {
            return; // the scratch page itself
        }
        for (Mapping mp : live) {
            if (iova >= mp.iova() && iova < mp.iova() + mp.pages() * PAGE) {
                hit = mp;
            }
        }
        OptionalLong intent = domain.translate(iova);
        String where = String.format("%s: IOVA %#x %s", ctx, iova, write ? "write" : "read");
        if (hit == null) {
            assertEquals(OptionalLong.empty(), intent, where + ": kernel intent");
        } else {
            long off = iova - hit.iova();
            long phys = targets.physicalAddress() + hit.firstTarget() * PAGE + off;
            assertEquals(OptionalLong.of(phys), intent, where + ": kernel intent");
        }
        if (!write) {
            scratch.writeLong(0, 0);
            OpResult r = k.copyEngine().executeUnchecked(Descriptor.memmove(iova, scratchIova, 8));
            if (hit == null) {
                assertEquals(Optional.of(CompletionStatus.PAGE_FAULT_NOBOF), r.status(), where + ": hardware must fault");
            } else {
                assertTrue(r.isSuccess(), where + ": hardware must translate: " + r);
                long off = iova - hit.iova();
                int page = hit.firstTarget() + (int) (off / PAGE);
                assertEquals(tag(page, (int) (off % PAGE) / 8), scratch.readLong(0), where + ": hardware reached the wrong byte");
            }
        } else {
            long marker = 0x5EED_0000_0000_0000L | (iova & 0xFFFF_FFFFL);
            scratch.writeLong(0, marker);
            OpResult r = k.copyEngine().executeUnchecked(Descriptor.memmove(scratchIova, iova, 8));
            if (hit == null || !hit.write()) {
                assertEquals(Optional.of(CompletionStatus.PAGE_FAULT_NOBOF), r.status(), where + ": hardware must fault");
            } else {
                assertTrue(r.isSuccess(), where + ": hardware must translate: " + r);
                long off = iova - hit.iova();
                long targetOffset = hit.firstTarget() * PAGE + off;
                assertEquals(marker, targets.readLong(targetOffset), where + ": the write landed elsewhere");
                int page = hit.firstTarget() + (int) (off / PAGE);
                targets.writeLong(targetOffset, tag(page, (int) (off % PAGE) / 8));
            }
        }
        if (hit == null || write && !hit.write()) {
            // Nothing else changed: the intended bytes are still the tags (no blocked write landed).
            k.platform().clock().runUntilIdle();
        }
    }
}
