package org.jdma.stress.iotlb;

import static org.jdma.spec.vtd.VtdRegisterLayout.DEFAULT_IRO;
import static org.jdma.spec.vtd.VtdRegisterLayout.GCMD;
import static org.jdma.spec.vtd.VtdRegisterLayout.GCMD_SRTP;
import static org.jdma.spec.vtd.VtdRegisterLayout.GCMD_TE;
import static org.jdma.spec.vtd.VtdRegisterLayout.IOTLB_DID_SHIFT;
import static org.jdma.spec.vtd.VtdRegisterLayout.IOTLB_IIRG_SHIFT;
import static org.jdma.spec.vtd.VtdRegisterLayout.IOTLB_IVT;
import static org.jdma.spec.vtd.VtdRegisterLayout.IOTLB_PAGE;
import static org.jdma.spec.vtd.VtdRegisterLayout.RTADDR;
import static org.jdma.spec.vtd.VtdRegisterLayout.iotlbOffset;
import static org.jdma.spec.vtd.VtdRegisterLayout.ivaOffset;

import java.lang.foreign.Arena;
import org.jdma.machine.bus.Access;
import org.jdma.machine.bus.AddressTranslator.Translation;
import org.jdma.machine.cache.CoherentCache;
import org.jdma.machine.cpu.MachineCpu;
import org.jdma.machine.iommu.vtd.VtdConfig;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.jdma.machine.irq.InterruptController;
import org.jdma.machine.memory.IoPortSpace;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.pci.RequesterId;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdPageEntryLayout;
import org.jdma.spec.vtd.VtdRootEntryLayout;

/**
 * One VT-d unit over a few pages of RAM, translating one IOVA page for one device: the root,
 * context and three page-table levels are written by the CPU (through the machine's
 * {@link MachineCpu} over a coherent cache), translation is on, and one translation has loaded
 * the IOTLB with IOVA to {@link #OLD}, so that a racing translation may hit a stale IOTLB entry
 * unless the invalidation did its job. A whole {@code Machine} per jcstress state would be far
 * too heavy; this builds the unit directly, as the machine does.
 *
 * <p>The CPU side changes the leaf entry ({@link #remap}, {@link #unmap}) and then invalidates
 * the page (register-based, page-selective, VT-d §6.5.1: the command completes at the register
 * write); the device side {@link #translate}s as a device thread does, registered with the
 * event kernel.
 */
final class TranslatedPage {

    static final int RAM = 0x8000;
    static final long ROOT = 0x1000;
    static final long CONTEXT = 0x2000;
    static final long LEVEL3 = 0x3000;
    static final long LEVEL2 = 0x4000;
    static final long LEVEL1 = 0x5000;
    static final long OLD = 0x6000;
    static final long NEW = 0x7000;
    static final long IOVA = 0x1234_5000L;
    static final int DOMAIN = 1;
    static final RequesterId DEVICE = RequesterId.of(0, 4, 0);

    /** What a translation found: the old page, the new page, or a fault. */
    static final int SAW_OLD = 1;
    static final int SAW_NEW = 2;
    static final int FAULTED = 0;
    static final int SAW_OTHER = -1;

    final EventKernel kernel = new EventKernel(0);
    final VtdUnit unit;
    private final MachineCpu cpu;
    private final long leaf;

    TranslatedPage() {
        PhysicalMemory ram = new PhysicalMemory();
        ram.addRam("stress", 0, Arena.ofAuto().allocate(RAM, 4096));
        CoherentCache cache = new CoherentCache(ram, 64);
        cpu = new MachineCpu(ram, new IoPortSpace(), cache, kernel, 0, 0);
        InterruptController interrupts = new InterruptController(kernel, InterruptController.DEFAULT_DELIVERY_LATENCY_NS);
        unit = new VtdUnit("dmar0", 0, 0xFED9_0000L, VtdConfig.DEFAULT, 39, ram, cache, interrupts, kernel);
        cpu.write64(ROOT + VtdRootEntryLayout.offsetOf(DEVICE.bus()), VtdRootEntryLayout.lo(CONTEXT, true));
        long context = CONTEXT + VtdContextEntryLayout.offsetOf(DEVICE.device(), DEVICE.function());
        cpu.write64(context + VtdContextEntryLayout.HI, VtdContextEntryLayout.hi(DOMAIN, VtdContextEntryLayout.AW_39_BIT));
        cpu.write64(context + VtdContextEntryLayout.LO,
                VtdContextEntryLayout.lo(LEVEL3, VtdContextEntryLayout.TT_MULTI_LEVEL, false, true));
        cpu.write64(entry(LEVEL3, 3), VtdPageEntryLayout.entry(LEVEL2, true, true, false));
        cpu.write64(entry(LEVEL2, 2), VtdPageEntryLayout.entry(LEVEL1, true, true, false));
        leaf = entry(LEVEL1, 1);
        cpu.write64(leaf, VtdPageEntryLayout.entry(OLD, true, true, false));
        unit.write(RTADDR, 8, ROOT);
        unit.write(GCMD, 4, GCMD_SRTP);
        unit.write(GCMD, 4, GCMD_TE);
        if (translate(Access.READ) != SAW_OLD) {
            throw new IllegalStateException("the unit does not translate IOVA 0x" + Long.toHexString(IOVA) + " to the old page");
        }
    }

    private static long entry(long table, int level) {
        return table + (long) VtdPageEntryLayout.indexOf(IOVA, level) * VtdPageEntryLayout.SIZE;
    }

    /** CPU side: the leaf now maps the new page (read and write). */
    void remap() {
        cpu.write64(leaf, VtdPageEntryLayout.entry(NEW, true, true, false));
    }

    /** CPU side: the leaf is not present. */
    void unmap() {
        cpu.write64(leaf, 0);
    }

    /** CPU side: page-selective IOTLB invalidation of the IOVA in the domain; done when the write returns. */
    void invalidatePage() {
        unit.write(ivaOffset(DEFAULT_IRO), 8, IOVA);
        unit.write(iotlbOffset(DEFAULT_IRO), 8, IOTLB_IVT | ((long) IOTLB_PAGE << IOTLB_IIRG_SHIFT)
                | ((long) DOMAIN << IOTLB_DID_SHIFT));
    }

    /** Device side: one 8-byte request at the IOVA; what it found. */
    int translate(Access access) {
        Translation t = unit.translate(DEVICE, IOVA, 8, access);
        if (t.faulted()) {
            return FAULTED;
        }
        return t.physical() == OLD ? SAW_OLD : t.physical() == NEW ? SAW_NEW : SAW_OTHER;
    }

    /** Device side, as a device thread: registered with the event kernel for the request. */
    int translateOnDeviceThread(Access access) {
        kernel.deviceThreadStarted();
        try {
            return translate(access);
        } finally {
            kernel.deviceThreadStopped();
        }
    }
}
