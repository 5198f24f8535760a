package org.jdma.machine.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.*;
import static org.jdma.machine.iommu.vtd.VtdFixture.DATA;
import static org.jdma.machine.iommu.vtd.VtdFixture.DEVICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdma.machine.iommu.vtd.VtdConfig;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.vtd.VtdInvalidationDescriptorLayout;
import org.jdma.platform.irq.MsiMessage;
import org.junit.jupiter.api.Test;

/**
 * Caches and their invalidation (§6.1, §6.5): a stale entry keeps working until software
 * invalidates it, through registers or the queue.
 */
class VtdInvalidationTest {

    static final long IOVA = 0x4_0000_0000L;
    static final long OLD = DATA;
    static final long NEW = DATA + 0x10_0000;

    /** Maps IOVA→OLD (4 KiB), fills OLD and NEW with different values, and loads the IOTLB by one read. */
    private static long cachedMapping(VtdFixture f, long top) {
        long leaf = f.map4k(top, IOVA, OLD);
        f.cpu.write64(OLD, 0x01D);
        f.cpu.write64(NEW, 0x2E3);
        assertEquals(0x01D, f.dmaReadLong(IOVA));
        return leaf;
    }

    /** Register-based invalidation completes at once on this unit; far more polls than that is a hang. */
    private static final int MAX_POLLS = 1000;

    private static void iotlbRegister(VtdFixture f, int granularity, int did, long address, int am) {
        f.w64(ivaOffset(DEFAULT_IRO), address | am);
        f.w64(iotlbOffset(DEFAULT_IRO), IOTLB_IVT | ((long) granularity << IOTLB_IIRG_SHIFT) | ((long) did << IOTLB_DID_SHIFT));
        // The write-then-poll protocol; the unit is done at once, so a bounded poll fails instead of hanging.
        for (int polls = 0; (f.r64(iotlbOffset(DEFAULT_IRO)) & IOTLB_IVT) != 0; polls++) {
            assertTrue(polls < MAX_POLLS, "IOTLB_REG.IVT still set after " + MAX_POLLS + " polls");
        }
    }

    private static void contextRegister(VtdFixture f, int granularity, int did, int sid, int fm) {
        f.w64(CCMD, CCMD_ICC | ((long) granularity << CCMD_CIRG_SHIFT) | ((long) fm << CCMD_FM_SHIFT)
                | ((long) sid << CCMD_SID_SHIFT) | did);
        for (int polls = 0; (f.r64(CCMD) & CCMD_ICC) != 0; polls++) {
            assertTrue(polls < MAX_POLLS, "CCMD_REG.ICC still set after " + MAX_POLLS + " polls");
        }
    }

    @Test
    void shouldKeepUsingAStaleTranslationUntilAPageSelectiveInvalidation() {
        try (VtdFixture f = new VtdFixture()) {
            long leaf = cachedMapping(f, f.standardSetup());
            f.cpu.write64(leaf, org.jdma.spec.vtd.VtdPageEntryLayout.entry(NEW, true, true, false));
            assertEquals(0x01D, f.dmaReadLong(IOVA), "the IOTLB still holds the old page");
            iotlbRegister(f, IOTLB_PAGE, 2, IOVA, 0);
            assertEquals(0x01D, f.dmaReadLong(IOVA), "another domain's invalidation leaves it");
            iotlbRegister(f, IOTLB_PAGE, 1, IOVA + 0x1000, 0);
            assertEquals(0x01D, f.dmaReadLong(IOVA), "another page's invalidation leaves it");
            iotlbRegister(f, IOTLB_PAGE, 1, IOVA, 0);
            assertEquals(0x2E3, f.dmaReadLong(IOVA));
        }
    }

    @Test
    void shouldLetAnUnmappedPageTranslateUntilInvalidatedThenFault() {
        try (VtdFixture f = new VtdFixture()) {
            long leaf = cachedMapping(f, f.standardSetup());
            f.cpu.write64(leaf, 0);
            assertTrue(f.dmaWrite(IOVA, new byte[8]).isOk(), "stale: the device still reaches the old page");
            iotlbRegister(f, IOTLB_DOMAIN, 1, 0, 0);
            assertEquals(VtdFaultReason.WRITE_NOT_PERMITTED.code(), f.dmaWrite(IOVA, new byte[8]).detail().code());
        }
    }

    @Test
    void shouldDropEveryDomainOnAGlobalInvalidation() {
        try (VtdFixture f = new VtdFixture()) {
            long leaf = cachedMapping(f, f.standardSetup());
            f.cpu.write64(leaf, org.jdma.spec.vtd.VtdPageEntryLayout.entry(NEW, true, true, false));
            iotlbRegister(f, IOTLB_GLOBAL, 0, 0, 0);
            assertEquals(0, f.unit.iotlbSize());
            assertEquals(0x2E3, f.dmaReadLong(IOVA));
        }
    }

    @Test
    void shouldInvalidateTheWholeNaturallyAlignedRangeOfTheAddressMask() {
        try (VtdFixture f = new VtdFixture()) {
            long top = f.standardSetup();
            long[] leaves = new long[5];
            for (int i = 0; i < 5; i++) {
                leaves[i] = f.map4k(top, IOVA + i * 0x1000L, OLD + i * 0x1000L);
                f.cpu.write64(OLD + i * 0x1000L, i);
                f.cpu.write64(NEW + i * 0x1000L, 100 + i);
                assertEquals(i, f.dmaReadLong(IOVA + i * 0x1000L));
            }
            for (int i = 0; i < 5; i++) {
                f.cpu.write64(leaves[i], org.jdma.spec.vtd.VtdPageEntryLayout.entry(NEW + i * 0x1000L, true, true, false));
            }
            iotlbRegister(f, IOTLB_PAGE, 1, IOVA + 0x2000, 2); // AM 2: four pages from IOVA (address bits below AM ignored)
            for (int i = 0; i < 4; i++) {
                assertEquals(100 + i, f.dmaReadLong(IOVA + i * 0x1000L), "page " + i + " was in the range");
            }
            assertEquals(4, f.dmaReadLong(IOVA + 0x4000), "page 4 is outside it: still stale");
        }
    }

    @Test
    void shouldDropASuperpageEntryThatAPageSelectiveInvalidationOverlaps() {
        try (VtdFixture f = new VtdFixture()) {
            long top = f.standardSetup();
            long leaf = f.map(top, 3, IOVA, OLD, 2, true, true); // OLD is 2 MiB aligned
            f.cpu.write64(OLD + 0x1000, 1);
            assertEquals(1, f.dmaReadLong(IOVA + 0x1000));
            f.cpu.write64(leaf, 0);
            assertEquals(1, f.dmaReadLong(IOVA + 0x1000), "stale");
            iotlbRegister(f, IOTLB_PAGE, 1, IOVA + 0x10_0000, 0); // one 4 KiB page inside the 2 MiB page
            assertEquals(VtdFaultReason.READ_NOT_PERMITTED.code(), f.dmaRead(IOVA + 0x1000, f.buffer(8)).detail().code());
        }
    }

    @Test
    void shouldKeepAStaleContextUntilAContextCacheInvalidation() {
        try (VtdFixture f = new VtdFixture()) {
            long top = f.standardSetup();
            cachedMapping(f, top);
            // Software detaches the device: the context entry becomes not present.
            f.context(DEVICE, 0, 0);
            iotlbRegister(f, IOTLB_GLOBAL, 0, 0, 0);
            assertEquals(0x01D, f.dmaReadLong(IOVA), "the context cache still holds the entry");
            contextRegister(f, CC_DOMAIN, 2, 0, 0);
            assertEquals(0x01D, f.dmaReadLong(IOVA), "another domain");
            contextRegister(f, CC_DEVICE, 1, DEVICE.sourceId() | 1, 0);
            assertEquals(0x01D, f.dmaReadLong(IOVA), "another function, no function mask");
            contextRegister(f, CC_DEVICE, 1, DEVICE.sourceId() | 1, 1); // FM 1 ignores function bit 2 only
            assertEquals(0x01D, f.dmaReadLong(IOVA));
            contextRegister(f, CC_DEVICE, 1, DEVICE.sourceId() | 7, 3); // FM 3: all functions of the device
            assertEquals(VtdFaultReason.CONTEXT_ENTRY_NOT_PRESENT.code(), f.dmaRead(IOVA, f.buffer(8)).detail().code());
            assertEquals(4, f.unit.contextInvalidations(CC_DEVICE) + f.unit.contextInvalidations(CC_DOMAIN));
        }
    }

    @Test
    void shouldDropContextsOfADomainOnADomainSelectiveInvalidation() {
        try (VtdFixture f = new VtdFixture()) {
            cachedMapping(f, f.standardSetup());
            f.context(DEVICE, 0, 0);
            contextRegister(f, CC_DOMAIN, 1, 0, 0);
            assertEquals(0, f.unit.contextCacheSize());
            assertEquals(VtdFaultReason.CONTEXT_ENTRY_NOT_PRESENT.code(), f.dmaRead(IOVA, f.buffer(8)).detail().code());
        }
    }

    @Test
    void shouldEvictTheLeastRecentlyUsedEntryOfAFullSet() {
        // One set of two ways: a third page evicts whichever of the first two was used least recently.
        try (VtdFixture f = new VtdFixture(VtdConfig.DEFAULT.withIotlb(2, 2))) {
            long top = f.standardSetup();
            long[] leaves = new long[3];
            for (int i = 0; i < 3; i++) {
                leaves[i] = f.map4k(top, IOVA + i * 0x1000L, OLD + i * 0x1000L);
            }
            f.dmaReadLong(IOVA);
            f.dmaReadLong(IOVA + 0x1000);
            f.dmaReadLong(IOVA); // page 0 is now the most recent
            f.dmaReadLong(IOVA + 0x2000); // evicts page 1
            long misses = f.unit.iotlbMisses();
            f.dmaReadLong(IOVA);
            assertEquals(misses, f.unit.iotlbMisses(), "page 0 stayed");
            f.dmaReadLong(IOVA + 0x1000);
            assertEquals(misses + 1, f.unit.iotlbMisses(), "page 1 was evicted");
            assertEquals(2, f.unit.iotlbSize());
        }
    }

    // ---- queued invalidation

    /** The invalidation queue of a fixture: IQA set, QIE on; descriptors appended at the tail. */
    static final class Queue {
        final VtdFixture f;
        final long base;
        int tail;

        Queue(VtdFixture f) {
            this.f = f;
            this.base = f.page();
            f.w64(IQA, base); // QS 0: 256 descriptors
            f.command(GCMD_QIE);
            assertTrue((f.r32(GSTS) & GCMD_QIE) != 0);
        }

        void put(long lo, long hi) {
            long at = base + (long) tail * VtdInvalidationDescriptorLayout.SIZE;
            f.cpu.write64(at + VtdInvalidationDescriptorLayout.LO, lo);
            f.cpu.write64(at + VtdInvalidationDescriptorLayout.HI, hi);
            tail = (tail + 1) % queueEntries128(0);
        }

        void submit() {
            f.w64(IQT, (long) tail << IQ_INDEX_SHIFT_128);
        }

        long head() {
            return f.r64(IQH) >>> IQ_INDEX_SHIFT_128;
        }
    }

    @Test
    void shouldInvalidateThroughTheQueueAndWriteTheWaitStatus() {
        try (VtdFixture f = new VtdFixture()) {
            long leaf = cachedMapping(f, f.standardSetup());
            f.cpu.write64(leaf, org.jdma.spec.vtd.VtdPageEntryLayout.entry(NEW, true, true, false));
            long status = f.page();
            Queue q = new Queue(f);
            q.put(VtdInvalidationDescriptorLayout.iotlbLo(IOTLB_PAGE, 1, false, false),
                    VtdInvalidationDescriptorLayout.iotlbHi(IOVA, 0, false));
            q.put(VtdInvalidationDescriptorLayout.waitLo(0xC0FFEE, true, false, false), VtdInvalidationDescriptorLayout.waitHi(status));
            assertEquals(0x01D, f.dmaReadLong(IOVA), "written but not submitted: nothing happened yet");
            long submitted = f.machine.eventKernel().now();
            q.submit();
            assertEquals(0x2E3, f.dmaReadLong(IOVA), "the IOTLB entry is gone at once");
            assertEquals(0, f.cpu.read32(status), "the wait waits for the invalidation's modeled time");
            f.machine.eventKernel().runFor(VtdConfig.DEFAULT.invalidationNs() - 1);
            assertEquals(0, f.cpu.read32(status), "one nanosecond before the invalidation is done");
            f.machine.eventKernel().runFor(1);
            assertEquals(submitted + VtdConfig.DEFAULT.invalidationNs(), f.machine.eventKernel().now());
            assertEquals(0xC0FFEE, f.cpu.read32(status), "status data written when everything before it was done");
            assertEquals(2, q.head());
            assertEquals(1, f.unit.waitDescriptors());
            assertEquals(2, f.unit.queuedDescriptors());
        }
    }

    @Test
    void shouldInvalidateTheContextCacheThroughTheQueue() {
        try (VtdFixture f = new VtdFixture()) {
            cachedMapping(f, f.standardSetup());
            f.context(DEVICE, 0, 0);
            Queue q = new Queue(f);
            q.put(VtdInvalidationDescriptorLayout.contextCache(CC_DEVICE, 1, DEVICE.sourceId(), 0), 0);
            q.put(VtdInvalidationDescriptorLayout.iotlbLo(IOTLB_GLOBAL, 0, true, true), 0);
            q.submit();
            assertEquals(0, f.unit.contextCacheSize());
            assertEquals(0, f.unit.iotlbSize());
            assertEquals(VtdFaultReason.CONTEXT_ENTRY_NOT_PRESENT.code(), f.dmaRead(IOVA, f.buffer(8)).detail().code());
        }
    }

    @Test
    void shouldSignalAWaitWithInterruptThroughIcsAndTheInvalidationEventMessage() {
        try (VtdFixture f = new VtdFixture()) {
            var ic = f.machine.interruptController();
            int vector = ic.allocateVector();
            int[] seen = {0};
            ic.register(vector, v -> seen[0]++);
            MsiMessage msi = ic.messageFor(vector);
            f.w32(IEDATA, msi.data());
            f.w32(IEADDR, (int) msi.address());
            Queue q = new Queue(f);

            // Masked (the reset state): ICS.IWC and IECTL.IP, no message.
            q.put(VtdInvalidationDescriptorLayout.waitLo(0, false, true, false), 0);
            q.submit();
            f.machine.eventKernel().runUntilIdle();
            assertEquals(ICS_IWC, f.r32(ICS));
            assertEquals(ECTL_IM | ECTL_IP, f.r32(IECTL));
            assertEquals(0, seen[0]);
            f.w32(IECTL, 0); // unmask: the pending message goes out
            f.machine.eventKernel().runUntilIdle();
            assertEquals(1, seen[0]);
            assertEquals(0, f.r32(IECTL));

            // Unmasked: IWC is still set, so the next wait makes no new event until software clears it.
            q.put(VtdInvalidationDescriptorLayout.waitLo(0, false, true, false), 0);
            q.submit();
            f.machine.eventKernel().runUntilIdle();
            assertEquals(1, seen[0]);
            f.w32(ICS, ICS_IWC);
            assertEquals(0, f.r32(ICS), "IWC is RW1C");
            q.put(VtdInvalidationDescriptorLayout.waitLo(0, false, true, false), 0);
            q.submit();
            f.machine.eventKernel().runUntilIdle();
            assertEquals(2, seen[0]);
            assertEquals(2, f.unit.invalidationEventMessages());
        }
    }

    @Test
    void shouldClearThePendingInvalidationEventWhenSoftwareClearsIwc() {
        try (VtdFixture f = new VtdFixture()) {
            Queue q = new Queue(f);
            q.put(VtdInvalidationDescriptorLayout.waitLo(0, false, true, false), 0);
            q.submit();
            assertEquals(ECTL_IM | ECTL_IP, f.r32(IECTL));
            f.w32(ICS, ICS_IWC);
            assertEquals(ECTL_IM, f.r32(IECTL));
            f.w32(IECTL, 0);
            assertEquals(0, f.unit.invalidationEventMessages(), "nothing left to signal");
        }
    }

    @Test
    void shouldStopTheQueueWithIqeAtADescriptorOfUnknownType() {
        try (VtdFixture f = new VtdFixture()) {
            long status = f.page();
            Queue q = new Queue(f);
            q.put(VtdInvalidationDescriptorLayout.iotlbLo(IOTLB_GLOBAL, 0, false, false), 0);
            q.put(7, 0); // type 7 (PASID cache) needs scalable mode
            q.put(VtdInvalidationDescriptorLayout.waitLo(1, true, false, false), VtdInvalidationDescriptorLayout.waitHi(status));
            q.submit();
            assertEquals(FSTS_IQE, f.r32(FSTS) & FSTS_IQE);
            assertEquals(1, q.head(), "IQH points at the descriptor that failed");
            assertEquals(0, f.cpu.read32(status), "nothing after it ran");
            assertEquals(1, f.unit.queueErrors());

            // Software replaces the bad descriptor and clears IQE: the queue resumes from IQH.
            f.cpu.write64(q.base + 16, VtdInvalidationDescriptorLayout.waitLo(0, false, false, false));
            f.w32(FSTS, FSTS_IQE);
            assertEquals(0, f.r32(FSTS) & FSTS_IQE);
            assertEquals(3, q.head());
            assertEquals(1, f.cpu.read32(status));
        }
    }

    @Test
    void shouldRejectDescriptorsWithReservedBits() {
        long[][] bad = {
                {VtdInvalidationDescriptorLayout.iotlbLo(IOTLB_GLOBAL, 0, false, false) | (1L << 40), 0},
                {VtdInvalidationDescriptorLayout.iotlbLo(IOTLB_PAGE, 1, false, false), IOVA | 0x100},
                {VtdInvalidationDescriptorLayout.contextCache(CC_GLOBAL, 0, 0, 0), 1},
                {VtdInvalidationDescriptorLayout.waitLo(0, false, false, false) | 0x100, 0},
                {VtdInvalidationDescriptorLayout.waitLo(0, true, false, false), 0x1002}, // status address not aligned
                {VtdInvalidationDescriptorLayout.iotlbLo(0, 0, false, false), 0},     // granularity 0
                {VtdInvalidationDescriptorLayout.TYPE_DEVICE_IOTLB, 0},                // needs ECAP.DT
        };
        for (long[] d : bad) {
            try (VtdFixture f = new VtdFixture()) {
                Queue q = new Queue(f);
                q.put(d[0], d[1]);
                q.submit();
                assertEquals(FSTS_IQE, f.r32(FSTS) & FSTS_IQE, "descriptor " + Long.toHexString(d[0]) + "/" + Long.toHexString(d[1]));
                assertEquals(0, q.head());
            }
        }
    }

    @Test
    void shouldRaiseAFaultEventOnAnInvalidationQueueError() {
        try (VtdFixture f = new VtdFixture()) {
            var ic = f.machine.interruptController();
            int vector = ic.allocateVector();
            int[] seen = {0};
            ic.register(vector, v -> seen[0]++);
            f.w32(FEDATA, ic.messageFor(vector).data());
            f.w32(FEADDR, (int) ic.messageFor(vector).address());
            f.w32(FECTL, 0);
            Queue q = new Queue(f);
            q.put(0xF, 0);
            q.submit();
            f.machine.eventKernel().runUntilIdle();
            assertEquals(1, seen[0]);
            assertEquals(1, f.unit.faultEventMessages());
        }
    }

    @Test
    void shouldRefuseATailBeyondTheQueue() {
        try (VtdFixture f = new VtdFixture()) {
            new Queue(f);
            f.w64(IQT, 256L << IQ_INDEX_SHIFT_128); // QS 0 holds 256 descriptors: index 256 is outside
            assertEquals(FSTS_IQE, f.r32(FSTS) & FSTS_IQE);
        }
    }

    @Test
    void shouldCountModeledInvalidationTime() {
        try (VtdFixture f = new VtdFixture()) {
            iotlbRegister(f, IOTLB_GLOBAL, 0, 0, 0);
            contextRegister(f, CC_GLOBAL, 0, 0, 0);
            assertEquals(2 * VtdConfig.DEFAULT.invalidationNs(), f.unit.invalidationNs());
        }
    }
}
