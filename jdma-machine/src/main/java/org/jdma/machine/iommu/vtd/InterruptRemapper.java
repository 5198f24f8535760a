package org.jdma.machine.iommu.vtd;

import static org.jdma.spec.vtd.VtdInterruptRequestLayout.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jdma.machine.bus.InterruptRequest;
import org.jdma.spec.msi.MsiMessageLayout;
import org.jdma.spec.pci.RequesterId;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.vtd.VtdIrteLayout;
import org.jdma.spec.vtd.VtdPostedDescriptorLayout;
import org.jdma.spec.vtd.VtdRegisterLayout;

/**
 * Interrupt remapping (VT-d §5.1, §9.10) in xAPIC mode: each interrupt request a covered device
 * writes is decoded. A compatibility-format request passes unchanged while CFIS is set and is
 * blocked (0x25) otherwise. A remappable one names an interrupt index (handle, plus the sub-handle
 * when SHV); its entry comes from the interrupt entry cache or is fetched from the table IRTA
 * named at the last GCMD.SIRTP, and checked in QEMU's order: request reserved bits (0x20), index
 * beyond the table (0x21), entry unreadable (0x23), not present (0x22), reserved bits (0x24), source
 * id (0x26). The delivered message takes vector, destination, delivery mode, trigger mode, DM and
 * RH from the entry, never from the request. An entry's FPD suppresses the recording of 0x22,
 * 0x24 and 0x26 (the interrupt is still blocked).
 *
 * <p>The interrupt entry cache keeps present entries as fetched, up to
 * {@link #ENTRY_CACHE_ENTRIES} (least recently used out), until an IEC descriptor invalidates them:
 * software that changes an entry without one keeps getting the old entry, as with the IOTLB. Each
 * fetch costs one {@link VtdConfig#walkStepNs()} step (counted; the interrupt is not delayed).
 * Entry fetches snoop the CPU cache only with ECAP.C, as table walks do.
 *
 * <p>With CAP.PI a posted-format entry (IM = 1) does not deliver: the unit sets the entry's
 * virtual vector in the posted-interrupt descriptor's PIR and sends the descriptor's notification
 * event only when ON was clear and SN does not suppress it (URG overrides SN), setting ON (§5.2.3).
 * A descriptor that is not RAM is fault 0x27. Descriptor accesses are always snooped: posting is an
 * atomic read-modify-write against what the CPU sees. Without CAP.PI, IM is a reserved bit.
 *
 * <p>Not modeled: x2APIC mode (IRTA.EIME is
 * reserved: the unit has no ECAP.EIM), I/OxAPIC requests (no I/OxAPIC sends messages here).
 * Not thread-safe: the owning {@link VtdUnit} serialises every access.
 */
final class InterruptRemapper {

    /** Interrupt entry cache size (entries, fully associative, LRU). */
    static final int ENTRY_CACHE_ENTRIES = 256;
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** A cached entry: both halves as fetched. */
    private record Irte(long lo, long hi) { }

    private final VtdConfig config;
    private final UnitMemory memory;
    private final FaultRecorder faults;
    private final Map<Integer, Irte> cache = new LinkedHashMap<>(ENTRY_CACHE_ENTRIES, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Irte> eldest) {
            return size() > ENTRY_CACHE_ENTRIES;
        }
    };
    /** The table latched by the last GCMD.SIRTP. */
    private long tableBase;
    private int tableEntries = VtdRegisterLayout.irtEntries(0);
    /** GSTS.CFIS: compatibility-format requests pass unremapped. */
    private boolean compatibilityAllowed;

    private long remapped;
    private long postedInterrupts;
    private long notifications;
    private long compatibilityPassed;
    private long blocked;
    private long cacheHits;
    private long fetches;
    private long invalidations;

    InterruptRemapper(VtdConfig config, UnitMemory memory, FaultRecorder faults) {
        this.config = config;
        this.memory = memory;
        this.faults = faults;
    }

    /** GCMD.SIRTP: latch IRTA (§10.4.29). The cache is not flushed: software invalidates it (CAP.ESIRTPS = 0). */
    void table(long irta) {
        tableBase = irta & VtdRegisterLayout.IRTA_ADDR_MASK;
        tableEntries = VtdRegisterLayout.irtEntries(irta & VtdRegisterLayout.IRTA_S_MASK);
    }

    /** Power-on state: no table latched, compatibility format blocked, the entry cache empty; counters are kept. */
    void reset() {
        table(0);
        compatibilityAllowed = false;
        cache.clear();
    }

    long tableBase() { return tableBase; }
    int tableEntries() { return tableEntries; }

    void compatibilityAllowed(boolean on) {
        compatibilityAllowed = on;
    }

    /** Decodes one interrupt request of {@code requester} (a 32-bit write of {@code data} to {@code address}). */
    InterruptRequest remap(RequesterId requester, long address, int data) {
        if ((address & ADDRESS_BASE_MASK) != ADDRESS_BASE || (address >>> 32) != 0) {
            return block(requester, address, 0, VtdFaultReason.IR_REQUEST_RESERVED, false);
        }
        if (!remappable(address)) {
            if (!compatibilityAllowed) {
                return block(requester, address, 0, VtdFaultReason.IR_COMPATIBILITY_BLOCKED, false);
            }
            compatibilityPassed++;
            return InterruptRequest.deliver(address, data);
        }
        int index = index(address, data);
        if (subhandleValid(address) && (data & DATA_RESERVED_WITH_SHV) != 0) {
            return block(requester, address, handle(address), VtdFaultReason.IR_REQUEST_RESERVED, false);
        }
        if (index >= tableEntries) {
            return block(requester, address, index, VtdFaultReason.IR_INDEX_BEYOND_TABLE, false);
        }
        Irte e = cache.get(index);
        if (e == null) {
            fetches++;
            MemorySegment s = memory.read(tableBase + (long) index * VtdIrteLayout.SIZE, VtdIrteLayout.SIZE,
                    config.pageWalkCoherent());
            if (s == null) {
                return block(requester, address, index, VtdFaultReason.IR_TABLE_INVALID, false);
            }
            e = new Irte(s.get(LE_LONG, VtdIrteLayout.LO), s.get(LE_LONG, VtdIrteLayout.HI));
        } else {
            cacheHits++;
        }
        boolean fpd = VtdIrteLayout.fpd(e.lo);
        if (!VtdIrteLayout.present(e.lo)) {
            return block(requester, address, index, VtdFaultReason.IR_ENTRY_NOT_PRESENT, fpd);
        }
        boolean posted = config.postedInterrupts() && VtdIrteLayout.posted(e.lo);
        long loReserved = posted ? VtdIrteLayout.LO_POSTED_RESERVED : VtdIrteLayout.LO_RESERVED_XAPIC;
        long hiReserved = posted ? VtdIrteLayout.HI_POSTED_RESERVED : VtdIrteLayout.HI_RESERVED;
        if ((e.lo & loReserved) != 0 || (e.hi & hiReserved) != 0) {
            return block(requester, address, index, VtdFaultReason.IR_ENTRY_RESERVED, fpd);
        }
        cache.put(index, e); // present and well formed: cached until an IEC descriptor drops it
        if (!VtdIrteLayout.sourceValid(e.hi, requester.sourceId())) {
            return block(requester, address, index, VtdFaultReason.IR_SOURCE_INVALID, fpd);
        }
        if (posted) {
            return post(requester, address, index, e, fpd);
        }
        remapped++;
        return InterruptRequest.deliver(message(e.lo, address), data(e.lo));
    }

    /** Posts the entry's virtual vector into its descriptor; the notification event when one is due. */
    private InterruptRequest post(RequesterId requester, long address, int index, Irte e, boolean fpd) {
        long pid = VtdIrteLayout.postedDescriptor(e.lo, e.hi);
        MemorySegment d = memory.read(pid, VtdPostedDescriptorLayout.SIZE, true);
        if (d == null) {
            return block(requester, address, index, VtdFaultReason.IR_POSTED_DESCRIPTOR_INVALID, fpd);
        }
        int vv = VtdIrteLayout.vector(e.lo);
        int word = VtdPostedDescriptorLayout.pirWordOffset(vv);
        memory.writeLong(pid + word, d.get(LE_LONG, word) | VtdPostedDescriptorLayout.pirBit(vv));
        postedInterrupts++;
        long control = d.get(LE_LONG, VtdPostedDescriptorLayout.CONTROL);
        boolean suppressed = VtdPostedDescriptorLayout.sn(control) && !VtdIrteLayout.urgent(e.lo);
        if (VtdPostedDescriptorLayout.on(control) || suppressed) {
            return InterruptRequest.posted();
        }
        memory.writeLong(pid + VtdPostedDescriptorLayout.CONTROL, control | VtdPostedDescriptorLayout.ON);
        notifications++;
        return InterruptRequest.deliver(MsiMessageLayout.address(VtdPostedDescriptorLayout.xapicDestination(control)),
                VtdPostedDescriptorLayout.nv(control));
    }

    /** The compatibility-format address the entry names (destination, DM, RH), keeping the request's bits 1:0. */
    private static long message(long lo, long requestAddress) {
        return MsiMessageLayout.address(VtdIrteLayout.xapicDestination(lo))
                | ((lo & VtdIrteLayout.LO_DM) != 0 ? MsiMessageLayout.ADDRESS_DM : 0)
                | ((lo & VtdIrteLayout.LO_RH) != 0 ? MsiMessageLayout.ADDRESS_RH : 0)
                | (requestAddress & 0x3);
    }

    private static int data(long lo) {
        return VtdIrteLayout.vector(lo) | VtdIrteLayout.deliveryMode(lo) << MsiMessageLayout.DATA_DELIVERY_MODE_SHIFT
                | ((lo & VtdIrteLayout.LO_TM) != 0 ? MsiMessageLayout.DATA_TRIGGER_LEVEL | MsiMessageLayout.DATA_LEVEL : 0);
    }

    private InterruptRequest block(RequesterId requester, long address, int index, VtdFaultReason reason, boolean fpd) {
        blocked++;
        return faults.blockInterrupt(requester, address, index, reason, fpd);
    }

    /** IEC descriptor, global (§6.5.2.7). */
    void invalidateAll() {
        invalidations++;
        cache.clear();
    }

    /** IEC descriptor, index-selective: the 2^{@code mask} entries of the aligned block holding {@code index}. */
    void invalidate(int index, int mask) {
        invalidations++;
        int first = index & ~((1 << mask) - 1);
        int last = first + (1 << mask);
        cache.keySet().removeIf(i -> i >= first && i < last);
    }

    int cached() { return cache.size(); }
    long remapped() { return remapped; }
    /** Interrupts posted into a descriptor (each counted once, notified or not). */
    long postedInterrupts() { return postedInterrupts; }
    /** Notification events sent for posted interrupts. */
    long notifications() { return notifications; }
    long compatibilityPassed() { return compatibilityPassed; }
    long blocked() { return blocked; }
    long cacheHits() { return cacheHits; }
    long fetches() { return fetches; }
    long invalidations() { return invalidations; }
}
