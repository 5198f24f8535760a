package org.jdma.kernel.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.testing.Seed;
import org.jdma.kernel.testing.Seeds;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.kernel.testing.Workers;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Four producer threads and four consumer threads move a million distinct items through one
 * {@link MpmcSubmissionRing} of 64 slots. The device runs in the doorbell: at each ring it fetches
 * every slot it has not seen up to the new index, checks that each holds a whole entry of the
 * sequence it expects (a slot published early would still hold its previous lap, or half of the
 * new entry), and completes it with a release store. Then: the drained multiset equals the accepted
 * one (no item lost, none twice), the device saw each item once, doorbells never overlapped, and
 * each producer's items took increasing sequences in the order it submitted them.
 */
class MpmcSubmissionRingStressTest {

    @RegisterExtension
    static final Seeds SEEDS = new Seeds();

    private static final int PRODUCERS = 4;
    private static final int CONSUMERS = 4;
    private static final int PER_PRODUCER = 250_000;
    private static final int TOTAL = PRODUCERS * PER_PRODUCER;
    private static final int SLOTS = 64;
    /** Slot: item, sequence, check word. Completion area after the slots: one 64-bit status per slot. */
    private static final int SLOT = 24;
    private static final int RECORD = 8;
    private static final long CHECK = 0x9E37_79B9_7F4A_7C15L;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldDrainExactlyTheAcceptedMultisetWithFourProducersAndFourConsumers(@Seed(0x4A4A_0010L) long seed) throws InterruptedException {
        try (Machine machine = TestMachines.ramOnly()) {
            DmaMemory dmaMemory = TestMachines.dmaMemory(machine);
            DmaBuffer buffer = dmaMemory.allocate((long) SLOTS * (SLOT + RECORD), 4096);
            RingMemory memory = new RingMemory(machine.cpu(), buffer.physicalAddress(), buffer.physicalAddress(), buffer.length());
            Device device = new Device(memory);
            MpmcSubmissionRing ring = new MpmcSubmissionRing(memory, SLOTS, device::doorbell, (m, slot, sequence) -> {
                throw new AssertionError("no writer fails here");
            });
            SubmissionRing.SlotWriter<Long> writer = (m, slot, sequence, item) -> {
                long at = (long) slot * SLOT;
                m.write64(at, item);
                m.write64(at + 8, sequence);
                m.write64(at + 16, item * CHECK ^ sequence);
            };
            CompletionTest status = new CompletionTest() {
                @Override
                public boolean isComplete(RingMemory m, int slot, long sequence) {
                    return m.readAcquire64(record(slot)) == sequence + 1;
                }
            };
            AtomicIntegerArray drained = new AtomicIntegerArray(TOTAL);
            long[] sequenceOf = new long[TOTAL];
            AtomicLong drainedCount = new AtomicLong();
            AtomicLong failures = new AtomicLong();

            Workers.run(PRODUCERS + CONSUMERS, Duration.ofSeconds(100), worker -> {
                if (worker < PRODUCERS) {
                    SplittableRandom random = new SplittableRandom(seed + worker);
                    List<Long> mine = new ArrayList<>(PER_PRODUCER);
                    for (int i = 0; i < PER_PRODUCER; i++) {
                        mine.add(item(worker, i));
                    }
                    int next = 0;
                    while (next < PER_PRODUCER) {
                        int want = Math.min(random.nextInt(1, 17), PER_PRODUCER - next);
                        int took = ring.submit(mine, next, want, writer);
                        next += took;
                        if (took == 0) {
                            Thread.yield();
                        }
                    }
                } else {
                    while (drainedCount.get() < TOTAL) {
                        int got = ring.reap(status, (m, slot, sequence) -> {
                            long at = (long) slot * SLOT;
                            long item = m.read64(at);
                            int index = index(item);
                            if (m.read64(at + 8) != sequence || index < 0 || index >= TOTAL || drained.getAndIncrement(index) != 0) {
                                failures.incrementAndGet();
                                return;
                            }
                            sequenceOf[index] = sequence;
                        }, 1 + worker);
                        drainedCount.addAndGet(got);
                        if (got == 0) {
                            if (Thread.interrupted()) {
                                throw new InterruptedException(drainedCount.get() + " of " + TOTAL + " drained");
                            }
                            Thread.yield();
                        }
                    }
                }
            });

            assertEquals(0, failures.get(), "consumers read an entry that was not the one of its sequence, or one twice");
            assertEquals(0, device.errors.get(), "the device fetched a slot that was not whole: " + device.firstError);
            assertEquals(TOTAL, drainedCount.get());
            assertEquals(TOTAL, ring.submitted());
            assertEquals(TOTAL, ring.reaped());
            assertTrue(ring.isEmpty());
            for (int p = 0; p < PRODUCERS; p++) {
                for (int i = 0; i < PER_PRODUCER; i++) {
                    int index = p * PER_PRODUCER + i;
                    assertEquals(1, drained.get(index), "item " + i + " of producer " + p + " drained once");
                    assertEquals(1, device.fetched.get(index), "item " + i + " of producer " + p + " fetched once");
                    if (i > 0) {
                        assertTrue(sequenceOf[index] > sequenceOf[index - 1], "producer " + p + "'s order at item " + i);
                    }
                }
            }
        }
    }

    private static long record(int slot) {
        return (long) SLOTS * SLOT + (long) slot * RECORD;
    }

    private static long item(int producer, int i) {
        return ((long) producer << 32) | i;
    }

    private static int index(long item) {
        return (int) (item >>> 32) * PER_PRODUCER + (int) item;
    }

    /** Fetches and completes at each doorbell, as a device that follows its tail register. */
    private static final class Device {
        final RingMemory memory;
        final AtomicBoolean ringing = new AtomicBoolean();
        final AtomicIntegerArray fetched = new AtomicIntegerArray(TOTAL);
        final AtomicLong errors = new AtomicLong();
        volatile String firstError;
        /** The next sequence to fetch; only the doorbell touches it, and doorbells never overlap. */
        long next;

        Device(RingMemory memory) {
            this.memory = memory;
        }

        void doorbell(int index) {
            if (!ringing.compareAndSet(false, true)) {
                error("two doorbells at once");
            }
            int fresh = (index - (int) (next & (SLOTS - 1))) & (SLOTS - 1);
            for (int i = 0; i < fresh; i++) {
                long sequence = next + i;
                int slot = (int) (sequence & (SLOTS - 1));
                long at = (long) slot * SLOT;
                long item = memory.read64(at);
                long seen = memory.read64(at + 8);
                long check = memory.read64(at + 16);
                if (seen != sequence || check != (item * CHECK ^ sequence)) {
                    error("slot " + slot + " published as sequence " + sequence + " holds sequence " + seen);
                } else if (fetched.getAndIncrement(index(item)) != 0) {
                    error("item " + Long.toHexString(item) + " fetched twice");
                }
                memory.writeRelease64(record(slot), sequence + 1);
            }
            next += fresh;
            ringing.set(false);
        }

        private void error(String what) {
            if (errors.getAndIncrement() == 0) {
                firstError = what;
            }
        }
    }
}
