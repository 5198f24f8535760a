package org.jdma.kernel.compat.hardware;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jdma.kernel.testing.Seed;
import org.jdma.kernel.testing.Seeds;
import org.jdma.kernel.testing.SoftwareRingDevice;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.Opcode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.drivers.memcpy.DescriptorCodec;
import org.jdma.kernel.drivers.memcpy.CompletedDescriptor;
import org.jdma.kernel.drivers.memcpy.CopyRingLayout;
import org.jdma.kernel.dma.DeviceDmaApi;
/** The ring contract: full/empty rules, prefix acceptance, FIFO drain, wrap-around, publication. */
class DmaEngineRingTest {

    @RegisterExtension
    static final Seeds SEEDS = new Seeds();

    private final Machine machine = TestMachines.ramOnly();
    private final DmaMemory memory = TestMachines.dmaMemory(machine);
    private final DeviceDmaApi dma = TestMachines.device(TestMachines.directDma(memory), "engine");
    private final SoftwareRingDevice device = new SoftwareRingDevice(machine.cpu());
    private DmaEngine engine;

    @AfterEach
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
        machine.close();
    }

    private DmaEngine engine(int capacity) {
        engine = new DmaEngine(dma, memory, device, capacity, null);
        return engine;
    }

    private static Descriptor tagged(long tag) {
        return new Descriptor(0x1000 + tag, 64, Descriptor.VALID);
    }

    @Test
    void shouldStartEmptyWith128SlotsAndAttachTheDevice() {
        engine = new DmaEngine(dma, memory, device);
        assertEquals(128, engine.capacity());
        assertEquals(0, engine.size());
        assertTrue(engine.isEmpty());
        assertFalse(engine.isFull());
        assertEquals(0, engine.head());
        assertEquals(0, engine.tail());
        assertTrue(device.attached());
    }

    @Test
    void shouldPlaceTheRingInFramesBelow4GiB() {
        engine(128);
        assertTrue(engine.ringBase() > 0 && engine.ringBase() + CopyRingLayout.bytes(128) <= 1L << 32);
        assertEquals(0, engine.ringBase() % 4096);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 100, 1 << 17})
    void shouldRejectACapacityThatIsNotAPowerOfTwoInRange(int capacity) {
        assertThrows(IllegalArgumentException.class, () -> engine(capacity));
    }

    @Test
    void shouldAccept127SubmitsThenReturnZero() {
        engine(128);
        for (int i = 0; i < 127; i++) {
            assertEquals(1, engine.submitUnchecked(tagged(i)), "submit " + i);
        }
        assertTrue(engine.isFull());
        assertEquals(127, engine.size());
        assertEquals(0, engine.submitUnchecked(tagged(127)));
        assertEquals(127, engine.head());
        assertEquals(0, engine.tail());
    }

    @Test
    void shouldAcceptOnlyThePrefixThatFits() {
        engine(8);
        assertEquals(3, engine.submitUnchecked(tagged(0), tagged(1), tagged(2)));
        List<Descriptor> batch = new ArrayList<>();
        for (int i = 3; i < 20; i++) {
            batch.add(tagged(i));
        }
        assertEquals(4, engine.submitUnchecked(batch), "7 usable slots, 3 taken");
        assertEquals(0, engine.submitUnchecked(batch));
        device.process(Integer.MAX_VALUE);
        CompletedDescriptor[] out = new CompletedDescriptor[16];
        assertEquals(7, engine.drain(out));
        for (int i = 0; i < 7; i++) {
            assertEquals(0x1000 + i, out[i].descriptor().address(), "slot " + i + " holds the prefix in order");
        }
    }

    @Test
    void shouldPublishEachBatchWithOneDoorbellOfTheNewProducerIndex() {
        engine(16);
        assertEquals(0, engine.submitUnchecked(List.of()));
        assertEquals(List.of(), device.doorbells(), "nothing accepted, no doorbell");
        engine.submitUnchecked(tagged(0), tagged(1), tagged(2), tagged(3), tagged(4));
        engine.submitUnchecked(tagged(5));
        assertEquals(List.of(5, 6), device.doorbells());
        for (int i = 0; i < 20; i++) {
            engine.submitUnchecked(tagged(i));
        }
        assertEquals(2 + 9, device.doorbells().size(), "one doorbell per accepted submit (9 fit), none when full");
        assertEquals(15, (int) device.doorbells().getLast());
    }

    @Test
    void shouldWriteDescriptorsIntoRingMemoryInTheDeviceFormat() {
        engine(4);
        Descriptor d = Descriptor.memmove(0xAB000, 0xCD000, 300);
        engine.submitUnchecked(tagged(0), d.withFlags(d.flags() | Descriptor.INTERRUPT));
        MemorySegment slot1 = MemorySegment.ofArray(new byte[64]);
        machine.cpu().read(engine.ringBase() + CopyRingLayout.descriptorOffset(1), slot1, 0, 64);
        DescriptorCodec.Encoded e = DescriptorCodec.decode(slot1, 0);
        assertEquals(Opcode.MEMMOVE.code(), e.opcode());
        assertEquals(0xAB000, e.sourceOrPattern());
        assertEquals(0xCD000, e.destination());
        assertEquals(300, e.transferSize());
        assertEquals(engine.ringBase() + CopyRingLayout.completionOffset(4, 1), e.completionAddress());
        assertTrue(e.hasFlag(CopyDescriptorLayout.FLAG_RCI));
        assertEquals(device.interruptHandle(), e.interruptHandle());
    }

    @Test
    void shouldLeaveOutUntouchedWhenNothingCompleted() {
        engine(8);
        CompletedDescriptor[] out = new CompletedDescriptor[4];
        CompletedDescriptor sentinel = new CompletedDescriptor(tagged(99), CompletionStatus.SUCCESS, 1, 0, 0, 0, 0, 0);
        out[0] = sentinel;
        assertEquals(0, engine.drain(out), "empty ring");
        engine.submitUnchecked(tagged(0), tagged(1));
        assertEquals(0, engine.drain(out), "submitted, not completed");
        assertSame(sentinel, out[0]);
        assertNull(out[1]);
        assertEquals(2, engine.size());
    }

    @Test
    void shouldDrainOnlyCompletedDescriptorsInSubmissionOrder() {
        engine(8);
        engine.submitUnchecked(tagged(0), tagged(1), tagged(2), tagged(3), tagged(4));
        device.process(3);
        CompletedDescriptor[] out = new CompletedDescriptor[8];
        assertEquals(3, engine.drain(out));
        for (int i = 0; i < 3; i++) {
            assertEquals(0x1000 + i, out[i].descriptor().address());
            assertEquals(i, out[i].slot());
            assertEquals(i, out[i].sequence());
        }
        assertNull(out[3]);
        assertEquals(2, engine.size());
        CompletedDescriptor[] one = new CompletedDescriptor[1];
        device.process(2);
        assertEquals(1, engine.drain(one), "drain stops at out.length");
        assertEquals(0x1003, one[0].descriptor().address());
        assertEquals(1, engine.drain(one));
        assertEquals(0x1004, one[0].descriptor().address());
        assertTrue(engine.isEmpty());
    }

    @Test
    void shouldHandBackDescriptorsMarkedDoneWithTheDeviceStatus() {
        engine(8);
        device.statusFor(d -> d.opcode() == Opcode.COMPARE.code() ? CompletionStatus.BAD_OPCODE.code() : CompletionStatus.SUCCESS.code());
        Descriptor good = Descriptor.memmove(0x1000, 0x2000, 64);
        Descriptor bad = Descriptor.compare(0x1000, 0x2000, 64);
        engine.submitUnchecked(good, bad);
        device.process(2);
        CompletedDescriptor[] out = new CompletedDescriptor[2];
        assertEquals(2, engine.drain(out));
        assertEquals(CompletionStatus.SUCCESS, out[0].status());
        assertTrue(out[0].isSuccess());
        assertEquals(good.flags() | Descriptor.DONE, out[0].descriptor().flags());
        assertEquals(64, out[0].bytesCompleted());
        assertEquals(CompletionStatus.BAD_OPCODE, out[1].status());
        assertTrue(out[1].isError());
        assertEquals(bad.flags() | Descriptor.DONE | Descriptor.ERROR, out[1].descriptor().flags());
    }

    @Test
    void shouldReportCompletionBySequenceWithoutDraining() {
        engine(4);
        engine.submitUnchecked(tagged(0), tagged(1));
        assertFalse(engine.isComplete(0));
        device.process(1);
        assertTrue(engine.isComplete(0));
        assertFalse(engine.isComplete(1));
        assertEquals(2, engine.size(), "isComplete does not drain");
        engine.drain(new CompletedDescriptor[1]);
        assertTrue(engine.isComplete(0), "drained counts as complete");
        assertThrows(IllegalArgumentException.class, () -> engine.isComplete(2));
    }

    @Test
    void shouldRejectAnUnencodableBatchBeforeWritingAnything() {
        engine(8);
        var e = assertThrows(IllegalArgumentException.class,
                () -> engine.submitUnchecked(tagged(0), Descriptor.memmove(0, 0x1000, 1L << 33)));
        assertTrue(e.getMessage().startsWith("descriptor 1"), e.getMessage());
        assertEquals(0, engine.size());
        assertEquals(List.of(), device.doorbells());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 8, 128})
    void shouldKeepFifoOrderAndSizeOverTenThousandRandomBatches(int capacity, @Seed(0x5EED_0A11L) long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        String ctx = "seed " + seed + ", capacity " + capacity;
        engine(capacity);
        ArrayDeque<Long> expected = new ArrayDeque<>();
        long nextTag = 0;
        long drained = 0;
        CompletedDescriptor[] out = new CompletedDescriptor[2 * capacity];
        for (int round = 0; round < 10_000; round++) {
            int batch = rnd.nextInt(0, 2 * capacity);
            List<Descriptor> ds = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                ds.add(tagged(nextTag + i));
            }
            int free = capacity - 1 - engine.size();
            int accepted = engine.submitUnchecked(ds);
            assertEquals(Math.min(batch, free), accepted, ctx + ", round " + round);
            for (int i = 0; i < accepted; i++) {
                expected.add(nextTag + i);
            }
            nextTag += accepted;
            device.process(rnd.nextInt(0, capacity + 1));
            CompletedDescriptor[] view = new CompletedDescriptor[rnd.nextInt(0, out.length + 1)];
            int n = engine.drain(view);
            System.arraycopy(view, 0, out, 0, n);
            for (int i = 0; i < n; i++) {
                long tag = expected.removeFirst();
                assertEquals(0x1000 + tag, out[i].descriptor().address(), ctx + ", round " + round);
                assertEquals(drained, out[i].sequence(), ctx);
                assertEquals(drained % capacity, out[i].slot(), ctx);
                drained++;
            }
            assertEquals(expected.size(), engine.size(), ctx + ", round " + round);
            assertTrue(engine.size() <= capacity - 1, ctx);
            assertEquals(engine.isEmpty(), engine.head() == engine.tail(), ctx);
            assertEquals(engine.isFull(), (engine.head() + 1) % capacity == engine.tail(), ctx);
        }
        assertTrue(drained / capacity > 100, ctx + ": the ring wrapped many times (" + drained + " drained)");
    }

    @Test
    void shouldDropInFlightDescriptorsAndStartAtSlotZeroOnRestart() {
        engine(8);
        engine.submitUnchecked(tagged(0), tagged(1), tagged(2));
        device.process(1);
        engine.drain(new CompletedDescriptor[1]);
        List<Descriptor> dropped = engine.restart();
        assertEquals(List.of(tagged(1), tagged(2)), dropped);
        assertTrue(engine.isEmpty());
        assertEquals(0, engine.head());
        assertEquals(8, engine.submittedCount(), "sequence numbers stay monotonic");
        assertEquals(1, engine.submitUnchecked(tagged(3)));
        device.process(1);
        CompletedDescriptor[] out = new CompletedDescriptor[2];
        assertEquals(1, engine.drain(out));
        assertEquals(0, out[0].slot());
        assertEquals(tagged(3).address(), out[0].descriptor().address());
    }

    @Test
    void shouldDetachTheDeviceAndRefuseWorkAfterClose() {
        engine(8);
        long free = memory.frames().stats().freeFrames();
        engine.close();
        assertFalse(device.attached());
        assertTrue(memory.frames().stats().freeFrames() > free, "ring frames returned");
        assertThrows(IllegalStateException.class, () -> engine.submitUnchecked(tagged(0)));
        engine.close();
    }

    @Test
    void shouldRefuseNothingForAnEmptyBatchAndKeepStateWhenFull() {
        engine(2);
        assertEquals(1, engine.submitUnchecked(tagged(0)));
        assertEquals(0, engine.submitUnchecked(tagged(1), tagged(2)));
        device.process(5);
        CompletedDescriptor[] out = new CompletedDescriptor[3];
        assertEquals(1, engine.drain(out));
        assertArrayEquals(new long[] {0x1000}, new long[] {out[0].descriptor().address()});
        assertEquals(1, engine.submitUnchecked(tagged(1)));
    }
}
