package org.jdma.kernel.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The per-device table of live mappings, checked against a plain map of queues. */
class LiveMappingsTest {

    private final LiveMappings table = new LiveMappings();

    private static DeviceState.Live at(long dma, long size) {
        return new DeviceState.Single(dma, size, DmaDirection.BIDIRECTIONAL);
    }

    /**
     * Random adds and takes over a small key space (so probe runs collide, wrap around the table's
     * end and are cut by removals), with repeated addresses, against a reference that cannot be
     * wrong: every take returns what the reference's oldest at that address is.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void shouldAgreeWithAMapOfQueuesUnderRandomAddsAndTakes(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<Long, ArrayDeque<DeviceState.Live>> reference = new HashMap<>();
        long[] space = new long[200];
        for (int i = 0; i < space.length; i++) {
            space[i] = switch (i % 4) {
                case 0 -> 0xFFFF_F000L - i * 0x1000L;          // page-aligned IOVAs, top down
                case 1 -> 0x1_0000_0000L + i * 64;            // cache-line steps
                case 2 -> random.nextLong();                  // anywhere, negative included
                default -> (long) i << 40;                    // low bits all zero
            };
        }
        int live = 0;
        for (int step = 0; step < 40_000; step++) {
            long dma = space[random.nextInt(space.length)];
            if (random.nextInt(100) < (live < 150 ? 55 : 40)) {
                DeviceState.Live m = at(dma, step);
                table.add(m);
                reference.computeIfAbsent(dma, k -> new ArrayDeque<>()).addLast(m);
                live++;
            } else {
                ArrayDeque<DeviceState.Live> q = reference.get(dma);
                DeviceState.Live expected = q == null ? null : q.pollFirst();
                if (q != null && q.isEmpty()) {
                    reference.remove(dma);
                }
                if (expected != null) {
                    live--;
                }
                assertSame(expected, table.take(dma), "step " + step + ": take " + Long.toHexString(dma));
            }
            assertEquals(live, table.size(), "step " + step);
        }
        for (long dma : space) {
            ArrayDeque<DeviceState.Live> q = reference.getOrDefault(dma, new ArrayDeque<>());
            while (!q.isEmpty()) {
                assertSame(q.pollFirst(), table.take(dma), "final take " + Long.toHexString(dma));
            }
            assertNull(table.take(dma), "nothing left at " + Long.toHexString(dma));
        }
        assertEquals(0, table.size());
    }

    @Test
    void shouldDrainByUnsignedAddressOldestFirstAtOneAddressAndStartEmptyAgain() {
        List<DeviceState.Live> added = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            long dma = (i % 3 == 0 ? -1L - i : (long) i * 0x1000) & ~0xFL;
            DeviceState.Live m = at(dma, i);
            added.add(m);
            table.add(m);
            if (i % 10 == 0) {
                DeviceState.Live again = at(dma, 1000 + i); // a second mapping at the same address, younger
                added.add(again);
                table.add(again);
            }
        }
        List<DeviceState.Live> expected = new ArrayList<>(added);
        expected.sort(Comparator.comparing(DeviceState.Live::dma, Long::compareUnsigned)); // stable
        assertEquals(expected, table.drain());
        assertEquals(0, table.size());
        assertNull(table.take(added.get(0).dma()));
        DeviceState.Live after = at(0x7000, 1);
        table.add(after);
        assertSame(after, table.take(0x7000), "usable after a drain");
    }
}
