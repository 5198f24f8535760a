package org.jdma.spec.vtd;

/**
 * 128-bit invalidation-queue descriptors (VT-d spec §6.5.2). Type in bits 3:0 (and 11:9 for
 * types above 15, zero here). Fields other than those named are reserved and must be zero; a
 * descriptor with a reserved bit set, or an unknown type, stops the queue with FSTS.IQE (§6.5.2.10).
 *
 * <pre>
 * Context-cache (type 1)  lo: 49:48 FM | 47:32 SID | 31:16 DID | 5:4 G | 3:0 type     hi: reserved
 * IOTLB (type 2)          lo: 31:16 DID | 7 DR | 6 DW | 5:4 G | 3:0 type
 *                         hi: 63:12 ADDR | 6 IH | 5:0 AM
 * IEC (type 4)            lo: 47:32 IIDX | 31:27 IM | 4 G (0 global, 1 index-selective) | 3:0 type
 *                         hi: reserved
 * Invalidation wait (5)   lo: 63:32 status data | 7 PD | 6 FN | 5 SW | 4 IF | 3:0 type
 *                         hi: 63:2 status address (4-byte aligned)
 * </pre>
 * Granularities: context-cache G 1 global, 2 domain, 3 device; IOTLB G 1 global, 2 domain, 3 page.
 */
public final class VtdInvalidationDescriptorLayout {
    private VtdInvalidationDescriptorLayout() { }

    public static final int SIZE = 16;
    public static final int LO = 0;
    public static final int HI = 8;

    public static final long TYPE_MASK = 0xFL;
    public static final long TYPE_HI_MASK = 0x7L << 9;
    public static final int TYPE_CONTEXT_CACHE = 1;
    public static final int TYPE_IOTLB = 2;
    public static final int TYPE_DEVICE_IOTLB = 3;
    public static final int TYPE_INTERRUPT_ENTRY_CACHE = 4;
    public static final int TYPE_INVALIDATION_WAIT = 5;

    public static final int G_SHIFT = 4;
    public static final long G_MASK = 0x3L << G_SHIFT;

    // context-cache
    public static final int CC_DID_SHIFT = 16;
    public static final long CC_DID_MASK = 0xFFFFL << CC_DID_SHIFT;
    public static final int CC_SID_SHIFT = 32;
    public static final long CC_SID_MASK = 0xFFFFL << CC_SID_SHIFT;
    public static final int CC_FM_SHIFT = 48;
    public static final long CC_FM_MASK = 0x3L << CC_FM_SHIFT;
    public static final long CC_LO_RESERVED = ~(TYPE_MASK | G_MASK | CC_DID_MASK | CC_SID_MASK | CC_FM_MASK);

    // IOTLB
    public static final long IOTLB_DW = 1L << 6;
    public static final long IOTLB_DR = 1L << 7;
    public static final int IOTLB_DID_SHIFT = 16;
    public static final long IOTLB_DID_MASK = 0xFFFFL << IOTLB_DID_SHIFT;
    public static final long IOTLB_LO_RESERVED = ~(TYPE_MASK | G_MASK | IOTLB_DW | IOTLB_DR | IOTLB_DID_MASK);
    public static final long IOTLB_HI_ADDR_MASK = 0xFFFF_FFFF_FFFF_F000L;
    public static final long IOTLB_HI_IH = 1L << 6;
    public static final long IOTLB_HI_AM_MASK = 0x3FL;
    public static final long IOTLB_HI_RESERVED = 0xF80L; // bits 11:7

    // interrupt entry cache (§6.5.2.7): IIDX, 2^IM entries from it when index-selective
    public static final long IEC_G_INDEX = 1L << 4;
    public static final int IEC_IM_SHIFT = 27;
    public static final long IEC_IM_MASK = 0x1FL << IEC_IM_SHIFT;
    public static final int IEC_IIDX_SHIFT = 32;
    public static final long IEC_IIDX_MASK = 0xFFFFL << IEC_IIDX_SHIFT;
    public static final long IEC_LO_RESERVED = ~(TYPE_MASK | IEC_G_INDEX | IEC_IM_MASK | IEC_IIDX_MASK);

    /** A global interrupt-entry-cache invalidation. */
    public static long iecGlobal() {
        return TYPE_INTERRUPT_ENTRY_CACHE;
    }

    /** An index-selective one: the 2^{@code im} entries from {@code index}. */
    public static long iecIndex(int index, int im) {
        return TYPE_INTERRUPT_ENTRY_CACHE | IEC_G_INDEX | (((long) im << IEC_IM_SHIFT) & IEC_IM_MASK)
                | (((long) index << IEC_IIDX_SHIFT) & IEC_IIDX_MASK);
    }

    public static int iecIndex(long lo) {
        return (int) ((lo & IEC_IIDX_MASK) >>> IEC_IIDX_SHIFT);
    }

    public static int iecMask(long lo) {
        return (int) ((lo & IEC_IM_MASK) >>> IEC_IM_SHIFT);
    }

    // invalidation wait
    public static final long WAIT_IF = 1L << 4;
    public static final long WAIT_SW = 1L << 5;
    public static final long WAIT_FN = 1L << 6;
    public static final long WAIT_PD = 1L << 7;
    public static final int WAIT_STATUS_DATA_SHIFT = 32;
    public static final long WAIT_LO_RESERVED = 0xFFFF_FF00L & ~TYPE_MASK & ~0xF0L; // bits 31:8
    public static final long WAIT_HI_ADDR_MASK = ~0x3L;

    public static int type(long lo) {
        return (int) (lo & TYPE_MASK) | (int) ((lo & TYPE_HI_MASK) >>> 5);
    }

    public static int granularity(long lo) {
        return (int) ((lo & G_MASK) >>> G_SHIFT);
    }

    public static long contextCache(int granularity, int domainId, int sourceId, int functionMask) {
        return TYPE_CONTEXT_CACHE | ((long) granularity << G_SHIFT) & G_MASK
                | ((long) domainId << CC_DID_SHIFT) & CC_DID_MASK
                | ((long) sourceId << CC_SID_SHIFT) & CC_SID_MASK
                | ((long) functionMask << CC_FM_SHIFT) & CC_FM_MASK;
    }

    public static long iotlbLo(int granularity, int domainId, boolean drainReads, boolean drainWrites) {
        return TYPE_IOTLB | ((long) granularity << G_SHIFT) & G_MASK
                | ((long) domainId << IOTLB_DID_SHIFT) & IOTLB_DID_MASK
                | (drainReads ? IOTLB_DR : 0) | (drainWrites ? IOTLB_DW : 0);
    }

    public static long iotlbHi(long address, int addressMask, boolean invalidationHint) {
        return (address & IOTLB_HI_ADDR_MASK) | (invalidationHint ? IOTLB_HI_IH : 0) | (addressMask & IOTLB_HI_AM_MASK);
    }

    public static long waitLo(int statusData, boolean statusWrite, boolean interrupt, boolean fence) {
        return TYPE_INVALIDATION_WAIT | ((long) statusData << WAIT_STATUS_DATA_SHIFT)
                | (statusWrite ? WAIT_SW : 0) | (interrupt ? WAIT_IF : 0) | (fence ? WAIT_FN : 0);
    }

    public static long waitHi(long statusAddress) {
        return statusAddress & WAIT_HI_ADDR_MASK;
    }
}
