package org.jdma.machine.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The event kernel's inbox: work other threads post, run by the machine thread in order, nothing lost. */
class EventKernelInboxTest {

    private final EventKernel kernel = new EventKernel(1);
    private final List<String> ran = new ArrayList<>();

    @Test
    void shouldRunPostedWorkOldestFirstBeforeTheNextEventAtTheCurrentTime() {
        kernel.scheduleAt(10, "a", () -> ran.add("a@" + kernel.now()));
        kernel.scheduleAt(20, "b", () -> ran.add("b@" + kernel.now()));
        kernel.step();
        kernel.post(() -> ran.add("p1@" + kernel.now()));
        kernel.post(() -> ran.add("p2@" + kernel.now()));
        kernel.post(() -> ran.add("p3@" + kernel.now()));
        kernel.step();
        assertEquals(List.of("a@10", "p1@10", "p2@10", "p3@10", "b@20"), ran);
        assertEquals(3, kernel.postedRun());
        assertEquals(2, kernel.executedEvents(), "posted work is not counted as events");
    }

    @Test
    void shouldRunPostedWorkWhenNoEventIsPending() {
        kernel.post(() -> ran.add("p@" + kernel.now()));
        assertTrue(kernel.step(), "a step that ran posted work reports that something ran");
        assertFalse(kernel.step());
        assertEquals(List.of("p@0"), ran);
    }

    @Test
    void shouldRunAnEventThatPostedWorkSchedulesInTheSameRun() {
        kernel.post(() -> kernel.schedule(5, "from post", () -> ran.add("e@" + kernel.now())));
        assertEquals(1, kernel.runUntilIdle());
        assertEquals(List.of("e@5"), ran);
    }

    @Test
    void shouldRunPostedWorkInsideATimedRunAndAConditionalRun() {
        kernel.post(() -> ran.add("timed"));
        kernel.runFor(100);
        AtomicBoolean done = new AtomicBoolean();
        kernel.post(() -> done.set(true));
        assertTrue(kernel.runUntil(done::get, 200), "work posted with no event pending still runs before the deadline");
        assertEquals(List.of("timed"), ran);
        assertEquals(100, kernel.now(), "running posted work moves no time");
    }

    @Test
    void shouldCostNothingWhenTheInboxIsEmpty() {
        assertEquals(0, kernel.runPosted());
        assertFalse(kernel.step());
        assertEquals(0, kernel.postedRun());
    }

    @Test
    void shouldDropPostedWorkAtReset() {
        kernel.post(() -> ran.add("stale"));
        kernel.reset();
        kernel.runUntilIdle();
        assertEquals(List.of(), ran);
    }

    @Test
    void shouldRunTheRestOfTheInboxThenReportTheFirstFailure() {
        kernel.post(() -> ran.add("before"));
        kernel.post(() -> {
            throw new IllegalArgumentException("bad delivery");
        });
        kernel.post(() -> ran.add("after"));
        IllegalStateException e = assertThrows(IllegalStateException.class, kernel::runPosted);
        assertTrue(e.getMessage().contains("bad delivery"), e.getMessage());
        assertEquals(List.of("before", "after"), ran);
    }

    @Test
    void shouldKnowWhichThreadsAreDeviceThreads() throws InterruptedException {
        AtomicReference<Boolean> onDevice = new AtomicReference<>();
        AtomicReference<Boolean> afterStop = new AtomicReference<>();
        Thread device = new Thread(() -> {
            kernel.deviceThreadStarted();
            onDevice.set(kernel.onDeviceThread());
            kernel.runOnMachineThread(() -> ran.add("posted by device"));
            kernel.deviceThreadStopped();
            afterStop.set(kernel.onDeviceThread());
        });
        device.start();
        device.join();
        assertTrue(onDevice.get());
        assertFalse(afterStop.get());
        assertFalse(kernel.onDeviceThread(), "the machine thread is no device thread");
        assertEquals(List.of(), ran, "work from a device thread waits for the machine thread");
        kernel.runOnMachineThread(() -> ran.add("direct"));
        assertEquals(List.of("direct"), ran, "on the machine thread the work runs at once");
        kernel.runPosted();
        assertEquals(List.of("direct", "posted by device"), ran);
    }

    @Test
    void shouldLoseNothingAndKeepEachProducersOrderUnderManyProducers() throws InterruptedException {
        int producers = 4;
        int perProducer = 50_000;
        int[] nextExpected = new int[producers];
        long[] total = new long[1];
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            Thread t = new Thread(() -> {
                awaitQuietly(start);
                for (int i = 0; i < perProducer; i++) {
                    int n = i;
                    kernel.post(() -> {
                        assertEquals(nextExpected[producer], n, "producer " + producer + " out of order");
                        nextExpected[producer]++;
                        total[0]++;
                    });
                }
            });
            threads.add(t);
            t.start();
        }
        start.countDown();
        while (threads.stream().anyMatch(Thread::isAlive)) {
            kernel.runPosted(); // the consumer drains while the producers post
            Thread.onSpinWait();
        }
        for (Thread t : threads) {
            t.join();
        }
        kernel.runPosted();
        assertEquals((long) producers * perProducer, total[0], "every post ran exactly once");
        for (int p = 0; p < producers; p++) {
            assertEquals(perProducer, nextExpected[p]);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
