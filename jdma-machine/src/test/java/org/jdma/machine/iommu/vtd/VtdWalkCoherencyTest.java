package org.jdma.machine.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdma.machine.bus.Access;
import org.jdma.machine.cache.CoherentCache;
import org.jdma.machine.cache.CpuCache;
import org.jdma.machine.iommu.vtd.VtdConfig;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdPageEntryLayout;
import org.jdma.spec.vtd.VtdRootEntryLayout;
import org.jdma.machine.irq.InterruptController;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.spec.pci.RequesterId;
import org.jdma.machine.time.EventKernel;
import org.junit.jupiter.api.Test;
import org.jdma.machine.iommu.vtd.VtdUnit;

/**
 * ECAP.C: a coherent walk sees table entries the CPU left dirty in a write-back cache; a
 * non-coherent walk sees memory as it is, stale until software cleans the lines. The write-back
 * cache here is a stand-in that keeps CPU stores of table entries as dirty lines until clean().
 */
class VtdWalkCoherencyTest {

    private static final ValueLayout.OfLong LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final RequesterId DEVICE = RequesterId.of(0, 4, 0);
    static final long ROOT = 0x1_0000, CONTEXT = 0x2_0000, L3 = 0x3_0000, L2 = 0x4_0000, L1 = 0x5_0000;
    static final long IOVA = 0x7000;
    static final long OLD = 0x10_0000, NEW = 0x20_0000;

    /** A non-coherent cache whose only content is the dirty longs a test puts in {@link #dirty}. */
    static final class DirtyLines {
        final Map<Long, Long> dirty = new TreeMap<>();
        final List<String> calls = new ArrayList<>();
        final CpuCache cache;

        DirtyLines(PhysicalMemory memory, MemorySegment ram) {
            CoherentCache backing = new CoherentCache(memory, 64);
            cache = (CpuCache) Proxy.newProxyInstance(CpuCache.class.getClassLoader(), new Class<?>[] {CpuCache.class},
                    (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "coherent" -> {
                                return false;
                            }
                            case "clean" -> {
                                long p = (long) args[0];
                                long len = (long) args[1];
                                calls.add("clean " + Long.toHexString(p));
                                dirty.entrySet().removeIf(e -> {
                                    if (e.getKey() >= p && e.getKey() < p + len) {
                                        ram.set(LE, e.getKey(), e.getValue());
                                        return true;
                                    }
                                    return false;
                                });
                                return null;
                            }
                            case "snoopDeviceRead" -> calls.add("device read " + Long.toHexString((long) args[0]));
                            default -> { }
                        }
                        try {
                            return method.invoke(backing, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }

    private record Rig(VtdUnit unit, MemorySegment ram, DirtyLines lines, Arena arena) implements AutoCloseable {
        @Override
        public void close() {
            arena.close();
        }
    }

    /** A unit over 4 MiB of RAM with IOVA→OLD mapped in memory, translation enabled through its registers. */
    private static Rig rig(boolean coherentWalks) {
        Arena arena = Arena.ofConfined();
        MemorySegment ram = arena.allocate(4L << 20, 4096);
        PhysicalMemory memory = new PhysicalMemory();
        memory.addRam("ram", 0, ram);
        DirtyLines lines = new DirtyLines(memory, ram);
        EventKernel kernel = new EventKernel(1);
        VtdUnit unit = new VtdUnit("dmar0", 0, 0xFED9_0000L, VtdConfig.DEFAULT.withPageWalkCoherent(coherentWalks), 39,
                memory, lines.cache, new InterruptController(kernel, 1000), kernel);
        ram.set(LE, ROOT + VtdRootEntryLayout.offsetOf(0), VtdRootEntryLayout.lo(CONTEXT, true));
        long ctx = CONTEXT + VtdContextEntryLayout.offsetOf(4, 0);
        ram.set(LE, ctx, VtdContextEntryLayout.lo(L3, VtdContextEntryLayout.TT_MULTI_LEVEL, false, true));
        ram.set(LE, ctx + 8, VtdContextEntryLayout.hi(1, VtdContextEntryLayout.AW_39_BIT));
        ram.set(LE, L3, VtdPageEntryLayout.entry(L2, true, true, false));
        ram.set(LE, L2, VtdPageEntryLayout.entry(L1, true, true, false));
        ram.set(LE, L1 + 8L * VtdPageEntryLayout.indexOf(IOVA, 1), VtdPageEntryLayout.entry(OLD, true, true, false));
        unit.write(RTADDR, 8, ROOT);
        unit.write(GCMD, 4, GCMD_SRTP);
        unit.write(GCMD, 4, GCMD_TE);
        assertEquals((GCMD_TE | GCMD_SRTP) & 0xFFFF_FFFFL, unit.read(GSTS, 4));
        return new Rig(unit, ram, lines, arena);
    }

    @Test
    void shouldSeeADirtyTableLineOnlyAfterSoftwareCleansItWhenWalksAreNotCoherent() {
        try (Rig r = rig(false)) {
            r.lines.dirty.put(L1 + 8L * VtdPageEntryLayout.indexOf(IOVA, 1), VtdPageEntryLayout.entry(NEW, true, true, false));
            assertEquals(OLD, r.unit.translate(DEVICE, IOVA, 8, Access.READ).physical(), "the walk read stale memory");
            assertTrue(r.lines.calls.stream().noneMatch(c -> c.startsWith("clean")), r.lines.calls.toString());
            assertTrue(r.lines.calls.contains("device read " + Long.toHexString(L1 + 8L * VtdPageEntryLayout.indexOf(IOVA, 1))),
                    "observers see each walk read: " + r.lines.calls);
            r.lines.cache.clean(L1, 4096); // what the kernel must do (clflush) before invalidating
            r.unit.write(iotlbOffset(DEFAULT_IRO), 8, IOTLB_IVT | ((long) IOTLB_GLOBAL << IOTLB_IIRG_SHIFT));
            assertEquals(NEW, r.unit.translate(DEVICE, IOVA, 8, Access.READ).physical());
        }
    }

    @Test
    void shouldSeeWhatTheCpuWroteWhenWalksAreCoherent() {
        try (Rig r = rig(true)) {
            r.lines.dirty.put(L1 + 8L * VtdPageEntryLayout.indexOf(IOVA, 1), VtdPageEntryLayout.entry(NEW, true, true, false));
            assertEquals(NEW, r.unit.translate(DEVICE, IOVA, 8, Access.READ).physical(), "the snoop wrote the dirty line back");
            assertTrue(r.lines.dirty.isEmpty());
        }
    }
}
