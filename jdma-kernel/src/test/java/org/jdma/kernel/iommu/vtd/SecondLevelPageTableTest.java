package org.jdma.kernel.iommu.vtd;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.jdma.kernel.mm.BuddyFrameAllocator;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecondLevelPageTableTest {

    private static final long K4 = 4096;
    private static final long M2 = 2L << 20;
    private static final long G1 = 1L << 30;

    private final Machine machine = TestMachines.ramOnly();
    private final BuddyFrameAllocator frames = BuddyFrameAllocator.fromMemoryMap(machine.memoryMap());
    private final TableMemory memory = new TableMemory(machine.cpu(), frames, true);

    @AfterEach
    void close() {
        machine.close();
    }

    private SecondLevelPageTable table(int levels, boolean twoM, boolean oneG) {
        return new SecondLevelPageTable(memory, levels, twoM, oneG);
    }

    /**
     * Runs {@code nested} inside the {@code n}th CPU RAM access from now, as other CPUs' work runs
     * while a CPU waits for a bus an ISA DMA transfer holds.
     */
    private void nestInRamAccess(int n, Runnable nested) {
        int[] left = {n};
        machine.processors().memoryBusGate(() -> {
            if (--left[0] == 0) {
                nested.run();
            }
            return 0;
        });
    }

    @Test
    void shouldKeepAMappingMadeNearbyWhileAnotherMapHungItsNewTable() {
        // The nested map, in the same 2 MiB, runs in each of the outer map's first RAM accesses in
        // turn: in those between its read of the empty level-2 slot and its store (the new table's
        // fill, the store's own wait) it hangs its table and leaf first.
        for (int access = 1; access <= 6; access++) {
            SecondLevelPageTable u = table(3, false, false);
            nestInRamAccess(access, () -> u.map(0x20_1000, 0x9000, K4, true, true));
            u.map(0x20_0000, 0x8000, K4, true, true);
            machine.processors().memoryBusGate(null);
            int at = access;
            assertEquals(OptionalLong.of(0x8000), SoftwareWalker.walk(machine.cpu(), u.root(), 3, 0x20_0000, true), () -> "outer, nested at access " + at);
            assertEquals(OptionalLong.of(0x9000), SoftwareWalker.walk(machine.cpu(), u.root(), 3, 0x20_1000, true), () -> "nested, at access " + at);
            assertEquals(3, u.tablePages(), () -> "root, one level-2 and one level-1 table, nested at access " + at);
            u.destroy();
        }
        assertEquals(0, memory.pagesInUse(), "every table page back, the loser's included");
    }

    @Test
    void shouldKeepAMapNestedInTheReleaseOfTheTableItNeeds() {
        // The unmap clears the leaf, finds the level-1 table empty and clears its entry in the
        // parent; the nested map runs in each RAM access of the unmap in turn, that store's wait
        // included, and hangs a fresh table where it finds the one being released (the loop ends
        // at the first access number the unmap no longer reaches).
        for (int access = 1; ; access++) {
            SecondLevelPageTable u = table(3, false, false);
            u.map(0x20_0000, 0x8000, K4, true, true);
            boolean[] ran = {false};
            nestInRamAccess(access, () -> {
                ran[0] = true;
                u.map(0x20_1000, 0x9000, K4, true, true);
            });
            List<Long> released = u.unmap(0x20_0000, K4);
            machine.processors().memoryBusGate(null);
            released.forEach(memory::freePage);
            if (!ran[0]) {
                assertTrue(access > 6, "the unmap reads the leaf, clears it, walks to it again and unlinks two tables");
                u.destroy();
                break;
            }
            int at = access;
            assertEquals(OptionalLong.empty(), SoftwareWalker.walk(machine.cpu(), u.root(), 3, 0x20_0000, false), () -> "unmapped, nested at " + at);
            assertEquals(OptionalLong.of(0x9000), SoftwareWalker.walk(machine.cpu(), u.root(), 3, 0x20_1000, true), () -> "nested map kept, at " + at);
            assertEquals(OptionalLong.of(0x9000), u.translate(0x20_1000), () -> "and the kernel's view agrees, at " + at);
            u.destroy();
        }
    }

    @ParameterizedTest(name = "leaf table remembered: {0}")
    @ValueSource(booleans = {true, false})
    void shouldMapIntoAFreshTableWhenAnUnmapNestedInTheMapReleasedTheOneItWalkedTo(boolean remembered) {
        // The outer map goes to the level-1 table that holds 0x20_0000's leaf: straight to it when
        // it is the table remembered last, else by a walk from the root (a map in another GiB was
        // the last). The nested work, run in each of the map's RAM accesses in turn (as another
        // CPU's unmap in a bus wait), unmaps that leaf, which empties the level-1 table and its
        // parent, frees what it released at once (as a strict unmap does after its invalidation)
        // and lets another domain take the freed pages as its tables. The map must neither write
        // into a released table nor count an entry in one, nor fail (the loop ends at the first
        // access the map no longer reaches).
        for (int access = 1; ; access++) {
            SecondLevelPageTable u = table(3, false, false);
            SecondLevelPageTable other = table(3, false, false);
            u.map(0x20_0000, 0x8000, K4, true, true);
            if (!remembered) {
                u.map(0x4000_0000L, 0xB000, K4, true, true);
            }
            boolean[] ran = {false};
            nestInRamAccess(access, () -> {
                ran[0] = true;
                u.unmap(0x20_0000, K4).forEach(memory::freePage);
                other.map(0x7000_0000L, 0xA000, K4, true, true);
            });
            u.map(0x20_1000, 0x9000, K4, true, true);
            machine.processors().memoryBusGate(null);
            int at = access;
            assertEquals(OptionalLong.of(0x9000), SoftwareWalker.walk(machine.cpu(), u.root(), 3, 0x20_1000, true), () -> "outer map, nested at " + at);
            assertEquals(OptionalLong.of(0x9000), u.translate(0x20_1000), () -> "and the kernel's view agrees, at " + at);
            if (ran[0]) {
                assertEquals(OptionalLong.empty(), SoftwareWalker.walk(machine.cpu(), u.root(), 3, 0x20_0000, false), () -> "unmapped, at " + at);
                assertEquals(OptionalLong.of(0xA000), SoftwareWalker.walk(machine.cpu(), other.root(), 3, 0x7000_0000L, true),
                        () -> "the other domain's tables were not written through a stale pointer, at " + at);
                assertEquals(OptionalLong.empty(), SoftwareWalker.walk(machine.cpu(), other.root(), 3, 0x7000_1000L, false),
                        () -> "no entry of the outer map landed in the other domain's tables, at " + at);
            }
            u.unmap(0x20_1000, K4).forEach(memory::freePage);
            u.destroy();
            other.destroy();
            assertEquals(0, memory.pagesInUse(), () -> "every table page back, nested at " + at);
            if (!ran[0]) {
                assertTrue(access > (remembered ? 2 : 4), "the map reads the leaf slot (after a walk of three levels "
                        + "when the table is not remembered) and stores its leaf; reached " + (access - 1));
                break;
            }
        }
    }

    @Test
    void shouldMapFourKilobytePagesThatTheSpecWalkFinds() {
        SecondLevelPageTable t = table(3, true, true);
        t.map(0x10_0000, 0x20_3000, 3 * K4, true, false);
        for (int i = 0; i < 3; i++) {
            long iova = 0x10_0000 + i * K4 + 0x123;
            assertEquals(OptionalLong.of(0x20_3000 + i * K4 + 0x123), SoftwareWalker.walk(machine.cpu(), t.root(), 3, iova, false));
            assertEquals(OptionalLong.empty(), SoftwareWalker.walk(machine.cpu(), t.root(), 3, iova, true), "read-only page must not allow writes");
            assertEquals(OptionalLong.of(0x20_3000 + i * K4 + 0x123), t.translate(iova));
        }
        assertEquals(OptionalLong.empty(), t.translate(0x10_0000 + 3 * K4));
        assertEquals(1, SoftwareWalker.leafLevel(machine.cpu(), t.root(), 3, 0x10_0000));
    }

    @Test
    void shouldUseTwoMegabyteLeavesWhereBothAddressesAreAligned() {
        SecondLevelPageTable t = table(3, true, false);
        t.map(0x4000_0000L + M2, 0x60_0000, 2 * M2 + K4, true, true);
        assertEquals(2, SoftwareWalker.leafLevel(machine.cpu(), t.root(), 3, 0x4000_0000L + M2));
        assertEquals(2, SoftwareWalker.leafLevel(machine.cpu(), t.root(), 3, 0x4000_0000L + 2 * M2 + 5 * K4));
        assertEquals(1, SoftwareWalker.leafLevel(machine.cpu(), t.root(), 3, 0x4000_0000L + 3 * M2));
        assertEquals(OptionalLong.of(0x60_0000 + M2 + 0x777),
                SoftwareWalker.walk(machine.cpu(), t.root(), 3, 0x4000_0000L + 2 * M2 + 0x777, true));
    }

    @Test
    void shouldUseOneGigabyteLeavesOnlyWhenOffered() {
        SecondLevelPageTable with = table(4, true, true);
        with.map(G1, 0, G1, true, true);
        assertEquals(3, SoftwareWalker.leafLevel(machine.cpu(), with.root(), 4, G1 + 12345 * K4));
        SecondLevelPageTable without = table(4, true, false);
        without.map(G1, 0, G1, true, true);
        assertEquals(2, SoftwareWalker.leafLevel(machine.cpu(), without.root(), 4, G1 + 12345 * K4));
        SecondLevelPageTable none = table(3, false, false);
        none.map(G1, 0, M2, true, true);
        assertEquals(1, SoftwareWalker.leafLevel(machine.cpu(), none.root(), 3, G1 + K4));
    }

    @Test
    void shouldNotUseSuperpagesWhenPhysicalAlignmentDiffers() {
        SecondLevelPageTable t = table(3, true, true);
        t.map(0, K4, M2, true, true);
        assertEquals(1, SoftwareWalker.leafLevel(machine.cpu(), t.root(), 3, 0));
        assertEquals(OptionalLong.of(K4 + M2 - 1), t.translate(M2 - 1));
    }

    @Test
    void shouldRejectOverlapNamingTheIovaAndLeaveNothingMapped() {
        SecondLevelPageTable t = table(3, true, true);
        t.map(0x5000, 0x9000, K4, true, true);
        int pages = t.tablePages();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.map(0x1000, 0x100000, 8 * K4, true, true));
        assertTrue(e.getMessage().contains("0x5000"), e.getMessage());
        assertEquals(OptionalLong.empty(), t.translate(0x1000));
        assertEquals(OptionalLong.empty(), t.translate(0x4000));
        assertEquals(OptionalLong.of(0x9000), t.translate(0x5000));
        assertEquals(pages, t.tablePages());
    }

    @Test
    void shouldRejectUnalignedAndOutOfRangeArguments() {
        SecondLevelPageTable t = table(3, true, true);
        assertThrows(IllegalArgumentException.class, () -> t.map(0x800, 0, K4, true, true));
        assertThrows(IllegalArgumentException.class, () -> t.map(0, 0x800, K4, true, true));
        assertThrows(IllegalArgumentException.class, () -> t.map(0, 0, 100, true, true));
        assertThrows(IllegalArgumentException.class, () -> t.map(1L << 39, 0, K4, true, true));
        assertThrows(IllegalArgumentException.class, () -> t.map(0, 0, K4, false, false));
    }

    @Test
    void shouldReturnEmptiedTablePagesOnUnmapAndFreeThemOnlyWhenAsked() {
        SecondLevelPageTable t = table(3, true, true);
        long before = memory.pagesInUse();
        t.map(0x1234_5000L, 0x7000, 2 * K4, true, true);
        assertEquals(before + 2, memory.pagesInUse(), "a level-2 and a level-1 table");
        List<Long> freed = t.unmap(0x1234_5000L, 2 * K4);
        assertEquals(2, freed.size());
        assertEquals(OptionalLong.empty(), t.translate(0x1234_5000L));
        assertEquals(before + 2, memory.pagesInUse(), "pages stay allocated until the caller invalidated");
        freed.forEach(memory::freePage);
        assertEquals(before, memory.pagesInUse());
        assertEquals(1, t.tablePages());
    }

    /**
     * The tables remember the leaf table last walked to. Once an unmap releases it, nothing may go
     * through it again: not a lookup after a 2 MiB leaf took its place, not a map after that leaf
     * went too (which needs a new table), even when the freed page came back as another table.
     */
    @Test
    void shouldNeverUseALeafTableAfterItWasReleased() {
        SecondLevelPageTable t = table(3, true, false);
        t.map(0x20_0000, 0x8000, K4, true, true);
        assertTrue(t.isMapped(0x20_0000));
        List<Long> released = t.unmap(0x20_0000, K4);
        assertEquals(2, released.size(), "the leaf table and its level-2 parent");
        released.forEach(memory::freePage);
        assertFalse(t.isMapped(0x20_0000));

        t.map(0x20_0000, 0x40_0000, M2, true, false);
        assertEquals(M2, t.lookup(0x20_1000).pageSize(), "the 2 MiB leaf, not the released table");
        assertTrue(t.isMapped(0x20_1000));
        assertEquals(OptionalLong.of(0x40_1000), SoftwareWalker.walk(machine.cpu(), t.root(), 3, 0x20_1000, false));

        t.unmap(0x20_0000, M2).forEach(memory::freePage);
        SecondLevelPageTable other = table(3, true, false);
        other.map(0x7000_0000L, 0xA000, K4, true, true); // may take the freed pages as its tables
        t.map(0x20_3000, 0x9000, K4, true, true);
        assertEquals(OptionalLong.of(0x9000), SoftwareWalker.walk(machine.cpu(), t.root(), 3, 0x20_3000, true));
        assertEquals(OptionalLong.empty(), SoftwareWalker.walk(machine.cpu(), t.root(), 3, 0x20_0000, false));
        assertEquals(OptionalLong.of(0xA000), SoftwareWalker.walk(machine.cpu(), other.root(), 3, 0x7000_0000L, true),
                "the other tables were not written through a stale pointer");
        assertEquals(OptionalLong.empty(), SoftwareWalker.walk(machine.cpu(), other.root(), 3, 0x7000_3000L, false));
        assertEquals(3, t.tablePages());
        other.destroy();
        t.destroy();
    }

    @Test
    void shouldRefuseToCutASuperpage() {
        SecondLevelPageTable t = table(3, true, true);
        t.map(0, 0, M2, true, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.unmap(K4, K4));
        assertTrue(e.getMessage().contains("2048 KiB"), e.getMessage());
        assertEquals(OptionalLong.of(K4), t.translate(K4));
        // A range that starts on mapped 4 KiB pages and ends inside a superpage changes nothing.
        t.map(M2 - 2 * K4 + 0x4000_0000L, 0x100_0000, 2 * K4, true, true);
        t.map(M2 + 0x4000_0000L, 0x200_0000, M2, true, true);
        assertThrows(IllegalArgumentException.class, () -> t.unmap(M2 - 2 * K4 + 0x4000_0000L, 4 * K4));
        assertEquals(OptionalLong.of(0x100_0000), t.translate(M2 - 2 * K4 + 0x4000_0000L), "nothing was cleared");
    }

    @Test
    void shouldSayAPageIsMappedExactlyWhenLookupFindsItsLeaf() {
        SecondLevelPageTable t = table(3, true, false);
        t.map(0x10_0000, 0x20_0000, K4, true, false);
        t.map(0x4000_0000L, 0x60_0000, M2, true, true);
        long[] probes = {0x10_0000, 0x10_0000 + 0x123, 0x10_1000, 0x4000_0000L, 0x4000_0000L + M2 - K4,
                0x4000_0000L + M2, -K4, 1L << 39};
        for (long iova : probes) {
            assertEquals(t.lookup(iova) != null, t.isMapped(iova), "IOVA " + Long.toHexString(iova));
        }
        assertTrue(t.isMapped(0x4000_0000L + M2 - K4), "inside the 2 MiB leaf");
        t.unmap(0x10_0000, K4);
        assertFalse(t.isMapped(0x10_0000), "unmapped page");
    }

    @Test
    void shouldAgreeWithTheSpecWalkAfterRandomMapsAndUnmaps() {
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            SecondLevelPageTable t = table(rnd.nextBoolean() ? 3 : 4, rnd.nextBoolean(), rnd.nextBoolean());
            int levels = t.levels();
            List<long[]> live = new ArrayList<>();
            long[] model = new long[1024]; // 1024 slots of 2 MiB in a 2 GiB window: physical+1 or 0
            for (int step = 0; step < 60; step++) {
                if (live.isEmpty() || rnd.nextInt(3) > 0) {
                    int slot = rnd.nextInt(1000);
                    int n = 1 + rnd.nextInt(3);
                    boolean free = true;
                    for (int i = slot; i < slot + n; i++) {
                        free &= model[i] == 0;
                    }
                    if (!free) {
                        continue;
                    }
                    long iova = slot * M2;
                    long phys = (rnd.nextInt(512) * M2) + (rnd.nextBoolean() ? 0 : K4 * rnd.nextInt(1, 511));
                    phys &= ~(K4 - 1);
                    t.map(iova, phys, n * M2, true, true);
                    for (int i = 0; i < n; i++) {
                        model[slot + i] = phys + i * M2 + 1;
                    }
                    live.add(new long[] {slot, n});
                } else {
                    long[] m = live.remove(rnd.nextInt(live.size()));
                    t.unmap(m[0] * M2, m[1] * M2).forEach(memory::freePage);
                    for (int i = 0; i < m[1]; i++) {
                        model[(int) m[0] + i] = 0;
                    }
                }
                for (int probe = 0; probe < 30; probe++) {
                    int slot = rnd.nextInt(1003);
                    long off = rnd.nextLong(M2);
                    long iova = slot * M2 + off;
                    OptionalLong want = slot < model.length && model[slot] != 0 ? OptionalLong.of(model[slot] - 1 + off) : OptionalLong.empty();
                    assertEquals(want, SoftwareWalker.walk(machine.cpu(), t.root(), levels, iova, true),
                            "seed " + seed + " step " + step + " iova " + Long.toHexString(iova));
                    assertEquals(want, t.translate(iova), "seed " + seed);
                }
            }
            for (long[] m : live) {
                t.unmap(m[0] * M2, m[1] * M2).forEach(memory::freePage);
            }
            assertEquals(1, t.tablePages(), "seed " + seed + ": every table but the root was unlinked");
            t.destroy();
        }
        assertEquals(0, memory.pagesInUse());
    }
    @Test
    void shouldAgreeWithTheSpecWalkWhenOtherCpusMapAndUnmapInsideEachAccess() {
        // 4 KiB pages in two 2 MiB halves of one GiB and a few in the next GiB, so that the outer
        // call and the nested one (another CPU's, in a bus wait at a random access of the outer)
        // share tables, empty them and release them under each other. Released pages are freed at
        // once, where a strict unmap frees them after its invalidation, and another domain maps
        // now and then so that freed pages come back as its tables.
        long[] pages = new long[96];
        for (int i = 0; i < pages.length; i++) {
            pages[i] = i < 80 ? 0x20_0000L + (i % 2) * M2 + (i / 2) * K4 : G1 + (i - 80) * K4;
        }
        for (long seed = 1; seed <= 12; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            SecondLevelPageTable t = table(rnd.nextBoolean() ? 3 : 4, false, false);
            SecondLevelPageTable other = table(3, false, false);
            long[] model = new long[pages.length]; // physical + 1, or 0
            int otherPages = 0;
            for (int step = 0; step < 150; step++) {
                int outer = rnd.nextInt(pages.length);
                int nested = rnd.nextInt(pages.length - 1);
                nested = nested >= outer ? nested + 1 : nested;
                long nestedPhys = 0x10_0000L + rnd.nextInt(4096) * K4;
                boolean nestedMaps = model[nested] == 0;
                boolean[] ran = {false};
                int n = nested;
                boolean otherMaps = rnd.nextInt(4) == 0;
                long otherIova = 0x7000_0000L + otherPages * K4;
                nestInRamAccess(1 + rnd.nextInt(8), () -> {
                    ran[0] = true;
                    if (nestedMaps) {
                        t.map(pages[n], nestedPhys, K4, true, true);
                    } else {
                        t.unmap(pages[n], K4).forEach(memory::freePage);
                    }
                    if (otherMaps) {
                        other.map(otherIova, 0x5000, K4, true, false);
                    }
                });
                long outerPhys = 0x10_0000L + rnd.nextInt(4096) * K4;
                if (model[outer] == 0) {
                    t.map(pages[outer], outerPhys, K4, true, true);
                    model[outer] = outerPhys + 1;
                } else {
                    t.unmap(pages[outer], K4).forEach(memory::freePage);
                    model[outer] = 0;
                }
                machine.processors().memoryBusGate(null);
                if (ran[0]) {
                    model[nested] = nestedMaps ? nestedPhys + 1 : 0;
                    otherPages += otherMaps ? 1 : 0;
                }
                for (int i = 0; i < pages.length; i++) {
                    OptionalLong want = model[i] == 0 ? OptionalLong.empty() : OptionalLong.of(model[i] - 1);
                    int page = i;
                    long s0 = seed;
                    int st = step;
                    assertEquals(want, SoftwareWalker.walk(machine.cpu(), t.root(), t.levels(), pages[i], true),
                            () -> "seed " + s0 + " step " + st + " iova " + Long.toHexString(pages[page]));
                    assertEquals(want, t.translate(pages[i]), () -> "seed " + s0 + " step " + st + ", the kernel's view");
                }
                for (int i = 0; i < otherPages; i++) {
                    assertEquals(OptionalLong.of(0x5000), SoftwareWalker.walk(machine.cpu(), other.root(), 3, 0x7000_0000L + i * K4, false),
                            "seed " + seed + ": the other domain's tables were not written through a stale pointer");
                }
            }
            for (int i = 0; i < pages.length; i++) {
                if (model[i] != 0) {
                    t.unmap(pages[i], K4).forEach(memory::freePage);
                }
            }
            assertEquals(1, t.tablePages(), "seed " + seed + ": every table but the root was unlinked");
            t.destroy();
            other.destroy();
            assertEquals(0, memory.pagesInUse(), "seed " + seed);
        }
    }
}
