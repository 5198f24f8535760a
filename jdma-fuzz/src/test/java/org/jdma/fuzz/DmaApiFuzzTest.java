package org.jdma.fuzz;

import org.jdma.machine.dev.rogue.RogueDevice;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.CoherentBuffer;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.kernel.dma.debug.DmaDebug;
import org.jdma.kernel.dma.debug.DmaDebugCategory;
import org.jdma.kernel.dma.debug.DmaDebugReport;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.iommu.FlushQueue;
import org.jdma.kernel.mm.BuddyFrameAllocator;
import org.jdma.kernel.mm.Zone;
import org.jdma.machine.MachineConfig;
import org.jdma.spec.pci.RequesterId;
import org.jdma.kernel.dma.DmaMask;
import org.junit.jupiter.api.AfterAll;

/**
 * The DMA-mapping API's error contract under fuzzing: any sequence of calls with any arguments,
 * sensible (addresses and sizes of a real buffer, results of earlier calls) or not (negative or
 * huge sizes, direction NONE, addresses never mapped, masks of any value), returns or throws
 * {@link IllegalArgumentException} (bad argument) or {@link IllegalStateException} (attach of an
 * attached device), as {@link DmaApi} documents; anything else is a finding. After the device is
 * detached (which releases whatever it left mapped or allocated) the frame allocator has every
 * frame back that it had before the device was attached, the same blocks free, once the lazy
 * flush queue's timer has fired: a leak shows as missing frames.
 *
 * <p>Every call goes through the DMA-API checker ({@link DmaDebug}, a new one per input), and the
 * target keeps its own record of what the input has live (mapped and not unmapped, allocated and
 * not freed) to judge the reports: a call that releases what it mapped with the same size,
 * direction and entry count must not be reported; an unmap or free of a device address nothing is
 * live at must be reported ({@link DmaDebugCategory#FREE_NOT_ALLOCATED} or
 * {@link DmaDebugCategory#FREE_INVALID_ADDRESS}); a detach with something live must report the
 * leak ({@link DmaDebugCategory#LEAK_ON_DETACH}), one with nothing live must not. A release the
 * layer refuses (it throws) leaves what it names live. After a release with made-up arguments
 * returns at an address where the input has something live, what stays live there is not judged:
 * the checker forgets the entry that fits best, as Linux's does, and the layer releases what it
 * finds there. A sync is judged by what Linux's {@code check_sync} says of it: while the input has
 * nothing live, any sync must be reported as {@link DmaDebugCategory#SYNC_NOT_ALLOCATED}; a sync of
 * a live mapping or list that no other live thing of the input shares a start address with must
 * be reported for exactly the misuse it is (outside the mapping, against its direction), and a
 * right one not at all. Reports the record cannot judge (cache-line overlap of mappings of the
 * same bytes; syncs at addresses where several things start, or after a release with made-up
 * arguments) are allowed.
 *
 * <p>One kernel per IOMMU mode serves every input ({@link ReusedKernel}): booted on first use,
 * prepared before each input (a new IOMMU domain for the device, the bounce pool rewound).
 * {@link KernelReuseCompletenessTest} shows that an input sees the same there as on a kernel
 * booted for it.
 *
 * <p>Input: FuzzBytes fields; the first byte picks the IOMMU mode (off, strict, lazy, identity),
 * then each operation is a byte choosing the call and its argument fields (see the switch).
 * Regression inputs: {@code src/test/resources/org/jdma/fuzz/DmaApiFuzzTestInputs/<method>/}, the
 * hand-made ones written by {@code jdma-fuzz/seeds/dmaapi_seeds.py}.
 */
class DmaApiFuzzTest {

    private static final long MiB = 1L << 20;
    private static final int MAX_OPS = 48;
    /** "Any" sizes from here up to {@link #KEPT_SIZES_FROM} are folded below it (see {@link #size}). */
    private static final long FOLDED_SIZES_FROM = 1L << 20;
    private static final long KEPT_SIZES_FROM = 1L << 48;
    private static final DmaDirection[] DIRECTIONS = DmaDirection.values();
    /** The rogue device's requester: on the bus, in the DRHD's scope, not claimed by a kernel driver. */
    private static final RequesterId DEVICE = RogueDevice.slot(0);
    /** One kernel per IOMMU mode for the whole run, booted on first use. */
    private static final Map<IommuMode, ReusedKernel> KERNELS = new EnumMap<>(IommuMode.class);
    /**
     * No stacks, neither of the calls that map nor of the calls a report is about: reports are
     * judged by category here, and capturing a stack per call or per report would set the pace.
     */
    private static final DmaDebug.Options CHECKER = new DmaDebug.Options(false, DmaDebug.DEFAULT_CACHELINE_CAPACITY, 0);
    private static final Set<DmaDebugCategory> NOT_LIVE = EnumSet.of(DmaDebugCategory.FREE_NOT_ALLOCATED, DmaDebugCategory.FREE_INVALID_ADDRESS);
    /**
     * What the checker says of a wrong unmap or free (Linux's checks 1-7). Not FREE_WHILE_MAPPED: a
     * right free of a coherent allocation that a streaming mapping of the input covers is refused,
     * and reported as that.
     */
    private static final Set<DmaDebugCategory> WRONG_RELEASE = EnumSet.range(DmaDebugCategory.FREE_INVALID_ADDRESS,
            DmaDebugCategory.FREE_DIRECTION_MISMATCH);
    /** What the checker says of a sync (Linux's {@code check_sync}). */
    private static final Set<DmaDebugCategory> SYNC = EnumSet.range(DmaDebugCategory.SYNC_NOT_ALLOCATED,
            DmaDebugCategory.SYNC_SG_COUNT_MISMATCH);

    static MachineConfig config() {
        return MachineConfig.defaults()
                .withRam(List.of(new MachineConfig.Ram("low", 0, 64 * MiB), new MachineConfig.Ram("high", 4 * MachineConfig.GiB, 64 * MiB)))
                .withDevice(RogueDevice.spec(0));
    }

    /** A kernel booted in {@code mode} for this target (its buffers and bounce pool taken). */
    static ReusedKernel boot(IommuMode mode) {
        return new ReusedKernel(config(), mode, DEVICE);
    }

    @AfterAll
    static void closeKernels() {
        KERNELS.values().forEach(ReusedKernel::close);
        KERNELS.clear();
    }

    private record Single(long dma, long size, DmaDirection direction, boolean page) { }

    /** A live scatterlist: the first {@code mapped} entries carry its device segments. */
    private record Sg(ScatterList list, int nents, int mapped, DmaDirection direction) { }

    @FuzzTest(maxDuration = "10m")
    void mappingApiThrowsOnlyDocumentedErrorsAndLeaksNothing(byte[] input) {
        try {
            run(mode -> KERNELS.computeIfAbsent(mode, DmaApiFuzzTest::boot), input, Outcome.IGNORED);
        } catch (Throwable finding) {
            // An input that broke the contract may have left its device attached or frames taken:
            // the next input gets newly booted kernels rather than a wrong start.
            try {
                closeKernels();
            } catch (RuntimeException e) {
                finding.addSuppressed(e);
                KERNELS.clear();
            }
            throw finding;
        }
    }

    /**
     * Runs one input on the kernel {@code kernels} gives for its mode, recording in {@code out}
     * what each call returned or threw and the free frames at the end.
     */
    static void run(Function<IommuMode, ReusedKernel> kernels, byte[] input, Outcome out) {
        FuzzBytes data = new FuzzBytes(input);
        IommuMode mode = IommuMode.values()[data.choice(IommuMode.values().length)];
        ReusedKernel reused = kernels.apply(mode);
        Kernel k = reused.prepare();
        DmaMappingLayer dma = k.mappingLayer();
        long buffer = reused.buffer(data.choice(2) == 0 ? Zone.NORMAL : Zone.DMA32);
        DmaDevice device = new DmaDevice("fuzzdev", DEVICE, data.choice(2) == 0);
        List<BuddyFrameAllocator.Block> freeBefore = reused.freeBlocks();
        DmaDebug checker = DmaDebug.wrap(dma, CHECKER);
        try {
            Calls calls = new Calls(checker, dma, device, buffer, out);
            checker.addListener(calls.reports::add);
            checker.attach(device);
            for (int op = 0; op < MAX_OPS && !data.exhausted(); op++) {
                calls.reports.clear();
                try {
                    calls.step(data);
                    calls.judge();
                } catch (IllegalArgumentException | IllegalStateException documented) {
                    // The two exceptions DmaApi allows for bad arguments and double attach.
                    out.add("threw", documented);
                    calls.judgeThrown();
                }
            }
            calls.reports.clear();
            if (dma.isAttached(device)) {
                calls.detach();
                calls.judge();
            }
            Harness.check(checker.liveMappings(device).isEmpty(), () -> "after detach (" + mode + "): the checker still holds "
                    + checker.liveMappings(device));
        } finally {
            checker.close();
        }
        // Lazy mode frees unmapped IOVAs and emptied table pages when the flush queue's timer
        // fires: let it (virtual time) before counting.
        reused.machine().clock().runFor(2 * FlushQueue.DEFAULT_TIMEOUT_NS);
        long bounceSlots = dma.swiotlb().usedSlots();
        Harness.check(bounceSlots == 0, () -> "after detach (" + mode + "): " + bounceSlots + " bounce slots still in use");
        List<BuddyFrameAllocator.Block> freeAfter = reused.freeBlocks();
        out.add("free frames", k.frames().stats().freeFrames());
        Harness.check(freeAfter.equals(freeBefore), () -> "after detach (" + mode + "): "
                + (freeBefore.stream().mapToLong(BuddyFrameAllocator.Block::bytes).sum()
                - freeAfter.stream().mapToLong(BuddyFrameAllocator.Block::bytes).sum()) / 4096
                + " frames not returned; free blocks before " + freeBefore + ", after " + freeAfter
                + "; where the missing ones went: " + whereTaken(k, freeBefore, freeAfter));
    }

    /** For each block free before and not after: who owns its first frame now, and what maps it. */
    private static String whereTaken(Kernel k, List<BuddyFrameAllocator.Block> before, List<BuddyFrameAllocator.Block> after) {
        return before.stream().filter(b -> !after.contains(b))
                .map(b -> b + ": " + k.memory().ownerAt(b.physical()) + ", " + k.memory().pins().find(b.physical(), b.bytes()))
                .toList().toString();
    }

    /** The calls of one input: the device, its buffer, what it has mapped so far, where results go. */
    private static final class Calls {
        /** The checker in front of the layer: every call goes to it. */
        private final DmaDebug checker;
        private final DmaApi dma;
        private final DmaMappingLayer layer;
        private final DmaDevice device;
        private final long buffer;
        private final Outcome out;
        private final List<Single> singles = new ArrayList<>();
        private final List<CoherentBuffer> coherent = new ArrayList<>();
        private final List<Sg> sgs = new ArrayList<>();
        /**
         * Device addresses at which a release with wrong arguments returned normally while the input
         * had something live there: the checker then forgets the entry that fits best (as Linux's
         * does) and the layer releases what it finds, so what stays live there is not the record's
         * to say. What the input has live at these addresses is not judged.
         */
        private final Set<Long> uncertain = new java.util.HashSet<>();
        /** What the checker reported during the current call. */
        final List<DmaDebugReport> reports = new ArrayList<>();
        /** What the current call must or must not be reported for (see {@link #judge}). */
        private Expect expect = Expect.ANYTHING;
        private String call = "";

        /** The sync reports the current call must get, exactly, when {@link #expect} is SYNC. */
        private final Set<DmaDebugCategory> syncReports = EnumSet.noneOf(DmaDebugCategory.class);

        private enum Expect { ANYTHING, NO_RELEASE_REPORT, NOT_LIVE, LEAK, NO_LEAK, SYNC }

        Calls(DmaDebug checker, DmaMappingLayer layer, DmaDevice device, long buffer, Outcome out) {
            this.checker = checker;
            this.dma = checker;
            this.layer = layer;
            this.device = device;
            this.buffer = buffer;
            this.out = out;
        }

        void step(FuzzBytes data) {
            expect = Expect.ANYTHING;
            switch (data.choice(12)) {
                case 0 -> out.add("setMask", dma.setMask(device, mask(data)));
                case 1 -> out.add("setCoherentMask", dma.setCoherentMask(device, mask(data)));
                case 2 -> {
                    CoherentBuffer b = dma.allocCoherent(device, size(data));
                    out.add("allocCoherent", b);
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
                        CoherentBuffer b = coherent.get(i % coherent.size());
                        expectReleaseOf(b.dmaAddress(), "freeCoherent of a live allocation");
                        dma.freeCoherent(device, b.size(), b.physical(), b.dmaAddress());
                        coherent.remove(b); // only once the layer took it: a refused free leaves it live
                    } else {
                        long size = size(data);
                        long physical = address(data, buffer);
                        long bus = data.u64();
                        expectNotLiveUnless(isLive(bus), "freeCoherent of " + Long.toHexString(bus));
                        dma.freeCoherent(device, size, physical, bus);
                        releasedWithWrongArguments(bus);
                    }
                }
                case 4, 5 -> {
                    boolean page = data.choice(2) == 0;
                    long phys = address(data, buffer);
                    long size = size(data);
                    DmaDirection dir = direction(data);
                    long bus = page ? dma.mapPage(device, phys & ~0xFFFL, phys & 0xFFF, size, dir, attrs(data))
                            : dma.mapSingle(device, phys, size, dir, attrs(data));
                    out.add("map", bus);
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
                        Single s = singles.get(i % singles.size());
                        expectReleaseOf(s.dma(), "unmap of a live mapping");
                        if (s.page()) {
                            dma.unmapPage(device, s.dma(), s.size(), s.direction(), attrs);
                        } else {
                            dma.unmapSingle(device, s.dma(), s.size(), s.direction(), attrs);
                        }
                        singles.remove(s);
                    } else {
                        long bus = data.u64();
                        long size = size(data);
                        DmaDirection dir = direction(data);
                        Set<DmaAttr> attrs = attrs(data);
                        expectNotLiveUnless(isLive(bus), "unmapSingle of " + Long.toHexString(bus));
                        dma.unmapSingle(device, bus, size, dir, attrs);
                        releasedWithWrongArguments(bus);
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
                    out.add("mapSg", mapped);
                    if (out.records()) {
                        for (ScatterList.Entry e : sg.entries()) {
                            out.add("segment", Long.toHexString(e.dmaAddress()) + "+" + e.dmaLength());
                        }
                    }
                    if (mapped > 0) {
                        sgs.add(new Sg(sg, nents, mapped, dir));
                    }
                }
                case 8 -> {
                    int i = data.u8();
                    int bogusNents = data.choice(4) == 0 ? data.u8() - 128 : Integer.MIN_VALUE;
                    Set<DmaAttr> attrs = attrs(data);
                    if (!sgs.isEmpty()) {
                        Sg s = sgs.get(i % sgs.size());
                        if (bogusNents == Integer.MIN_VALUE) {
                            boolean sure = s.list().entries().stream().noneMatch(e -> uncertain.contains(e.dmaAddress()));
                            expect(sure ? Expect.NO_RELEASE_REPORT : Expect.ANYTHING, "unmapSg of a live list");
                        }
                        dma.unmapSg(device, s.list(), bogusNents == Integer.MIN_VALUE ? s.nents() : bogusNents, s.direction(), attrs);
                        // A wrong count the layer accepts still unmaps the list, and the checker forgets all its segments.
                        sgs.remove(s);
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
                    boolean forCpu = data.choice(2) == 0;
                    long size = size(data);
                    DmaDirection dir = direction(data);
                    expectSingleSync(bus, size, dir, forCpu);
                    if (forCpu) {
                        dma.syncSingleForCpu(device, bus, size, dir);
                    } else {
                        dma.syncSingleForDevice(device, bus, size, dir);
                    }
                }
                case 10 -> {
                    int i = data.u8();
                    boolean forCpu = data.choice(2) == 0;
                    DmaDirection dir = direction(data);
                    if (!sgs.isEmpty()) {
                        Sg s = sgs.get(i % sgs.size());
                        expectSgSync(s, dir, forCpu);
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
                    if (detach && layer.isAttached(device)) {
                        detach();
                    } else {
                        dma.attach(device);
                    }
                }
            }
        }

        /** Detaches the device: everything live is released, and the checker must say whether anything was. */
        void detach() {
            boolean live = !singles.isEmpty() || !coherent.isEmpty() || !sgs.isEmpty();
            boolean certainlyLive = singles.stream().anyMatch(x -> !uncertain.contains(x.dma()))
                    || coherent.stream().anyMatch(c -> !uncertain.contains(c.dmaAddress()))
                    || sgs.stream().anyMatch(g -> g.list().entries().stream().noneMatch(e -> uncertain.contains(e.dmaAddress())));
            expect(certainlyLive ? Expect.LEAK : live ? Expect.ANYTHING : Expect.NO_LEAK, "detach with " + singles.size()
                    + " mappings, " + sgs.size() + " lists and " + coherent.size() + " coherent allocations live");
            dma.detach(device);
            singles.clear();
            coherent.clear();
            sgs.clear();
            uncertain.clear();
        }

        /** A correct release of what the input has live at {@code bus}: judged unless a wrong release there made it {@link #uncertain}. */
        private void expectReleaseOf(long bus, String what) {
            expect(uncertain.contains(bus) ? Expect.ANYTHING : Expect.NO_RELEASE_REPORT, what);
        }

        /** A release with made-up arguments returned: if something of the input was live at {@code bus}, it may be gone. */
        private void releasedWithWrongArguments(long bus) {
            if (isLive(bus)) {
                uncertain.add(bus);
            }
        }

        private void expect(Expect e, String what) {
            expect = e;
            call = what;
        }

        /** A release of {@code bus} must be reported unless something the input has live starts there. */
        private void expectNotLiveUnless(boolean live, String what) {
            expect(live ? Expect.ANYTHING : Expect.NOT_LIVE, what);
        }

        /**
         * What a sync of [bus, +size) must be reported for. With nothing live, whatever the address:
         * not allocated. At the start of a live mapping that nothing else of the input starts at
         * (the checker then finds that mapping's entry): outside its range when longer, and its
         * direction checks. Anything else (an address inside a mapping or among several, a
         * coherent allocation, an uncertain record) is not judged.
         */
        private void expectSingleSync(long bus, long size, DmaDirection dir, boolean forCpu) {
            if (!uncertain.isEmpty()) {
                return;
            }
            if (singles.isEmpty() && coherent.isEmpty() && sgs.isEmpty()) {
                expectSync(EnumSet.of(DmaDebugCategory.SYNC_NOT_ALLOCATED), "sync of " + Long.toHexString(bus) + " with nothing live");
                return;
            }
            if (startsAt(bus) != 1) {
                return;
            }
            singles.stream().filter(s -> s.dma() == bus).findFirst().ifPresent(s -> {
                Set<DmaDebugCategory> want = syncDirectionReports(s.direction(), dir, forCpu);
                if (size > s.size()) {
                    want.add(DmaDebugCategory.SYNC_OUT_OF_RANGE);
                }
                expectSync(want, (forCpu ? "syncSingleForCpu " : "syncSingleForDevice ") + dir + " of " + size + " bytes of " + s);
            });
        }

        /**
         * What a sync of a live list with its own entry count must be reported for, when each of its
         * device segments starts where nothing else of the input does: its direction checks only.
         */
        private void expectSgSync(Sg s, DmaDirection dir, boolean forCpu) {
            if (!uncertain.isEmpty()) {
                return;
            }
            for (int i = 0; i < s.mapped() && i < s.list().size(); i++) {
                if (startsAt(s.list().get(i).dmaAddress()) != 1) {
                    return;
                }
            }
            expectSync(syncDirectionReports(s.direction(), dir, forCpu), (forCpu ? "syncSgForCpu " : "syncSgForDevice ") + dir
                    + " of a list mapped " + s.direction());
        }

        /** Linux's direction checks of a sync: none for a BIDIRECTIONAL mapping. */
        private static Set<DmaDebugCategory> syncDirectionReports(DmaDirection mapped, DmaDirection synced, boolean forCpu) {
            Set<DmaDebugCategory> want = EnumSet.noneOf(DmaDebugCategory.class);
            if (mapped == DmaDirection.BIDIRECTIONAL) {
                return want;
            }
            if (synced != mapped) {
                want.add(DmaDebugCategory.SYNC_DIRECTION_MISMATCH);
            }
            if (forCpu && mapped != DmaDirection.FROM_DEVICE && synced != DmaDirection.TO_DEVICE) {
                want.add(DmaDebugCategory.SYNC_READ_ONLY_FOR_CPU);
            }
            if (!forCpu && mapped != DmaDirection.TO_DEVICE && synced != DmaDirection.FROM_DEVICE) {
                want.add(DmaDebugCategory.SYNC_WRITE_ONLY_TO_DEVICE);
            }
            return want;
        }

        private void expectSync(Set<DmaDebugCategory> reports, String what) {
            syncReports.clear();
            syncReports.addAll(reports);
            expect(Expect.SYNC, what);
        }

        /** How many live mappings, list entries and coherent allocations of the input start at device address {@code bus}. */
        private long startsAt(long bus) {
            return singles.stream().filter(s -> s.dma() == bus).count()
                    + coherent.stream().filter(c -> c.dmaAddress() == bus).count()
                    + sgs.stream().flatMap(g -> g.list().entries().stream()).filter(e -> e.dmaAddress() == bus).count();
        }

        /** Whether a live mapping, list segment or coherent allocation of the input starts at device address {@code bus}. */
        private boolean isLive(long bus) {
            return singles.stream().anyMatch(s -> s.dma() == bus) || coherent.stream().anyMatch(c -> c.dmaAddress() == bus)
                    || sgs.stream().anyMatch(g -> g.list().entries().stream().anyMatch(e -> e.dmaAddress() == bus));
        }

        /**
         * The reports of a call that returned, against what the input's record says of it. A
         * checker that disabled itself (its cache-line tracker full, check 24) says nothing more,
         * as Linux's: then there is nothing to judge.
         */
        void judge() {
            if (checker.disabled()) {
                return;
            }
            switch (expect) {
                case ANYTHING -> { }
                case NO_RELEASE_REPORT -> Harness.check(reports.stream().noneMatch(r -> WRONG_RELEASE.contains(r.category())),
                        () -> call + " was reported: " + reports);
                case NOT_LIVE -> Harness.check(reports.stream().anyMatch(r -> NOT_LIVE.contains(r.category())),
                        () -> call + ", where nothing is live, was not reported as such: " + reports);
                case LEAK -> Harness.check(reports.stream().anyMatch(r -> r.category() == DmaDebugCategory.LEAK_ON_DETACH),
                        () -> call + ": no leak reported: " + reports);
                case NO_LEAK -> Harness.check(reports.stream().noneMatch(r -> r.category() == DmaDebugCategory.LEAK_ON_DETACH),
                        () -> call + ": a leak reported: " + reports);
                case SYNC -> {
                    Set<DmaDebugCategory> got = EnumSet.noneOf(DmaDebugCategory.class);
                    reports.stream().map(DmaDebugReport::category).filter(SYNC::contains).forEach(got::add);
                    Harness.check(got.equals(syncReports), () -> call + ": reported " + got + ", expected exactly " + syncReports
                            + ": " + reports);
                }
            }
        }

        /**
         * The reports of a call that threw a documented error: the argument checks of the checker
         * run before the layer's, so a refused release of something live still must not be reported,
         * and a sync the layer refuses is checked all the same.
         */
        void judgeThrown() {
            if (expect == Expect.NO_RELEASE_REPORT || expect == Expect.NO_LEAK || expect == Expect.SYNC) {
                judge();
            }
        }
    }

    /** Mostly a mask of n bits, as drivers pass them; sometimes any value at all (0 is refused by DmaMask). */
    private static DmaMask mask(FuzzBytes data) {
        int bits = data.u8();
        return bits <= 64 ? DmaMask.bits(Math.max(bits, 1)) : DmaMask.of(data.u64());
    }

    /**
     * Mostly up to 128 KiB (around the bounce and segment limits), sometimes any value, except that
     * values from 1 MiB up to 2^48 are folded below 1 MiB: through an IOMMU a mapping writes one
     * page-table entry per 4 KiB page, so a mapping of gigabytes takes seconds (the campaign's slow
     * inputs, docs/FUZZING.md) and would set the pace of the whole run. Values of 2^48 and more
     * (beyond every IOMMU address width; negative ones too) are kept for the overflow and mask paths.
     */
    private static long size(FuzzBytes data) {
        if (data.choice(8) != 0) {
            return data.u16() * 2L;
        }
        long any = data.u64();
        return any >= FOLDED_SIZES_FROM && any < KEPT_SIZES_FROM ? any & (FOLDED_SIZES_FROM - 1) : any;
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
}
