package org.jdma.kernel.compat.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.drivers.memcpy.CompletedDescriptor;
import org.jdma.kernel.drivers.memcpy.CopyRingLayout;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.drivers.memcpy.DescriptorCodec;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.testing.Seed;
import org.jdma.kernel.testing.Seeds;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.kernel.testing.Workers;
import org.jdma.machine.Machine;
import org.jdma.platform.Cpu;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.memcpy.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The seed API's engine with four producer threads and four draining threads at once: each
 * producer submits its own fill descriptors (the pattern names producer and index) in random
 * batches, each drainer drains into an array of its own size. The device fetches at every doorbell
 * (doorbells never overlap on a shared ring) every descriptor it has not seen, checks it is whole
 * and that each producer's descriptors arrive in the order submitted, and writes a completion
 * record, fields first and status last. Drained multiset == accepted multiset.
 */
class DmaEngineConcurrencyTest {

    @RegisterExtension
    static final Seeds SEEDS = new Seeds();

    private static final int PRODUCERS = 4;
    private static final int DRAINERS = 4;
    private static final int PER_PRODUCER = 50_000;
    private static final int TOTAL = PRODUCERS * PER_PRODUCER;
    /** Where the fills go (bus address): a buffer mapped for the engine, so every submit is checked and held. */
    private static volatile long DESTINATION;
    private static final int DESTINATION_BYTES = 4096 * 8;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldDrainExactlyTheAcceptedDescriptorsWithFourProducersAndFourDrainers(@Seed(0x4A4A_0E00L) long seed) throws InterruptedException {
        try (Machine machine = TestMachines.ramOnly()) {
            DmaMemory memory = TestMachines.dmaMemory(machine);
            DeviceDmaApi dma = TestMachines.device(TestMachines.directDma(memory), "engine");
            DmaBuffer destination = memory.allocate(DESTINATION_BYTES, 4096);
            long mapped = dma.mapSingle(destination.physicalAddress(), DESTINATION_BYTES, DmaDirection.FROM_DEVICE);
            DESTINATION = mapped;
            Device device = new Device(machine.cpu());
            AtomicIntegerArray drained = new AtomicIntegerArray(TOTAL);
            long[] sequenceOf = new long[TOTAL];
            AtomicLong drainedCount = new AtomicLong();
            AtomicLong failures = new AtomicLong();
            try (DmaEngine engine = new DmaEngine(dma, memory, device, 64, null)) {
                Workers.run(PRODUCERS + DRAINERS, Duration.ofSeconds(100), worker -> {
                    if (worker < PRODUCERS) {
                        SplittableRandom random = new SplittableRandom(seed + worker);
                        List<Descriptor> batch = new ArrayList<>();
                        int next = 0;
                        while (next < PER_PRODUCER) {
                            batch.clear();
                            int want = Math.min(random.nextInt(1, 17), PER_PRODUCER - next);
                            for (int i = 0; i < want; i++) {
                                batch.add(fill(worker, next + i));
                            }
                            int took = engine.submit(batch);
                            next += took;
                            if (took == 0) {
                                Thread.yield();
                            }
                        }
                    } else {
                        CompletedDescriptor[] out = new CompletedDescriptor[worker];
                        while (drainedCount.get() < TOTAL) {
                            int got = engine.drain(out);
                            for (int i = 0; i < got; i++) {
                                CompletedDescriptor c = out[i];
                                int index = index(c.descriptor().pattern());
                                boolean consecutive = i == 0 || c.sequence() == out[i - 1].sequence() + 1;
                                if (c.status() != CompletionStatus.SUCCESS || c.bytesCompleted() != 8 || !consecutive
                                        || drained.getAndIncrement(index) != 0) {
                                    failures.incrementAndGet();
                                }
                                sequenceOf[index] = c.sequence();
                            }
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
                assertTrue(engine.isEmpty());
                assertEquals(TOTAL, engine.submittedCount());
                assertEquals(TOTAL, engine.drainedCount());
            }
            dma.unmapSingle(mapped, DESTINATION_BYTES, DmaDirection.FROM_DEVICE); // nothing holds it any more
            destination.close();
            assertEquals(0, failures.get(), "a drained descriptor failed, was drained twice or out of its call's order");
            assertEquals(0, device.errors.get(), "the device fetched a descriptor that was not whole or out of order: " + device.firstError);
            assertEquals(TOTAL, drainedCount.get());
            for (int p = 0; p < PRODUCERS; p++) {
                for (int i = 0; i < PER_PRODUCER; i++) {
                    int index = p * PER_PRODUCER + i;
                    assertEquals(1, drained.get(index), "descriptor " + i + " of producer " + p + " drained once");
                    if (i > 0) {
                        assertTrue(sequenceOf[index] > sequenceOf[index - 1], "producer " + p + "'s order at descriptor " + i);
                    }
                }
            }
        }
    }

    private static Descriptor fill(int producer, int i) {
        long pattern = ((long) producer << 32) | i;
        return Descriptor.memfill(DESTINATION + pattern % 4096 * 8, 8, pattern);
    }

    private static int index(long pattern) {
        return (int) (pattern >>> 32) * PER_PRODUCER + (int) pattern;
    }

    /** Completes at each doorbell every descriptor it has not fetched, as the copy engine would. */
    private static final class Device implements RingDevice {
        final Cpu cpu;
        final AtomicBoolean ringing = new AtomicBoolean();
        final AtomicLong errors = new AtomicLong();
        final int[] lastIndex = new int[PRODUCERS];
        final MemorySegment scratch = MemorySegment.ofArray(new byte[CopyRingLayout.DESCRIPTOR_SIZE]);
        volatile String firstError;
        long ringBase;
        int slots;
        int fetchIndex;

        Device(Cpu cpu) {
            this.cpu = cpu;
            Arrays.fill(lastIndex, -1);
        }

        @Override
        public void attach(long base, int n) {
            ringBase = base;
            slots = n;
            fetchIndex = 0;
        }

        @Override
        public void doorbell(int producerIndex) {
            if (!ringing.compareAndSet(false, true)) {
                error("two doorbells at once");
            }
            while (fetchIndex != producerIndex) {
                cpu.read(ringBase + CopyRingLayout.descriptorOffset(fetchIndex), scratch, 0, CopyRingLayout.DESCRIPTOR_SIZE);
                DescriptorCodec.Encoded d = DescriptorCodec.decode(scratch, 0);
                long pattern = d.sourceOrPattern();
                int producer = (int) (pattern >>> 32);
                int index = (int) pattern;
                if (d.opcode() != Opcode.MEMFILL.code() || producer < 0 || producer >= PRODUCERS
                        || d.destination() != DESTINATION + pattern % 4096 * 8 || d.transferSize() != 8) {
                    error("slot " + fetchIndex + " holds no whole descriptor: " + d);
                } else if (index != lastIndex[producer] + 1) {
                    error("producer " + producer + "'s descriptor " + index + " came after " + lastIndex[producer]);
                } else {
                    lastIndex[producer] = index;
                }
                long record = d.completionAddress();
                cpu.write32(record + CompletionRecordLayout.BYTES_COMPLETED, (int) d.transferSize());
                cpu.write32Release(record + CompletionRecordLayout.STATUS, CompletionStatus.SUCCESS.code());
                fetchIndex = (fetchIndex + 1) & (slots - 1);
            }
            ringing.set(false);
        }

        @Override
        public int interruptHandle() {
            return 0;
        }

        @Override
        public void detach() {
        }

        private void error(String what) {
            if (errors.getAndIncrement() == 0) {
                firstError = what;
            }
        }
    }
}
