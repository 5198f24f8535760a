package org.jdma.machine.iommu.vtd;

import static org.jdma.spec.vtd.VtdCapabilityLayout.*;
import org.jdma.spec.vtd.VtdRegisterLayout;
import org.jdma.spec.vtd.VtdCapabilityLayout;

/**
 * What one remapping unit offers and how fast it is. CAP and ECAP are computed from this record,
 * nothing else: the kernel learns the unit's features only by reading those registers.
 *
 * @param addressWidthBits   MGAW + 1: 39 (3-level tables) or 48 (4-level tables)
 * @param sagaw              supported adjusted guest address widths (bits of {@link VtdCapabilityLayout#SAGAW_39_BIT} ...)
 * @param superpage2M        CAP.SLLPS bit 0: 2 MiB second-level pages
 * @param superpage1G        CAP.SLLPS bit 1: 1 GiB second-level pages
 * @param nd                 CAP.ND: 2^(4 + 2*nd) domain ids (0..6)
 * @param cachingMode        CAP.CM: not-present entries may be cached, so software must invalidate
 *                           after making an entry present too (emulated IOMMUs)
 * @param pageWalkCoherent   ECAP.C: the unit snoops the CPU cache when it walks tables; when false,
 *                           software must clean table lines to memory before the unit reads them
 * @param queuedInvalidation ECAP.QI
 * @param passThrough        ECAP.PT: context entries with TT = pass-through
 * @param pageSelective      CAP.PSI: page-selective IOTLB invalidation
 * @param mamv               CAP.MAMV: largest address mask of a page-selective invalidation
 * @param faultRecords       number of fault recording registers (1..{@link #MAX_FAULT_RECORDS})
 * @param iotlbEntries       IOTLB entries (a multiple of iotlbWays)
 * @param iotlbWays          IOTLB associativity (LRU within a set)
 * @param contextCacheEntries context-cache entries (fully associative, LRU)
 * @param iotlbHitNs         cost of a translation that hits the IOTLB
 * @param walkStepNs         cost of reading one table entry (root, context, or one paging level)
 * @param invalidationNs     cost of one invalidation request (register or queued descriptor)
 * @param interruptRemapping ECAP.IR: interrupt remapping (IRTA, GCMD.SIRTP/IRE/CFI, the IEC
 *                           descriptor; needs queued invalidation), in xAPIC mode (no ECAP.EIM)
 * @param postedInterrupts   CAP.PI: posted-format IRTEs (IM = 1) post into a posted-interrupt
 *                           descriptor and send its notification event (needs interrupt remapping)
 */
public record VtdConfig(int addressWidthBits, int sagaw, boolean superpage2M, boolean superpage1G, int nd,
                        boolean cachingMode, boolean pageWalkCoherent, boolean queuedInvalidation,
                        boolean passThrough, boolean pageSelective, int mamv, int faultRecords,
                        int iotlbEntries, int iotlbWays, int contextCacheEntries,
                        long iotlbHitNs, long walkStepNs, long invalidationNs, boolean interruptRemapping,
                        boolean postedInterrupts) {

    /**
     * A unit like a current Intel client platform's, as QEMU's defaults: 39-bit (3-level) and
     * 48-bit (4-level) tables, 2 MiB and 1 GiB superpages, 256 domain ids (ND 2), coherent walks,
     * queued invalidation, pass-through, PSI with MAMV 18, 8 fault records, a 512-entry 8-way IOTLB,
     * a 64-entry context cache; 10 ns IOTLB hit, 100 ns per walk step (one memory read), 200 ns per
     * invalidation; interrupt remapping (every Intel unit since 2011's client chipsets has it; it is
     * off until software enables it, so a kernel that ignores it sees the machine as before).
     */
    public static final VtdConfig DEFAULT = new VtdConfig(39, SAGAW_39_BIT | SAGAW_48_BIT, true, true, 2,
            false, true, true, true, true, 18, 8, 512, 8, 64, 10, 100, 200, true, false);

    /** As many 16-byte fault records as fit between offset 0x220 and the end of the register page. */
    public static final int MAX_FAULT_RECORDS = (VtdRegisterLayout.REGISTER_SET_SIZE - VtdRegisterLayout.DEFAULT_FRO * 16) / VtdRegisterLayout.FRCD_SIZE;

    /** A unit without posted interrupts (QEMU's unit has none). */
    public VtdConfig(int addressWidthBits, int sagaw, boolean superpage2M, boolean superpage1G, int nd,
                     boolean cachingMode, boolean pageWalkCoherent, boolean queuedInvalidation,
                     boolean passThrough, boolean pageSelective, int mamv, int faultRecords,
                     int iotlbEntries, int iotlbWays, int contextCacheEntries,
                     long iotlbHitNs, long walkStepNs, long invalidationNs, boolean interruptRemapping) {
        this(addressWidthBits, sagaw, superpage2M, superpage1G, nd, cachingMode, pageWalkCoherent, queuedInvalidation,
                passThrough, pageSelective, mamv, faultRecords, iotlbEntries, iotlbWays, contextCacheEntries,
                iotlbHitNs, walkStepNs, invalidationNs, interruptRemapping, false);
    }

    /** A unit as before interrupt remapping was modeled: interrupt remapping whenever it has queued invalidation. */
    public VtdConfig(int addressWidthBits, int sagaw, boolean superpage2M, boolean superpage1G, int nd,
                     boolean cachingMode, boolean pageWalkCoherent, boolean queuedInvalidation,
                     boolean passThrough, boolean pageSelective, int mamv, int faultRecords,
                     int iotlbEntries, int iotlbWays, int contextCacheEntries,
                     long iotlbHitNs, long walkStepNs, long invalidationNs) {
        this(addressWidthBits, sagaw, superpage2M, superpage1G, nd, cachingMode, pageWalkCoherent, queuedInvalidation,
                passThrough, pageSelective, mamv, faultRecords, iotlbEntries, iotlbWays, contextCacheEntries,
                iotlbHitNs, walkStepNs, invalidationNs, queuedInvalidation);
    }

    /** ECAP.MHMV of a unit with interrupt remapping. */
    public static final int MAX_HANDLE_MASK = 15;

    public VtdConfig {
        if (addressWidthBits != 39 && addressWidthBits != 48) {
            throw new IllegalArgumentException("addressWidthBits must be 39 or 48 (3- or 4-level tables), was " + addressWidthBits);
        }
        if ((sagaw & ~(SAGAW_39_BIT | SAGAW_48_BIT)) != 0 || sagaw == 0) {
            throw new IllegalArgumentException("sagaw must be a non-empty combination of the 39-bit (0x2) and 48-bit (0x4) bits, was " + sagaw);
        }
        if (addressWidthBits == 48 && (sagaw & SAGAW_48_BIT) == 0) {
            throw new IllegalArgumentException("a 48-bit unit must support 4-level tables (SAGAW bit 2)");
        }
        if (nd < 0 || nd > 6) {
            throw new IllegalArgumentException("nd must be 0..6, was " + nd);
        }
        if (mamv < 0 || mamv > 63) {
            throw new IllegalArgumentException("mamv must be 0..63, was " + mamv);
        }
        if (faultRecords < 1 || VtdRegisterLayout.frcdOffset(VtdRegisterLayout.DEFAULT_FRO, faultRecords) > VtdRegisterLayout.REGISTER_SET_SIZE) {
            throw new IllegalArgumentException("faultRecords must be 1.." + MAX_FAULT_RECORDS
                    + " (they must fit the 4 KiB register page from offset 0x220), was " + faultRecords);
        }
        if (iotlbWays < 1 || iotlbEntries < iotlbWays || iotlbEntries % iotlbWays != 0) {
            throw new IllegalArgumentException("iotlbEntries (" + iotlbEntries + ") must be a positive multiple of iotlbWays (" + iotlbWays + ")");
        }
        if (contextCacheEntries < 1) {
            throw new IllegalArgumentException("contextCacheEntries must be positive, was " + contextCacheEntries);
        }
        if (interruptRemapping && !queuedInvalidation) {
            throw new IllegalArgumentException("interrupt remapping needs queued invalidation (the IEC descriptor is its only invalidation)");
        }
        if (postedInterrupts && !interruptRemapping) {
            throw new IllegalArgumentException("posted interrupts need interrupt remapping (a posted entry is an IRTE)");
        }
        if (iotlbHitNs < 0 || walkStepNs < 0 || invalidationNs < 0) {
            throw new IllegalArgumentException("costs must not be negative");
        }
    }

    public VtdConfig withFaultRecords(int n) {
        return new VtdConfig(addressWidthBits, sagaw, superpage2M, superpage1G, nd, cachingMode, pageWalkCoherent,
                queuedInvalidation, passThrough, pageSelective, mamv, n, iotlbEntries, iotlbWays, contextCacheEntries,
                iotlbHitNs, walkStepNs, invalidationNs, interruptRemapping, postedInterrupts);
    }

    public VtdConfig withPageWalkCoherent(boolean c) {
        return new VtdConfig(addressWidthBits, sagaw, superpage2M, superpage1G, nd, cachingMode, c,
                queuedInvalidation, passThrough, pageSelective, mamv, faultRecords, iotlbEntries, iotlbWays, contextCacheEntries,
                iotlbHitNs, walkStepNs, invalidationNs, interruptRemapping, postedInterrupts);
    }

    /** Queued invalidation on or off; off also drops interrupt remapping, whose cache only the queue invalidates. */
    public VtdConfig withQueuedInvalidation(boolean q) {
        return new VtdConfig(addressWidthBits, sagaw, superpage2M, superpage1G, nd, cachingMode, pageWalkCoherent,
                q, passThrough, pageSelective, mamv, faultRecords, iotlbEntries, iotlbWays, contextCacheEntries,
                iotlbHitNs, walkStepNs, invalidationNs, interruptRemapping && q, postedInterrupts && q);
    }

    /** ECAP.IR on or off (on needs queued invalidation: the interrupt entry cache is invalidated only through the queue). */
    public VtdConfig withInterruptRemapping(boolean ir) {
        return new VtdConfig(addressWidthBits, sagaw, superpage2M, superpage1G, nd, cachingMode, pageWalkCoherent,
                queuedInvalidation, passThrough, pageSelective, mamv, faultRecords, iotlbEntries, iotlbWays, contextCacheEntries,
                iotlbHitNs, walkStepNs, invalidationNs, ir, postedInterrupts && ir);
    }

    /** CAP.PI on or off (on needs interrupt remapping). */
    public VtdConfig withPostedInterrupts(boolean pi) {
        return new VtdConfig(addressWidthBits, sagaw, superpage2M, superpage1G, nd, cachingMode, pageWalkCoherent,
                queuedInvalidation, passThrough, pageSelective, mamv, faultRecords, iotlbEntries, iotlbWays, contextCacheEntries,
                iotlbHitNs, walkStepNs, invalidationNs, interruptRemapping, pi);
    }

    public VtdConfig withPassThrough(boolean p) {
        return new VtdConfig(addressWidthBits, sagaw, superpage2M, superpage1G, nd, cachingMode, pageWalkCoherent,
                queuedInvalidation, p, pageSelective, mamv, faultRecords, iotlbEntries, iotlbWays, contextCacheEntries,
                iotlbHitNs, walkStepNs, invalidationNs, interruptRemapping, postedInterrupts);
    }

    public VtdConfig withSuperpages(boolean twoMiB, boolean oneGiB) {
        return new VtdConfig(addressWidthBits, sagaw, twoMiB, oneGiB, nd, cachingMode, pageWalkCoherent,
                queuedInvalidation, passThrough, pageSelective, mamv, faultRecords, iotlbEntries, iotlbWays, contextCacheEntries,
                iotlbHitNs, walkStepNs, invalidationNs, interruptRemapping, postedInterrupts);
    }

    public VtdConfig withAddressWidth(int bits, int sagawBits) {
        return new VtdConfig(bits, sagawBits, superpage2M, superpage1G, nd, cachingMode, pageWalkCoherent,
                queuedInvalidation, passThrough, pageSelective, mamv, faultRecords, iotlbEntries, iotlbWays, contextCacheEntries,
                iotlbHitNs, walkStepNs, invalidationNs, interruptRemapping, postedInterrupts);
    }

    public VtdConfig withIotlb(int entries, int ways) {
        return new VtdConfig(addressWidthBits, sagaw, superpage2M, superpage1G, nd, cachingMode, pageWalkCoherent,
                queuedInvalidation, passThrough, pageSelective, mamv, faultRecords, entries, ways, contextCacheEntries,
                iotlbHitNs, walkStepNs, invalidationNs, interruptRemapping, postedInterrupts);
    }

    public VtdConfig withPageSelective(boolean psi, int maxAddressMask) {
        return new VtdConfig(addressWidthBits, sagaw, superpage2M, superpage1G, nd, cachingMode, pageWalkCoherent,
                queuedInvalidation, passThrough, psi, maxAddressMask, faultRecords, iotlbEntries, iotlbWays, contextCacheEntries,
                iotlbHitNs, walkStepNs, invalidationNs, interruptRemapping, postedInterrupts);
    }

    /** The same unit with other modeled costs (ns): an IOTLB hit, a walk step, an invalidation. */
    public VtdConfig withTiming(long iotlbHit, long walkStep, long invalidation) {
        return new VtdConfig(addressWidthBits, sagaw, superpage2M, superpage1G, nd, cachingMode, pageWalkCoherent,
                queuedInvalidation, passThrough, pageSelective, mamv, faultRecords, iotlbEntries, iotlbWays, contextCacheEntries,
                iotlbHit, walkStep, invalidation, interruptRemapping, postedInterrupts);
    }

    public VtdConfig withDomainBits(int ndValue) {
        return new VtdConfig(addressWidthBits, sagaw, superpage2M, superpage1G, ndValue, cachingMode, pageWalkCoherent,
                queuedInvalidation, passThrough, pageSelective, mamv, faultRecords, iotlbEntries, iotlbWays, contextCacheEntries,
                iotlbHitNs, walkStepNs, invalidationNs, interruptRemapping, postedInterrupts);
    }

    /** The CAP register value (§10.4.2). FRO and NFR place {@link #faultRecords} records at {@link VtdRegisterLayout#DEFAULT_FRO}. */
    public long cap() {
        long c = nd & CAP_ND_MASK;
        if (cachingMode) {
            c |= CAP_CM;
        }
        c |= ((long) sagaw & CAP_SAGAW_MASK) << CAP_SAGAW_SHIFT;
        c |= ((long) (addressWidthBits - 1) & CAP_MGAW_MASK) << CAP_MGAW_SHIFT;
        c |= ((long) VtdRegisterLayout.DEFAULT_FRO & CAP_FRO_MASK) << CAP_FRO_SHIFT;
        long sllps = (superpage2M ? SLLPS_2M : 0) | (superpage1G ? SLLPS_1G : 0);
        c |= sllps << CAP_SLLPS_SHIFT;
        if (pageSelective) {
            c |= CAP_PSI;
            c |= ((long) mamv & CAP_MAMV_MASK) << CAP_MAMV_SHIFT;
        }
        c |= ((long) (faultRecords - 1) & CAP_NFR_MASK) << CAP_NFR_SHIFT;
        if (postedInterrupts) {
            c |= CAP_PI;
        }
        return c;
    }

    /** The ECAP register value (§10.4.3). IRO is {@link VtdRegisterLayout#DEFAULT_IRO}. */
    public long ecap() {
        long e = 0;
        if (pageWalkCoherent) {
            e |= ECAP_C;
        }
        if (queuedInvalidation) {
            e |= ECAP_QI;
        }
        if (passThrough) {
            e |= ECAP_PT;
        }
        if (interruptRemapping) {
            // MHMV 15: an index-selective IEC descriptor may cover up to 2^15 entries (as QEMU).
            e |= ECAP_IR | ((long) MAX_HANDLE_MASK << ECAP_MHMV_SHIFT);
        }
        e |= ((long) VtdRegisterLayout.DEFAULT_IRO & ECAP_IRO_MASK) << ECAP_IRO_SHIFT;
        return e;
    }
}
