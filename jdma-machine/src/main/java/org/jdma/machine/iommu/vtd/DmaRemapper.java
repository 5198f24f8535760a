package org.jdma.machine.iommu.vtd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.jdma.machine.bus.Access;
import org.jdma.machine.bus.AddressTranslator;
import org.jdma.machine.jfr.IotlbMissEvent;
import org.jdma.spec.msi.MsiMessageLayout;
import org.jdma.spec.pci.RequesterId;
import org.jdma.spec.vtd.VtdCapabilityLayout;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.vtd.VtdPageEntryLayout;
import org.jdma.spec.vtd.VtdRootEntryLayout;

/**
 * Legacy-mode translation of one DMA request (VT-d §3.4, §3.7, §9.1-9.3, §9.8): the context of
 * the requester from the context cache, or fetched from the root and context tables and checked;
 * the address from the IOTLB (probed at every page size the unit supports), or from a walk of the
 * second-level tables whose leaf is then cached. Checks follow QEMU's order: not present, then
 * permission, then reserved bits; a context entry's FPD qualifies the faults found after it.
 *
 * <p>Every entry read is one step; a translation costs {@link VtdConfig#iotlbHitNs()} plus
 * {@link VtdConfig#walkStepNs()} per step. Table reads snoop the CPU cache only with ECAP.C.
 *
 * <p>Not thread-safe: the owning {@link VtdUnit} serialises every access.
 */
final class DmaRemapper {

    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Leaves exist at levels 1 (4 KiB), 2 (2 MiB) and 3 (1 GiB): the IOTLB is probed for each size. */
    private static final int LARGEST_LEAF_LEVEL = 3;
    /** A source id is bus 15:8, devfn 7:0 (the root table is indexed by bus, a context table by devfn). */
    private static final int SID_BUS_SHIFT = 8;
    private static final int SID_DEVFN_MASK = 0xFF;

    /** The unit's name, for the recording. */
    private final String unit;
    private final VtdConfig config;
    private final int hawBits;
    private final int mgawBits;
    /** Context-entry DID bits above the domain ids CAP.ND offers: reserved. */
    private final long didReserved;
    private final ContextCache contextCache;
    private final Iotlb iotlb;
    private final UnitMemory memory;
    private final FaultRecorder faults;

    /** The root table latched by the last GCMD.SRTP. */
    private long rootTable;
    /** Steps of the walk in progress (root, context, paging entries read). */
    private int steps;
    /** The FPD bit of the last context entry fetched (valid for faults found after the fetch). */
    private boolean fetchedFpd;

    private long translations;
    private long iotlbHits;
    private long iotlbMisses;
    private long contextHits;
    private long contextMisses;
    private long pageWalks;
    private long walkSteps;

    DmaRemapper(String unit, VtdConfig config, int hawBits, ContextCache contextCache, Iotlb iotlb, UnitMemory memory,
                FaultRecorder faults) {
        this.unit = unit;
        this.config = config;
        this.hawBits = hawBits;
        this.mgawBits = VtdCapabilityLayout.mgawBits(config.cap());
        int dids = VtdCapabilityLayout.domainCount(config.cap());
        this.didReserved = VtdContextEntryLayout.HI_DID_MASK & ~((long) (dids - 1) << VtdContextEntryLayout.HI_DID_SHIFT);
        this.contextCache = contextCache;
        this.iotlb = iotlb;
        this.memory = memory;
        this.faults = faults;
    }

    /** Power-on state: no root table latched; counters are kept. */
    void reset() {
        rootTable = 0;
        steps = 0;
        fetchedFpd = false;
    }

    void rootTable(long address) {
        rootTable = address;
    }

    long rootTable() {
        return rootTable;
    }

    /** Translates the start of [address, address + length) for {@code requester}, with translation enabled, into {@code out}. */
    void translate(RequesterId requester, long address, long length, Access access, AddressTranslator.Result out) {
        translations++;
        boolean write = access == Access.WRITE;
        int sid = requester.sourceId();
        steps = 0;
        fetchedFpd = false;
        ContextCache.Context ctx = contextCache.lookup(sid);
        if (ctx != null) {
            contextHits++;
        } else {
            contextMisses++;
            VtdFaultReason why = fetchContext(sid);
            if (why != null) {
                blocked(requester, address, write, why, out);
                return;
            }
            ctx = contextCache.lookup(sid);
        }
        fetchedFpd = (ctx.lo() & VtdContextEntryLayout.LO_FPD) != 0;
        int tt = VtdContextEntryLayout.tt(ctx.lo());
        int aw = VtdContextEntryLayout.aw(ctx.hi());
        int widthBits = Math.min(mgawBits, VtdCapabilityLayout.bitsForAw(aw));
        if ((address >>> widthBits) != 0) {
            blocked(requester, address, write, VtdFaultReason.ADDRESS_BEYOND_MGAW, out);
            return;
        }
        if (tt == VtdContextEntryLayout.TT_PASS_THROUGH) {
            out.allow(address, length, cost());
            return;
        }
        int did = ctx.domainId();
        for (int level = 1; level <= LARGEST_LEAF_LEVEL; level++) {
            if (level > 1 && !pageSizeSupported(level)) {
                continue;
            }
            int shift = Iotlb.shiftOf(level);
            int slot = iotlb.lookup(did, address, shift);
            if (slot >= 0 && iotlb.allows(slot, write)) {
                iotlbHits++;
                run(iotlb.physicalBase(slot), shift, address, length, out);
                return;
            }
        }
        iotlbMisses++;
        IotlbMissEvent event = IotlbMissEvent.start();
        walk(requester, ctx, address, length, write, out);
        if (event != null) {
            event.finish(unit, did, address, write, steps, out.faulted(), out.costNs());
        }
    }

    private boolean pageSizeSupported(int level) {
        return level == 1 || level == 2 && config.superpage2M() || level == 3 && config.superpage1G();
    }

    private long cost() {
        walkSteps += steps;
        return config.iotlbHitNs() + steps * config.walkStepNs();
    }

    private void run(long physicalBase, int shift, long address, long length, AddressTranslator.Result out) {
        long pageMask = (1L << shift) - 1;
        long physical = physicalBase | (address & pageMask);
        long left = (1L << shift) - (address & pageMask);
        out.allow(physical, Math.min(length, left), cost());
    }

    /** The refusal goes into {@code out} after the recorder ran (its listeners may translate in the meantime). */
    private void blocked(RequesterId requester, long address, boolean write, VtdFaultReason reason, AddressTranslator.Result out) {
        out.set(faults.block(requester, address, write, reason, fetchedFpd, cost()));
    }

    /** Reads root and context entry for {@code sid} and caches the context; null when usable. */
    private VtdFaultReason fetchContext(int sid) {
        long rootAt = rootTable + VtdRootEntryLayout.offsetOf(sid >>> SID_BUS_SHIFT);
        MemorySegment root = tableRead(rootAt, VtdRootEntryLayout.SIZE);
        if (root == null) {
            return VtdFaultReason.ROOT_TABLE_INVALID;
        }
        long rlo = root.get(LE_LONG, VtdRootEntryLayout.LO);
        long rhi = root.get(LE_LONG, VtdRootEntryLayout.HI);
        if ((rlo & VtdRootEntryLayout.LO_P) == 0) {
            return VtdFaultReason.ROOT_ENTRY_NOT_PRESENT;
        }
        long rootReserved = VtdRootEntryLayout.LO_RESERVED
                | (VtdRootEntryLayout.LO_CTP_MASK & VtdRootEntryLayout.addressBitsAbove(hawBits));
        if ((rlo & rootReserved) != 0 || (rhi & VtdRootEntryLayout.HI_RESERVED) != 0) {
            return VtdFaultReason.ROOT_ENTRY_RESERVED;
        }
        long ctxAt = (rlo & VtdRootEntryLayout.LO_CTP_MASK) + VtdContextEntryLayout.offsetOf(sid & SID_DEVFN_MASK);
        MemorySegment ce = tableRead(ctxAt, VtdContextEntryLayout.SIZE);
        if (ce == null) {
            return VtdFaultReason.CONTEXT_TABLE_INVALID;
        }
        long lo = ce.get(LE_LONG, VtdContextEntryLayout.LO);
        long hi = ce.get(LE_LONG, VtdContextEntryLayout.HI);
        // FPD qualifies faults from here on, even for an entry that is not present (as QEMU reads it).
        fetchedFpd = (lo & VtdContextEntryLayout.LO_FPD) != 0;
        VtdFaultReason bad = checkContext(lo, hi);
        if (bad != null) {
            return bad;
        }
        contextCache.insert(new ContextCache.Context(sid, lo, hi, VtdContextEntryLayout.domainId(hi)));
        return null;
    }

    /** A fetched legacy context entry (§9.3): present, no reserved bit, AW in SAGAW, TT supported; null when usable. */
    private VtdFaultReason checkContext(long lo, long hi) {
        if ((lo & VtdContextEntryLayout.LO_P) == 0) {
            return VtdFaultReason.CONTEXT_ENTRY_NOT_PRESENT;
        }
        long loReserved = VtdContextEntryLayout.LO_RESERVED
                | (VtdContextEntryLayout.LO_SLPTPTR_MASK & VtdRootEntryLayout.addressBitsAbove(hawBits));
        if ((lo & loReserved) != 0 || (hi & (VtdContextEntryLayout.HI_RESERVED | didReserved)) != 0) {
            return VtdFaultReason.CONTEXT_ENTRY_RESERVED;
        }
        int aw = VtdContextEntryLayout.aw(hi);
        int tt = VtdContextEntryLayout.tt(lo);
        boolean ttSupported = tt == VtdContextEntryLayout.TT_MULTI_LEVEL
                || tt == VtdContextEntryLayout.TT_PASS_THROUGH && config.passThrough();
        if ((config.sagaw() & (1 << aw)) == 0 || !ttSupported) {
            return VtdFaultReason.CONTEXT_ENTRY_INVALID;
        }
        return null;
    }

    /** The second-level walk (§3.7.1, §9.8); caches the leaf in the IOTLB. */
    private void walk(RequesterId requester, ContextCache.Context ctx, long address, long length, boolean write,
                      AddressTranslator.Result out) {
        pageWalks++;
        int levels = VtdCapabilityLayout.levelsForAw(VtdContextEntryLayout.aw(ctx.hi()));
        long table = ctx.lo() & VtdContextEntryLayout.LO_SLPTPTR_MASK;
        boolean read = true;
        boolean writable = true;
        for (int level = levels; level >= 1; level--) {
            MemorySegment slot = tableRead(table + (long) VtdPageEntryLayout.indexOf(address, level) * VtdPageEntryLayout.SIZE,
                    VtdPageEntryLayout.SIZE);
            if (slot == null) {
                blocked(requester, address, write, VtdFaultReason.PAGING_ENTRY_INVALID, out);
                return;
            }
            long e = slot.get(LE_LONG, 0);
            // Not present, then permission, then reserved bits: QEMU's order (vtd_iova_to_slpte).
            read &= (e & VtdPageEntryLayout.R) != 0;
            writable &= (e & VtdPageEntryLayout.W) != 0;
            if (!VtdPageEntryLayout.present(e) || (write ? !writable : !read)) {
                blocked(requester, address, write,
                        write ? VtdFaultReason.WRITE_NOT_PERMITTED : VtdFaultReason.READ_NOT_PERMITTED, out);
                return;
            }
            boolean leaf = level == 1 || (e & VtdPageEntryLayout.PS) != 0;
            if ((e & reservedBits(level, leaf)) != 0) {
                blocked(requester, address, write, VtdFaultReason.PAGING_ENTRY_RESERVED, out);
                return;
            }
            if (leaf) {
                int shift = Iotlb.shiftOf(level);
                long base = e & VtdPageEntryLayout.ADDRESS_MASK & ~((1L << shift) - 1);
                if (MsiMessageLayout.isInterruptAddress(base | (address & ((1L << shift) - 1)))) {
                    blocked(requester, address, write, VtdFaultReason.INTERRUPT_ADDRESS, out);
                    return;
                }
                iotlb.insert(ctx.domainId(), address, shift, base, read, writable);
                run(base, shift, address, length, out);
                return;
            }
            table = e & VtdPageEntryLayout.ADDRESS_MASK;
        }
        throw new AssertionError("a level-1 entry is always a leaf");
    }

    /** Reserved bits of a second-level entry at {@code level} (§9.8), with a superpage's address bits below its size. */
    private long reservedBits(int level, boolean leaf) {
        long reserved = VtdPageEntryLayout.reservedBits(level, hawBits, config.superpage2M(), config.superpage1G(),
                false, false);
        if (leaf && level > 1) {
            reserved |= VtdPageEntryLayout.reservedSuperpageAddressBits(level);
        }
        return reserved;
    }

    /** A table read by the unit: one step of cost. Coherent walks (ECAP.C) snoop the CPU cache. */
    private MemorySegment tableRead(long physical, int size) {
        steps++;
        return memory.read(physical, size, config.pageWalkCoherent());
    }

    long translations() { return translations; }
    long iotlbHits() { return iotlbHits; }
    long iotlbMisses() { return iotlbMisses; }
    long contextHits() { return contextHits; }
    long contextMisses() { return contextMisses; }
    long pageWalks() { return pageWalks; }
    long walkSteps() { return walkSteps; }
}
