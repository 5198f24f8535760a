package org.jdma.fuzz;

import org.jdma.machine.dev.rogue.RogueDevice;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.CoherentBuffer;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.iommu.FlushQueue;
import org.jdma.kernel.mm.Zone;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.spec.pci.RequesterId;
import org.jdma.kernel.dma.DmaMask;

/**
 * The DMA-mapping API's error contract under fuzzing: any sequence of calls with any arguments,
 * sensible (addresses and sizes of a real buffer, results of earlier calls) or not (negative or
 * huge sizes, direction NONE, addresses never mapped, masks of any value), returns or throws
 * {@link IllegalArgumentException} (bad argument) or {@link IllegalStateException} (attach of an
 * attached device), as {@link DmaApi} documents; anything else is a finding. After the device is
 * detached (which releases whatever it left mapped or allocated) the frame allocator has every
 * frame back that it had before the device was attached, once the lazy flush queue's timer has
 * fired: a leak shows as missing frames.
 *
 * <p>Input: FuzzBytes fields; the first byte picks the IOMMU mode (off, strict, lazy, identity),
 * then each operation is a byte choosing the call and its argument fields (see the switch).
 * Regression inputs: {@code src/test/resources/org/jdma/fuzz/DmaApiFuzzTestInputs/<method>/}, the
 * hand-made ones written by {@code jdma-fuzz/seeds/dmaapi_seeds.py}.
 */
class DmaApiFuzzTest {

    private static final long MiB = 1L << 20;
    private static final int MAX_OPS = 48;
    private static final long BUFFER = 64 * 1024;
    private static final DmaDirection[] DIRECTIONS = DmaDirection.values();
    /** The rogue device's requester: on the bus, in the DRHD's scope, not claimed by a kernel driver. */
    private static final RequesterId DEVICE = RogueDevice.slot(0);

    static MachineConfig config() {
        return MachineConfig.defaults()
                .withRam(List.of(new MachineConfig.Ram("low", 0, 64 * MiB), new MachineConfig.Ram("high", 4 * MachineConfig.GiB, 64 * MiB)))
                .withDevice(RogueDevice.spec(0));
    }

    private record Single(long dma, long size, DmaDirection direction, boolean page) { }

    private record Sg(ScatterList list, int nents, DmaDirection direction) { }

    @FuzzTest(maxDuration = "10m")
    void mappingApiThrowsOnlyDocumentedErrorsAndLeaksNothing(byte[] input) {
        FuzzBytes data = new FuzzBytes(input);
        IommuMode mode = IommuMode.values()[data.choice(IommuMode.values().length)];
        try (Machine m = new Machine(config()); Kernel k = Kernel.boot(m, Kernel.Options.DEFAULTS.withIommu(mode))) {
            DmaMappingLayer dma = k.mappingLayer();
            long buffer = k.frames().allocateBytes(BUFFER, data.choice(2) == 0 ? Zone.NORMAL : Zone.DMA32);
            DmaDevice device = new DmaDevice("fuzzdev", DEVICE, data.choice(2) == 0);
            dma.swiotlb(); // the bounce pool is allocated on first use: take it before counting frames
            long freeBefore = k.frames().stats().freeFrames();
            dma.attach(device);
            List<Single> singles = new ArrayList<>();
            List<CoherentBuffer> coherent = new ArrayList<>();
            List<Sg> sgs = new ArrayList<>();
            for (int op = 0; op < MAX_OPS && !data.exhausted(); op++) {
                try {
                    step(data, dma, device, buffer, singles, coherent, sgs);
                } catch (IllegalArgumentException | IllegalStateException documented) {
                    // The two exceptions DmaApi allows for bad arguments and double attach.
                }
            }
            if (dma.isAttached(device)) {
                dma.detach(device);
            }
            // Lazy mode frees unmapped IOVAs and emptied table pages when the flush queue's timer
            // fires: let it (virtual time) before counting.
            m.clock().runFor(2 * FlushQueue.DEFAULT_TIMEOUT_NS);
            long freeAfter = k.frames().stats().freeFrames();
            check(freeAfter == freeBefore, "after detach (" + mode + "): " + (freeBefore - freeAfter) + " frames not returned");
        }
    }

    private static void step(FuzzBytes data, DmaMappingLayer dma, DmaDevice device, long buffer,
            List<Single> singles, List<CoherentBuffer> coherent, List<Sg> sgs) {
        switch (data.choice(12)) {
            case 0 -> dma.setMask(device, mask(data));
            case 1 -> dma.setCoherentMask(device, mask(data));
            case 2 -> {
                CoherentBuffer b = dma.allocCoherent(device, size(data));
                if (b != null) {
                    coherent.add(b);
                }
            }
            case 3 -> {
                // Every field is read whatever the state, so that an input means the same calls
                // however earlier calls went.
                if (data.choice(4) != 0) {
                    int i = data.u8();
                    if (coherent.isEmpty()) {
                        return;
                    }
                    CoherentBuffer b = coherent.remove(i % coherent.size());
                    dma.freeCoherent(device, b.size(), b.physical(), b.dmaAddress());
                } else {
                    dma.freeCoherent(device, size(data), address(data, buffer), data.u64());
                }
            }
            case 4, 5 -> {
                boolean page = data.choice(2) == 0;
                long phys = address(data, buffer);
                long size = size(data);
                DmaDirection dir = direction(data);
                long bus = page ? dma.mapPage(device, phys & ~0xFFFL, phys & 0xFFF, size, dir, attrs(data))
                        : dma.mapSingle(device, phys, size, dir, attrs(data));
                if (!dma.mappingError(device, bus)) {
                    singles.add(new Single(bus, size, dir, page));
                }
            }
            case 6 -> {
                if (data.choice(4) != 0) {
                    int i = data.u8();
                    Set<DmaAttr> attrs = attrs(data);
                    if (singles.isEmpty()) {
                        return;
                    }
                    Single s = singles.remove(i % singles.size());
                    if (s.page()) {
                        dma.unmapPage(device, s.dma(), s.size(), s.direction(), attrs);
                    } else {
                        dma.unmapSingle(device, s.dma(), s.size(), s.direction(), attrs);
                    }
                } else {
                    dma.unmapSingle(device, data.u64(), size(data), direction(data), attrs(data));
                }
            }
            case 7 -> {
                ScatterList sg = new ScatterList();
                int entries = data.choice(9);
                for (int i = 0; i < entries; i++) {
                    sg.add(address(data, buffer), size(data));
                }
                int nents = data.choice(4) == 0 ? data.u8() - 128 : sg.size();
                DmaDirection dir = direction(data);
                int mapped = dma.mapSg(device, sg, nents, dir, attrs(data));
                if (mapped > 0) {
                    sgs.add(new Sg(sg, nents, dir));
                }
            }
            case 8 -> {
                int i = data.u8();
                int bogusNents = data.choice(4) == 0 ? data.u8() - 128 : Integer.MIN_VALUE;
                Set<DmaAttr> attrs = attrs(data);
                if (!sgs.isEmpty()) {
                    Sg s = sgs.remove(i % sgs.size());
                    dma.unmapSg(device, s.list(), bogusNents == Integer.MIN_VALUE ? s.nents() : bogusNents, s.direction(), attrs);
                }
            }
            case 9 -> {
                long bus;
                if (data.choice(2) == 0) {
                    int i = data.u8();
                    bus = singles.isEmpty() ? 0 : singles.get(i % singles.size()).dma();
                } else {
                    bus = data.u64();
                }
                if (data.choice(2) == 0) {
                    dma.syncSingleForCpu(device, bus, size(data), direction(data));
                } else {
                    dma.syncSingleForDevice(device, bus, size(data), direction(data));
                }
            }
            case 10 -> {
                int i = data.u8();
                boolean forCpu = data.choice(2) == 0;
                DmaDirection dir = direction(data);
                if (!sgs.isEmpty()) {
                    Sg s = sgs.get(i % sgs.size());
                    if (forCpu) {
                        dma.syncSgForCpu(device, s.list(), s.nents(), dir);
                    } else {
                        dma.syncSgForDevice(device, s.list(), s.nents(), dir);
                    }
                }
            }
            default -> {
                // Detach (everything live is released) and, maybe, attach again.
                boolean detach = data.choice(2) == 0;
                if (detach && dma.isAttached(device)) {
                    dma.detach(device);
                    singles.clear();
                    coherent.clear();
                    sgs.clear();
                } else {
                    dma.attach(device);
                }
            }
        }
    }

    /** Mostly a mask of n bits, as drivers pass them; sometimes any value at all (0 is refused by DmaMask). */
    private static DmaMask mask(FuzzBytes data) {
        int bits = data.u8();
        return bits <= 64 ? DmaMask.bits(Math.max(bits, 1)) : DmaMask.of(data.u64());
    }

    /** Mostly up to 128 KiB (around the bounce and segment limits), sometimes any value. */
    private static long size(FuzzBytes data) {
        return data.choice(8) == 0 ? data.u64() : data.u16() * 2L;
    }

    /** Mostly inside the test's buffer, sometimes anywhere. */
    private static long address(FuzzBytes data, long buffer) {
        return data.choice(8) == 0 ? data.u64() : buffer + data.u16();
    }

    private static DmaDirection direction(FuzzBytes data) {
        return DIRECTIONS[data.choice(DIRECTIONS.length)];
    }

    private static Set<DmaAttr> attrs(FuzzBytes data) {
        EnumSet<DmaAttr> s = EnumSet.noneOf(DmaAttr.class);
        int bits = data.u8();
        for (DmaAttr a : DmaAttr.values()) {
            if ((bits & 1 << a.ordinal()) != 0) {
                s.add(a);
            }
        }
        return s;
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
