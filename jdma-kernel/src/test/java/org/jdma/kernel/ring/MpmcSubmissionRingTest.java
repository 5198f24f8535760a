package org.jdma.kernel.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shared ring's protocol, one step at a time: full and empty, a claim refused when full,
 * wrap-around, publication in claim order when a later producer finishes first (the interleaving
 * forced with latches), no lost doorbell when the publisher is busy, one consumer per entry and a
 * tail that frees slots only in order, a writer that throws. The test plays the device; the
 * doorbell records what the device would see at each ring.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MpmcSubmissionRingTest {

    /** Slot: 16 bytes, the item at 0. Completion area after the slots: 8 bytes per slot, status at 0. */
    private static final int SLOT = 16;
    private static final int RECORD = 8;
    private static final long FILLER = -1L;

    private final Machine machine = TestMachines.ramOnly();
    private final DmaMemory dmaMemory = TestMachines.dmaMemory(machine);
    /** Each doorbell: the index rung and the items of every slot before it at that moment. */
    private final List<Integer> doorbells = Collections.synchronizedList(new ArrayList<>());
    private final List<List<Long>> seenAtDoorbell = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void tearDown() {
        machine.close();
    }

    private final class Fixture {
        final int slots;
        final RingMemory memory;
        final MpmcSubmissionRing ring;
        final CompletionTest status;
        final SubmissionRing.SlotWriter<Long> writer = (m, slot, sequence, item) -> m.write64((long) slot * SLOT, item);
        volatile CountDownLatch doorbellGate;
        int deviceIndex;

        Fixture(int slots) {
            this.slots = slots;
            DmaBuffer b = dmaMemory.allocate((long) slots * (SLOT + RECORD), 4096);
            this.memory = new RingMemory(machine.cpu(), b.physicalAddress(), b.physicalAddress(), (long) slots * (SLOT + RECORD));
            this.ring = new MpmcSubmissionRing(memory, slots, this::doorbell, (m, slot, sequence) -> m.write64((long) slot * SLOT, FILLER));
            this.status = new CompletionTest() {
                @Override
                public boolean isComplete(RingMemory m, int slot, long sequence) {
                    return m.readAcquire8(record(slot)) != 0;
                }

                @Override
                public void retire(RingMemory m, int slot, long sequence) {
                    m.write8(record(slot), 0);
                }
            };
        }

        private void doorbell(int index) {
            List<Long> seen = new ArrayList<>();
            for (int s = deviceIndex; s != index; s = (s + 1) & (slots - 1)) {
                seen.add(memory.read64((long) s * SLOT));
            }
            doorbells.add(index);
            seenAtDoorbell.add(seen);
            deviceIndex = index;
            CountDownLatch gate = doorbellGate;
            if (gate != null) {
                doorbellGate = null;
                await(gate);
            }
        }

        long record(int slot) {
            return (long) slots * SLOT + (long) slot * RECORD;
        }

        /** The device completes every entry in {@code slot} .. {@code slot + n - 1}. */
        void complete(int fromSlot, int n) {
            for (int i = 0; i < n; i++) {
                memory.write8(record((fromSlot + i) & (slots - 1)), 1);
            }
        }

        List<Long> reap(int max) {
            List<Long> out = new ArrayList<>();
            ring.reap(status, (m, slot, seq) -> out.add(m.read64((long) slot * SLOT)), max);
            return out;
        }
    }

    private static List<Long> items(long from, int n) {
        return LongStream.range(from, from + n).boxed().toList();
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS), "latch never opened");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldAcceptNMinusOneEntriesThenRefuseTheClaim() {
        Fixture f = new Fixture(8);
        assertTrue(f.ring.isEmpty());
        assertEquals(7, f.ring.submit(items(0, 10), 0, 10, f.writer), "a prefix: one slot stays free");
        assertTrue(f.ring.isFull());
        assertEquals(0, f.ring.submit(items(10, 1), 0, 1, f.writer));
        assertFalse(f.ring.submitOne(99L, f.writer));
        assertEquals(7, f.ring.claimed(), "a refused claim takes no sequence");
        assertEquals(List.of(7), doorbells, "one doorbell for the batch, none for the refused ones");
        assertEquals(List.of(items(0, 7)), seenAtDoorbell);
    }

    @Test
    void shouldReapNothingFromAnEmptyRingAndStopAtTheFirstIncompleteEntry() {
        Fixture f = new Fixture(8);
        assertEquals(List.of(), f.reap(8));
        f.ring.submit(items(100, 5), 0, 5, f.writer);
        assertEquals(List.of(), f.reap(8), "nothing completed yet");
        f.complete(0, 3);
        assertEquals(List.of(100L, 101L), f.reap(2), "up to max");
        assertEquals(List.of(102L), f.reap(8), "stops at the fourth, not complete");
        assertEquals(2, f.ring.size());
        assertEquals(3, f.ring.reaped());
        assertEquals(0, f.memory.read8(f.record(0)), "a reaped slot's status is retired");
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 8, 128})
    void shouldKeepOrderOverManyLapsOfRandomBatches(int slots) {
        SplittableRandom random = new SplittableRandom(0x3C3C_0000L + slots);
        Fixture f = new Fixture(slots);
        ArrayDeque<Long> expected = new ArrayDeque<>();
        long next = 0;
        long completedUpTo = 0;
        for (int round = 0; round < 2_000; round++) {
            int want = random.nextInt(0, slots + 2);
            int took = f.ring.submit(items(next, want), 0, want, f.writer);
            assertEquals(Math.min(want, slots - 1 - expected.size()), took, "round " + round);
            for (int i = 0; i < took; i++) {
                expected.add(next + i);
            }
            next += took;
            int pending = (int) (f.ring.submitted() - completedUpTo);
            int done = random.nextInt(0, pending + 1);
            f.complete(f.ring.slot(completedUpTo), done);
            completedUpTo += done;
            for (long item : f.reap(random.nextInt(1, slots + 1))) {
                assertEquals(expected.removeFirst(), item, "round " + round);
            }
            assertEquals(expected.size(), f.ring.size(), "round " + round);
        }
        assertTrue(next > 10L * slots, "many laps");
    }

    @Test
    void shouldNotPublishASlotWhileAnEarlierOneIsStillBeingWritten() throws InterruptedException {
        Fixture f = new Fixture(8);
        CountDownLatch firstClaimed = new CountDownLatch(1);
        CountDownLatch finishFirst = new CountDownLatch(1);
        SubmissionRing.SlotWriter<Long> slowWriter = (m, slot, sequence, item) -> {
            firstClaimed.countDown();
            await(finishFirst);
            f.writer.write(m, slot, sequence, item);
        };
        Thread first = Thread.ofPlatform().start(() -> assertTrue(f.ring.submitOne(10L, slowWriter)));
        await(firstClaimed);

        assertTrue(f.ring.submitOne(11L, f.writer), "the later producer claims slot 1 and finishes first");
        assertEquals(List.of(), doorbells, "slot 1 is written, slot 0 is not: nothing is published");
        assertEquals(0, f.ring.submitted());
        assertEquals(2, f.ring.claimed());
        assertFalse(f.ring.isComplete(f.status, 1), "claimed but not published: not complete");

        finishFirst.countDown();
        first.join(10_000);
        assertFalse(first.isAlive());
        assertEquals(List.of(2), doorbells, "one doorbell for both, rung by the producer that finished last");
        assertEquals(List.of(List.of(10L, 11L)), seenAtDoorbell, "both slots were whole when the device was told");
        assertEquals(2, f.ring.submitted());
    }

    @Test
    void shouldRingForAProducerThatFoundThePublisherBusy() throws InterruptedException {
        Fixture f = new Fixture(8);
        CountDownLatch release = new CountDownLatch(1);
        f.doorbellGate = release; // the first doorbell write stalls, its producer holding the publisher flag
        Thread first = Thread.ofPlatform().start(() -> assertTrue(f.ring.submitOne(20L, f.writer)));
        while (doorbells.isEmpty()) {
            Thread.onSpinWait();
        }
        assertTrue(f.ring.submitOne(21L, f.writer), "the second producer returns at once");
        assertEquals(List.of(1), doorbells, "its slot waits for the publisher");

        release.countDown();
        first.join(10_000);
        assertFalse(first.isAlive());
        assertEquals(List.of(1, 2), doorbells, "the publisher looked again and rang for slot 1");
        assertEquals(List.of(List.of(20L), List.of(21L)), seenAtDoorbell);
    }

    @Test
    void shouldHandAnEntryToOneConsumerAndFreeSlotsOnlyInOrder() throws InterruptedException {
        Fixture f = new Fixture(8);
        f.ring.submit(items(30, 3), 0, 3, f.writer);
        f.complete(0, 3);
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch finishReading = new CountDownLatch(1);
        List<Long> slowGot = new ArrayList<>();
        Thread slow = Thread.ofPlatform().start(() -> f.ring.reap(f.status, (m, slot, seq) -> {
            reading.countDown();
            await(finishReading);
            slowGot.add(m.read64((long) slot * SLOT));
        }, 1));
        await(reading);

        assertEquals(List.of(31L, 32L), f.reap(8), "the second consumer gets the rest, not entry 0 again");
        assertEquals(0, f.ring.reaped(), "slot 0 is still being read: no slot is freed");
        assertEquals(4, f.ring.submit(items(40, 8), 0, 8, f.writer), "producers reuse nothing: 7 - 3 slots");
        assertTrue(f.ring.isFull());

        finishReading.countDown();
        slow.join(10_000);
        assertFalse(slow.isAlive());
        assertEquals(List.of(30L), slowGot, "entry 0 was read intact");
        assertEquals(3, f.ring.reaped(), "the last consumer to finish frees all three");
        assertEquals(3, f.ring.submit(items(50, 8), 0, 8, f.writer));
    }

    @Test
    void shouldPublishFillersInSlotsWhoseWriterThrew() {
        Fixture f = new Fixture(8);
        SubmissionRing.SlotWriter<Long> failing = (m, slot, sequence, item) -> {
            if (item == 2L) {
                throw new IllegalStateException("cannot encode item 2");
            }
            f.writer.write(m, slot, sequence, item);
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> f.ring.submit(items(1, 3), 0, 3, failing));
        assertEquals("cannot encode item 2", e.getMessage());
        assertEquals(List.of(3), doorbells, "the claimed slots are published, or every later entry would wait");
        assertEquals(List.of(List.of(1L, FILLER, FILLER)), seenAtDoorbell);

        assertEquals(1, f.ring.submit(items(9, 1), 0, 1, f.writer), "the ring goes on");
        f.complete(0, 4);
        assertEquals(List.of(1L, FILLER, FILLER, 9L), f.reap(8));
    }

    @Test
    void shouldRetireAnEntryWhoseReaperThrewAndGoOn() {
        Fixture f = new Fixture(4);
        f.ring.submit(items(1, 2), 0, 2, f.writer);
        f.complete(0, 2);
        assertThrows(IllegalStateException.class, () -> f.ring.reap(f.status, (m, slot, seq) -> {
            throw new IllegalStateException("reaper bug");
        }, 8));
        assertEquals(2, f.ring.reaped(), "both retired: the ring is not stuck");
        assertEquals(3, f.ring.submit(items(3, 3), 0, 3, f.writer));
    }

    @Test
    void shouldRestartAtSlotZeroOfTheNextLap() {
        Fixture f = new Fixture(8);
        f.ring.submit(items(0, 5), 0, 5, f.writer);
        f.complete(0, 2);
        f.reap(8);
        assertEquals(2, f.ring.restart(), "the first forgotten entry");
        assertEquals(8, f.ring.claimed());
        assertEquals(0, f.ring.headSlot());
        assertTrue(f.ring.isEmpty());
        f.memory.fill(0, f.memory.bytes(), (byte) 0);
        f.deviceIndex = 0;
        assertEquals(7, f.ring.submit(items(60, 9), 0, 9, f.writer));
    }

    @Test
    void shouldRetireThroughASequenceLearnedElsewhere() {
        Fixture f = new Fixture(8);
        f.ring.submit(items(0, 4), 0, 4, f.writer);
        assertEquals(3, f.ring.retireThrough(2));
        assertEquals(0, f.ring.retireThrough(1), "already freed");
        assertEquals(1, f.ring.size());
        assertThrows(IllegalArgumentException.class, () -> f.ring.retireThrough(4), "never submitted");
    }

    @Test
    void shouldRefuseARingThatIsNotAPowerOfTwoInRange() {
        Fixture f = new Fixture(2);
        for (int bad : new int[] {0, 1, 3, 6, 1 << 17}) {
            assertThrows(IllegalArgumentException.class, () -> new MpmcSubmissionRing(f.memory, bad, i -> { }, (m, s, q) -> { }),
                    "size " + bad);
        }
    }
}
