package org.jdma.machine.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.*;

import org.jdma.machine.jfr.IotlbInvalidationEvent;
import org.jdma.spec.vtd.VtdPageEntryLayout;

/**
 * Invalidation of the unit's context cache and IOTLB (VT-d §6.5), and its register-based interface:
 * CCMD (§10.4.7) and IOTLB/IVA (§10.4.8). A request is done at once; ICC and IVT self-clear and
 * CAIG/IAIG report the granularity performed (0 when the request was invalid and ignored). The
 * invalidation queue ({@link InvalidationQueue}) performs its descriptors through here too, so both
 * interfaces count and trace alike. Each invalidation's modeled cost is {@link VtdConfig#invalidationNs()},
 * counted here; the queue makes its wait descriptors wait for it, the registers do not.
 *
 * <p>Not thread-safe: the owning {@link VtdUnit} serialises every access.
 */
final class CacheInvalidator {

    private final VtdRegisterPage regs;
    private final VtdConfig config;
    private final ContextCache contextCache;
    private final Iotlb iotlb;
    private final UnitTrace trace;
    /** The actual granularities last reported in CCMD.CAIG and IOTLB.IAIG (written only by hardware). */
    private long lastCaig;
    private long lastIaig;
    /** Performed, indexed by granularity (1 global, 2 domain, 3 device or page). */
    private final long[] contextInvalidations = new long[4];
    private final long[] iotlbInvalidations = new long[4];
    private long invalidationNs;

    CacheInvalidator(VtdRegisterPage regs, VtdConfig config, ContextCache contextCache, Iotlb iotlb, UnitTrace trace) {
        this.regs = regs;
        this.config = config;
        this.contextCache = contextCache;
        this.iotlb = iotlb;
        this.trace = trace;
    }

    /** Power-on state: no invalidation granularity reported yet; counters are kept. */
    void reset() {
        lastCaig = 0;
        lastIaig = 0;
    }

    /** CCMD written: with ICC, a context-cache invalidation of CIRG granularity. */
    void contextCommandWritten(long value) {
        if ((value & CCMD_ICC) != 0) {
            int g = (int) ((value & VtdRegisterPage.CCMD_CIRG_MASK) >>> CCMD_CIRG_SHIFT);
            int did = (int) (value & CCMD_DID_MASK);
            int sid = (int) ((value & VtdRegisterPage.CCMD_SID_MASK) >>> CCMD_SID_SHIFT);
            int fm = (int) ((value & VtdRegisterPage.CCMD_FM_MASK) >>> CCMD_FM_SHIFT);
            lastCaig = (long) invalidateContext(g, did, sid, fm, "register") << CCMD_CAIG_SHIFT;
        }
        // ICC self-clears (the invalidation is done); CAIG is written only by hardware.
        regs.set(regs.ccmd, (value & ~(CCMD_ICC | VtdRegisterPage.CCMD_CAIG_MASK)) | lastCaig);
    }

    /** IOTLB written: with IVT, an IOTLB invalidation of IIRG granularity (page-selective reads IVA). */
    void iotlbCommandWritten(long value) {
        if ((value & IOTLB_IVT) != 0) {
            int g = (int) ((value & VtdRegisterPage.IOTLB_IIRG_MASK) >>> IOTLB_IIRG_SHIFT);
            int did = (int) ((value & VtdRegisterPage.IOTLB_DID_MASK) >>> IOTLB_DID_SHIFT);
            long ivaValue = regs.get(regs.iva);
            lastIaig = (long) invalidateIotlb(g, did, ivaValue & IVA_ADDR_MASK, (int) (ivaValue & IVA_AM_MASK), "register")
                    << IOTLB_IAIG_SHIFT;
        }
        regs.set(regs.iotlb, (value & ~(IOTLB_IVT | VtdRegisterPage.IOTLB_IAIG_MASK)) | lastIaig);
    }

    /** Returns the granularity performed (CAIG), 0 when the request was invalid and ignored. */
    int invalidateContext(int granularity, int did, int sid, int fm, String via) {
        int n = switch (granularity) {
            case CC_GLOBAL -> contextCache.invalidateAll();
            case CC_DOMAIN -> contextCache.invalidateDomain(did);
            case CC_DEVICE -> contextCache.invalidateDevice(sid, fm);
            default -> -1;
        };
        if (n < 0) {
            return 0;
        }
        contextInvalidations[granularity]++;
        invalidationNs += config.invalidationNs();
        if (trace.enabled()) {
            trace.slice("context-cache invalidation", config.invalidationNs(),
                    "via", via, "granularity", granularity, "did", did, "sid", UnitTrace.hex(sid), "dropped", n);
        }
        return granularity;
    }

    /**
     * Returns the granularity performed (IAIG), 0 when the request was invalid and ignored. A
     * page-selective request the unit cannot do (no CAP.PSI, or AM above CAP.MAMV) is done
     * domain-wide, a coarser granularity the spec allows (§6.5.1.2, §10.4.8.1).
     */
    int invalidateIotlb(int granularity, int did, long address, int am, String via) {
        int done = granularity;
        if (granularity == IOTLB_PAGE && (!config.pageSelective() || am > config.mamv())) {
            done = IOTLB_DOMAIN;
        }
        IotlbInvalidationEvent event = IotlbInvalidationEvent.start();
        int n = switch (done) {
            case IOTLB_GLOBAL -> iotlb.invalidateAll();
            case IOTLB_DOMAIN -> iotlb.invalidateDomain(did);
            case IOTLB_PAGE -> {
                long span = VtdPageEntryLayout.PAGE_SIZE << am;
                yield iotlb.invalidateRange(did, address & -span, span);
            }
            default -> -1;
        };
        if (n < 0) {
            return 0;
        }
        iotlbInvalidations[done]++;
        invalidationNs += config.invalidationNs();
        if (event != null) {
            event.finish(trace.name(), via, granularityName(done), granularityName(granularity), did, address,
                    done == IOTLB_PAGE ? VtdPageEntryLayout.PAGE_SIZE << am : 0, n);
        }
        if (trace.enabled()) {
            trace.slice("IOTLB invalidation", config.invalidationNs(), "via", via, "requested", granularity,
                    "granularity", done, "did", did, "address", UnitTrace.hex(address), "am", am, "dropped", n);
        }
        return done;
    }

    private static String granularityName(int g) {
        return switch (g) {
            case IOTLB_GLOBAL -> "global";
            case IOTLB_DOMAIN -> "domain";
            case IOTLB_PAGE -> "page";
            default -> "invalid";
        };
    }

    /** Context-cache invalidations performed at {@code granularity} (1 global, 2 domain, 3 device). */
    long contextInvalidations(int granularity) {
        return granularity >= 1 && granularity <= 3 ? contextInvalidations[granularity] : 0;
    }

    /** IOTLB invalidations performed at {@code granularity} (1 global, 2 domain, 3 page). */
    long iotlbInvalidations(int granularity) {
        return granularity >= 1 && granularity <= 3 ? iotlbInvalidations[granularity] : 0;
    }

    long invalidationNs() {
        return invalidationNs;
    }
}
