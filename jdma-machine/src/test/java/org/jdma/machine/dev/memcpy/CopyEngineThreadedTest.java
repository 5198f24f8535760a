package org.jdma.machine.dev.memcpy;

import static org.jdma.spec.memcpy.CopyEngineRegisters.*;
import static org.jdma.machine.dev.memcpy.EngineRig.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jdma.machine.bus.DmaPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.Opcode;

/**
 * The engine on its own thread, with the test thread as the CPU: producing descriptors, ringing the
 * doorbell by MMIO and polling completion records with acquire loads. The timeouts only turn a
 * hang into a failure; nothing here measures speed. They run the test on a thread of their own and
 * interrupt it, and every spin gives up when interrupted (a same-thread timeout could not stop a
 * spin), so the rig still closes and a device thread that died rethrows its exception there.
 */
class CopyEngineThreadedTest {

    private static final int SLOTS = 64;
    private static final long DST_BASE = DATA + 0x10_0000;
    private static final int INTERRUPT_DESCRIPTORS = 3_000;

    /** Spins until the record's status byte is non-zero, as a polling driver does. */
    private static Completion await(EngineRig rig, long record) {
        rig.awaitRecord(record);
        return rig.record(record);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldMoveManyDescriptorsCorrectlyWithACpuThreadProducingAndPolling() {
        long seed = 0x7EAD_0001L;
        SplittableRandom r = new SplittableRandom(seed);
        try (EngineRig rig = new EngineRig()) {
            byte[] pool = new byte[64 * 1024];
            r.nextBytes(pool);
            rig.cpu.write(DATA, pool);
            rig.enable(SLOTS);
            long eventsBefore = rig.machine.eventKernel().executedEvents();
            rig.engine.startThread();

            int n = 20_000;
            int window = SLOTS - 1;
            long[] srcOff = new long[n];
            int[] size = new int[n];
            long bytes = 0;
            for (int i = 0; i < n + window; i++) {
                int retire = i - window;
                if (retire >= 0) {
                    Completion c = await(rig, recordAddress(retire % SLOTS));
                    String why = "seed " + seed + " descriptor " + retire;
                    assertEquals(CompletionStatus.SUCCESS, c.code(), why);
                    assertEquals(size[retire], c.bytesCompleted(), why);
                    byte[] want = new byte[size[retire]];
                    System.arraycopy(pool, (int) srcOff[retire], want, 0, size[retire]);
                    assertArrayEquals(want, rig.bytes(DST_BASE + (retire % 1024) * 1024L, size[retire]), why);
                }
                if (i < n) {
                    size[i] = r.nextInt(1, 1024);
                    srcOff[i] = r.nextInt(pool.length - 1024);
                    bytes += size[i];
                    rig.cpu.write32(recordAddress(i % SLOTS), 0);
                    rig.submit(memmove(DATA + srcOff[i], DST_BASE + (i % 1024) * 1024L, size[i], recordAddress(i % SLOTS)));
                }
            }
            rig.engine.stopThread();

            assertFalse(rig.engine.threaded());
            assertEquals(n, rig.engine.descriptorsCompleted());
            assertEquals(n, rig.reg64(COMPLETED));
            assertEquals(bytes, rig.engine.bytesMoved());
            DmaPort port = rig.machine.dmaPorts().getFirst();
            assertEquals(bytes + (long) n * CompletionRecordLayout.SIZE, port.bytesWritten(), "data plus one record each");
            assertEquals(eventsBefore, rig.machine.eventKernel().executedEvents(), "the event path stayed idle");
            assertEquals(0, rig.engine.msix().sent() + rig.engine.msix().pended(), "no descriptor asked for an interrupt");
            assertTrue(rig.engine.threadBusyWallNs() > 0);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldGoBackToTheEventKernelAfterStopThread() {
        try (EngineRig rig = new EngineRig()) {
            int vector = rig.machine.interrupts().allocateVector();
            int[] irqs = new int[1];
            rig.machine.interrupts().register(vector, v -> irqs[0]++);
            rig.msix(0, rig.machine.interrupts().messageFor(vector));
            rig.enable(SLOTS);
            rig.engine.startThread();
            rig.submit(noop(recordAddress(0)).op(Opcode.NOOP.code(), RECORD_FLAGS | CopyDescriptorLayout.FLAG_RCI));
            assertEquals(CompletionStatus.SUCCESS, await(rig, recordAddress(0)).code());
            rig.engine.stopThread();
            rig.runIdle();
            assertEquals(1, irqs[0], "the threaded descriptor's MSI, delivered once the machine runs");

            rig.submit(noop(recordAddress(1)).op(Opcode.NOOP.code(), RECORD_FLAGS | CopyDescriptorLayout.FLAG_RCI));
            rig.runIdle();
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(1)).code());
            assertEquals(2, irqs[0], "event mode sends interrupts as before");
            assertEquals(2, rig.reg64(COMPLETED));
        }
    }

    /**
     * Every third of {@value #INTERRUPT_DESCRIPTORS} descriptors asks for its completion interrupt;
     * each has a record of its own, so the handler can check that the k-th interrupt finds the k-th
     * asking descriptor's record written. The test thread is the CPU and runs the machine, which
     * delivers the messages the device thread sent.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldDeliverEveryCompletionInterruptOnceAfterItsRecordWhileThreaded() {
        try (EngineRig rig = new EngineRig()) {
            int vector = rig.machine.interrupts().allocateVector();
            int asking = (INTERRUPT_DESCRIPTORS + 2) / 3;
            int[] delivered = new int[1];
            List<Integer> recordMissing = new ArrayList<>();
            rig.machine.interrupts().register(vector, v -> {
                int descriptor = 3 * delivered[0]++;
                if (descriptor >= INTERRUPT_DESCRIPTORS
                        || (rig.cpu.read32Acquire(recordAddress(descriptor)) & 0xFF) != CompletionStatus.SUCCESS.code()) {
                    recordMissing.add(descriptor);
                }
            });
            rig.msix(0, rig.machine.interrupts().messageFor(vector));
            rig.enable(SLOTS);
            rig.engine.startThread();
            for (int i = 0; i < INTERRUPT_DESCRIPTORS; i++) {
                if (i >= SLOTS - 1) {
                    rig.awaitRecord(recordAddress(i - (SLOTS - 1))); // the ring has room again
                }
                int flags = RECORD_FLAGS | (i % 3 == 0 ? CopyDescriptorLayout.FLAG_RCI : 0);
                rig.submit(memfill(i, DATA + 8L * i, 8, recordAddress(i)).op(Opcode.MEMFILL.code(), flags));
                rig.machine.clock().runFor(100); // the CPU takes its interrupts as it goes
            }
            spinUntil(() -> {
                rig.machine.clock().runFor(1_000);
                return delivered[0] >= asking;
            }, () -> delivered[0] + " of " + asking + " completion interrupts");
            rig.engine.stopThread();
            rig.runIdle();

            assertEquals(asking, delivered[0], "each completion interrupt once");
            assertEquals(List.of(), recordMissing, "interrupts that found their descriptor's record unwritten");
            assertEquals(asking, rig.engine.msix().sent());
            assertEquals(INTERRUPT_DESCRIPTORS, rig.engine.descriptorsCompleted());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldTakeOverAScheduledFetchWithoutDoingTheDescriptorTwice() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(SLOTS);
            rig.submit(memfill(0x0101_0101_0101_0101L, DATA, 64, recordAddress(0))); // fetch event scheduled, not run
            rig.engine.startThread();
            assertEquals(CompletionStatus.SUCCESS, await(rig, recordAddress(0)).code());
            rig.engine.stopThread();
            rig.runIdle(); // the old fetch event runs now and must do nothing
            assertEquals(1, rig.reg64(COMPLETED));
            assertEquals(64, rig.engine.bytesMoved());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseToStartWhileADescriptorAwaitsItsCompletionEvent() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(SLOTS);
            rig.submit(noop(recordAddress(0)));
            rig.machine.clock().runFor(1); // fetched; completion pending
            IllegalStateException e = assertThrows(IllegalStateException.class, rig.engine::startThread);
            assertTrue(e.getMessage().contains("slot 0"), e.getMessage());
            rig.runIdle();
            rig.engine.startThread();
            assertThrows(IllegalStateException.class, rig.engine::startThread, "already threaded");
            rig.engine.stopThread();
            rig.engine.stopThread(); // idempotent
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldApplyResetAndHaltWhileThreaded() {
        try (EngineRig rig = new EngineRig()) {
            rig.engine.startThread();
            rig.enable(RAM_SIZE - CopyDescriptorLayout.SIZE, 4); // slot 0 readable, slot 1 not
            rig.submit(noop(recordAddress(0)));
            rig.write(SUBMIT_INDEX, 2); // slot 1 lies past the end of RAM
            spinUntil(() -> rig.state() == STATE_HALTED, () -> "STATE_HALTED, STATUS " + rig.reg(STATUS));
            assertEquals(ERROR_FETCH_FAULT, rig.reg(ERROR));
            assertEquals(RAM_SIZE, rig.reg64(ERROR_ADDRESS));
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(0)).code());

            rig.write(CONTROL, CONTROL_RESET);
            assertEquals(STATE_DISABLED | STATUS_IDLE, rig.reg(STATUS));
            rig.enable(SLOTS);
            rig.submit(noop(recordAddress(2)));
            assertEquals(CompletionStatus.SUCCESS, await(rig, recordAddress(2)).code());
            rig.engine.stopThread();
            assertEquals(1, rig.reg64(COMPLETED), "COMPLETED restarted at RESET");
            assertEquals(2, rig.engine.descriptorsCompleted());
        }
    }
}
