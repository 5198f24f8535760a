package org.jdma.kernel.mm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pins as the device side's record: bus lookups, holds, and unpins refused while held. */
class DmaPinsTest {

    private static final int RW = DmaPins.DEVICE_READS | DmaPins.DEVICE_WRITES;
    private final DmaPins pins = new DmaPins();
    private final Object dev = new Object();

    private RangeRefusal hold(long bus, long len, int need, long[] ids) {
        return pins.hold(dev, 1, new long[] {bus}, new long[] {len}, new int[] {need}, new String[] {"f"}, "user", 7, ids, 0);
    }

    @Test
    void shouldPreferAnUnheldDuplicateWhenUnpinning() {
        // Without an IOMMU the same buffer mapped twice has one bus address twice.
        pins.pin(0x1000, 0x100, dev, 0x1000, "TO_DEVICE", DmaPins.DEVICE_READS, "streaming");
        pins.pin(0x1000, 0x100, dev, 0x1000, "TO_DEVICE", DmaPins.DEVICE_READS, "streaming");
        long[] ids = new long[1];
        assertNull(hold(0x1010, 0x10, DmaPins.DEVICE_READS, ids));
        assertNull(pins.unpin(dev, 0x1000, "streaming", 1), "the other mapping can go");
        MappingHold refused = pins.unpin(dev, 0x1000, "streaming", 1);
        assertNotNull(refused, "the held one cannot");
        assertEquals(7, refused.tag());
        assertEquals(1, pins.size());
        pins.release(ids, 0, 1);
        assertNull(pins.unpin(dev, 0x1000, "streaming", 1));
        assertEquals(0, pins.size());
    }

    @Test
    void shouldReleaseNothingForAStaleHoldId() {
        pins.pin(0x1000, 0x1000, dev, 0x8000, "BIDIRECTIONAL", RW, "streaming");
        long[] first = new long[1];
        assertNull(hold(0x8000, 8, RW, first));
        long stale = first[0];
        pins.release(first, 0, 1);
        long[] second = new long[1];
        assertNull(hold(0x8000, 8, RW, second));
        pins.release(new long[] {stale}, 0, 1); // the slot was reused: the old id must not free the new hold
        assertNotNull(pins.unpin(dev, 0x8000, "streaming", 1));
        assertEquals(1, pins.holdCount());
    }

    @Test
    void shouldLeaveNoHoldIdsBehindARefusedHold() {
        pins.pin(0x1000, 0x1000, dev, 0x8000, "BIDIRECTIONAL", RW, "streaming");
        long[] ids = {11, 12};
        RangeRefusal r = pins.hold(dev, 2, new long[] {0x8000, 0x20000}, new long[] {8, 8}, new int[] {RW, RW},
                new String[] {"a", "b"}, "user", 1, ids, 0);
        assertEquals(1, r.index());
        assertEquals(RangeRefusal.Reason.NOT_MAPPED, r.reason());
        assertArrayEquals(new long[] {DmaPins.NO_HOLD, DmaPins.NO_HOLD}, ids);
        assertEquals(0, pins.holdCount(), "the first range is not held either");
    }

    @Test
    void shouldTellWrongDirectionAndPastTheEndApart() {
        pins.pin(0x1000, 0x1000, dev, 0x8000, "TO_DEVICE", DmaPins.DEVICE_READS, "streaming");
        long[] ids = new long[1];
        assertEquals(RangeRefusal.Reason.WRONG_DIRECTION, hold(0x8010, 8, DmaPins.DEVICE_WRITES, ids).reason());
        RangeRefusal past = hold(0x8ff0, 0x20, DmaPins.DEVICE_READS, ids);
        assertEquals(RangeRefusal.Reason.PAST_END, past.reason());
        assertEquals(0x8000, past.mapping().busFirst());
        assertEquals(RangeRefusal.Reason.NOT_MAPPED, hold(0x9000, 1, 0, ids).reason(), "one past the end");
        assertNull(hold(0x8ff8, 8, 0, ids), "the last bytes, named only");
    }

    @Test
    void shouldAnswerLikeABruteForceSearchOverManyPinsAndUnpins() {
        Random random = new Random(0x5eed);
        List<long[]> live = new ArrayList<>(); // {bus, len, access}
        for (int step = 0; step < 4000; step++) {
            if (live.isEmpty() || random.nextInt(3) > 0) {
                long b = random.nextInt(1 << 16) * 16L;
                while (true) {
                    long candidate = b;
                    if (live.stream().noneMatch(p -> p[0] == candidate)) {
                        break;
                    }
                    b += 16; // one pin per key, so the model knows which one an unpin removes
                }
                long bus = b;
                long len = 1 + random.nextInt(4096);
                int access = 1 + random.nextInt(3);
                pins.pin(bus, len, dev, bus, "d", access, "streaming");
                live.add(new long[] {bus, len, access});
            } else {
                long[] gone = live.remove(random.nextInt(live.size()));
                assertNull(pins.unpin(dev, gone[0], "streaming", 1));
            }
            long address = random.nextInt(1 << 20);
            long len = 1 + random.nextInt(256);
            int need = random.nextInt(4);
            boolean expected = live.stream().anyMatch(p -> address >= p[0] && address + len <= p[0] + p[1] && (p[2] & need) == need);
            RangeRefusal r = pins.check(dev, 1, new long[] {address}, new long[] {len}, new int[] {need});
            assertEquals(expected, r == null, "step " + step + " [" + address + ", +" + len + ") need " + need);
        }
    }
    @Test
    void shouldAnswerPerDeviceWhileDevicesAlternateAndTheirLastPinsGo() {
        // Few live pins on two devices, so that each device's bus index empties (and is dropped)
        // again and again between lookups for the other one.
        Object[] devices = {dev, new Object()};
        Random random = new Random(0xd0d0);
        List<long[]> live = new ArrayList<>(); // {device, bus, len}
        int emptied = 0;
        for (int step = 0; step < 4000; step++) {
            int d = random.nextInt(2);
            List<long[]> mine = live.stream().filter(p -> p[0] == d).toList();
            if (mine.isEmpty() || (mine.size() < 3 && random.nextBoolean())) {
                long bus = 0x1000L * (1 + random.nextInt(64));
                if (mine.stream().noneMatch(p -> p[1] == bus)) {
                    pins.pin(bus, 0x1000, devices[d], bus, "d", RW, "streaming");
                    live.add(new long[] {d, bus, 0x1000});
                }
            } else {
                long[] gone = mine.get(random.nextInt(mine.size()));
                live.remove(gone);
                assertNull(pins.unpin(devices[d], gone[1], "streaming", 1));
                emptied += mine.size() == 1 ? 1 : 0;
            }
            int asked = random.nextInt(2);
            long address = 0x1000L * random.nextInt(66) + random.nextInt(0x1000);
            boolean expected = live.stream().anyMatch(p -> p[0] == asked && address >= p[1] && address + 8 <= p[1] + p[2]);
            RangeRefusal r = pins.check(devices[asked], 1, new long[] {address}, new long[] {8}, new int[] {RW});
            assertEquals(expected, r == null, "step " + step + " device " + asked + " address " + Long.toHexString(address));
        }
        assertEquals(live.size(), pins.size());
        org.junit.jupiter.api.Assertions.assertTrue(emptied > 100, "a device's last pin went " + emptied + " times");
    }
}
