package org.jdma.kernel.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ring protocol with a status byte in a completion area beside the slots (the shape of the
 * copy engine's ring): full and empty, prefix acceptance, one doorbell per batch, in-order reaping
 * that stops at the first incomplete entry, retire, wrap-around over many laps, restart.
 * The test plays the device.
 */
class SubmissionRingTest {

    /** Slot: 16 bytes, the item at 0. Completion area after the slots: 8 bytes per slot, status at 0. */
    private static final int SLOT = 16;
    private static final int RECORD = 8;

    private final Machine machine = TestMachines.ramOnly();
    private final DmaMemory dmaMemory = TestMachines.dmaMemory(machine);
    private final List<Integer> doorbells = new ArrayList<>();

    @AfterEach
    void tearDown() {
        machine.close();
    }

    private final class Fixture {
        final int slots;
        final RingMemory memory;
        final SubmissionRing ring;
        final CompletionTest status;
        final SubmissionRing.SlotWriter<Long> writer;
        int deviceIndex;

        Fixture(int slots) {
            this.slots = slots;
            DmaBuffer b = dmaMemory.allocate((long) slots * (SLOT + RECORD), 4096);
            this.memory = new RingMemory(machine.cpu(), b.physicalAddress(), b.physicalAddress(), (long) slots * (SLOT + RECORD));
            this.ring = new SubmissionRing(memory, slots, doorbells::add);
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
            this.writer = (m, slot, sequence, item) -> m.write64((long) slot * SLOT, item);
        }

        long record(int slot) {
            return (long) slots * SLOT + (long) slot * RECORD;
        }

        /** The device completes {@code n} published entries in order. */
        void complete(int n) {
            for (int i = 0; i < n; i++) {
                memory.write8(record(deviceIndex), 1);
                deviceIndex = (deviceIndex + 1) & (slots - 1);
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

    @Test
    void shouldAcceptNMinusOneEntriesThenRefuse() {
        Fixture f = new Fixture(8);
        assertTrue(f.ring.isEmpty());
        assertEquals(7, f.ring.submit(items(0, 10), 0, 10, f.writer), "a prefix: one slot stays free");
        assertTrue(f.ring.isFull());
        assertEquals(0, f.ring.submit(items(10, 1), 0, 1, f.writer));
        assertFalse(f.ring.submitOne(99L, f.writer));
        assertEquals(List.of(7), doorbells, "one doorbell for the batch, none for the refused ones");
    }

    @Test
    void shouldPublishEverySlotBeforeTheDoorbellRings() {
        Fixture f = new Fixture(8);
        List<Long> seenAtDoorbell = new ArrayList<>();
        SubmissionRing ring = new SubmissionRing(f.memory, 8, index -> {
            for (int s = 0; s < index; s++) {
                seenAtDoorbell.add(f.memory.read64((long) s * SLOT));
            }
        });
        assertEquals(3, ring.submit(items(40, 3), 0, 3, f.writer));
        assertEquals(List.of(40L, 41L, 42L), seenAtDoorbell);
    }

    @Test
    void shouldReapInOrderAndStopAtTheFirstIncompleteEntry() {
        Fixture f = new Fixture(8);
        f.ring.submit(items(100, 5), 0, 5, f.writer);
        assertEquals(List.of(), f.reap(8), "nothing completed yet");
        f.complete(3);
        assertEquals(List.of(100L, 101L), f.reap(2), "up to max");
        assertEquals(List.of(102L), f.reap(8), "stops at the fourth, not complete");
        assertEquals(2, f.ring.size());
        assertEquals(0, f.memory.read8(f.record(0)), "a reaped slot's status is retired");
    }

    @Test
    void shouldAnswerIsCompleteWithoutReaping() {
        Fixture f = new Fixture(4);
        f.ring.submit(items(0, 2), 0, 2, f.writer);
        assertFalse(f.ring.isComplete(f.status, 0));
        f.complete(1);
        assertTrue(f.ring.isComplete(f.status, 0));
        assertFalse(f.ring.isComplete(f.status, 1));
        f.reap(4);
        assertTrue(f.ring.isComplete(f.status, 0), "reaped counts as complete");
        assertThrows(IllegalArgumentException.class, () -> f.ring.isComplete(f.status, 2), "never submitted");
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 8, 128})
    void shouldKeepOrderOverManyLapsOfRandomBatches(int slots) {
        long seed = 0x5EED_0000L + slots;
        SplittableRandom random = new SplittableRandom(seed);
        Fixture f = new Fixture(slots);
        ArrayDeque<Long> expected = new ArrayDeque<>();
        long next = 0;
        for (int round = 0; round < 2_000; round++) {
            int n = random.nextInt(slots + 1);
            int accepted = f.ring.submit(items(next, n), 0, n, f.writer);
            assertEquals(Math.min(n, slots - 1 - expected.size()), accepted, "seed " + seed);
            for (int i = 0; i < accepted; i++) {
                expected.add(next + i);
            }
            next += n;
            f.complete(random.nextInt(f.ring.size() + 1));
            for (long got : f.reap(random.nextInt(slots) + 1)) {
                assertEquals(expected.poll(), got, "seed " + seed);
            }
            assertEquals(expected.size(), f.ring.size(), "seed " + seed);
        }
    }

    @Test
    void shouldFreeSlotsThroughASequenceLearnedElsewhere() {
        Fixture f = new Fixture(4);
        f.ring.submit(items(0, 3), 0, 3, f.writer);
        assertEquals(2, f.ring.retireThrough(1));
        assertEquals(1, f.ring.size());
        assertEquals(0, f.ring.retireThrough(0), "already retired");
        assertThrows(IllegalArgumentException.class, () -> f.ring.retireThrough(3));
    }

    @Test
    void shouldRestartAtSlotZeroWithSequencesStillIncreasing() {
        Fixture f = new Fixture(8);
        f.ring.submit(items(0, 5), 0, 5, f.writer);
        f.complete(2);
        f.reap(8);
        assertEquals(2, f.ring.restart(), "the first forgotten entry");
        assertEquals(0, f.ring.headSlot());
        assertEquals(0, f.ring.tailSlot());
        assertTrue(f.ring.isEmpty());
        assertEquals(8, f.ring.submitted(), "the next lap starts at 8");
    }

    @Test
    void shouldRefuseARingThatIsNotAPowerOfTwoInRange() {
        Fixture f = new Fixture(4);
        for (int bad : new int[] {0, 1, 3, 100, 1 << 17}) {
            assertThrows(IllegalArgumentException.class, () -> new SubmissionRing(f.memory, bad, i -> { }), "size " + bad);
        }
    }

    @Test
    void shouldNameTheOffsetOfAnAccessOutsideTheRingMemory() {
        Fixture f = new Fixture(4);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> f.memory.read64(f.memory.bytes() - 4));
        assertTrue(e.getMessage().contains(Long.toHexString(f.memory.bytes() - 4)), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> f.memory.write8(-1, 0));
    }
}
