package org.jdma.kernel.drivers.memcpy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jdma.kernel.driver.DriverRegistry;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import java.util.concurrent.TimeUnit;
import org.jdma.kernel.testing.Seed;
import org.jdma.kernel.testing.Seeds;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Checklist row 9 with a real second thread: the copy engine in threaded mode consumes the ring
 * while this thread submits and drains. Each descriptor fills one 8-byte cell with its own number,
 * so the final cells also show that data moved in order.
 *
 * <p>The test thread spins on the ring; a lost descriptor would spin it forever. The timeout runs
 * the test on a thread of its own and interrupts it, the spin gives up when interrupted, and the
 * {@code finally} stops the device thread (rethrowing its exception, if it died of one).
 */
class CopyEngineThreadedTest {

    @RegisterExtension
    static final Seeds SEEDS = new Seeds();

    private static final int TOTAL = 1_000_000;
    private static final int CELLS = 4096;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldMoveAMillionDescriptorsThroughTheDeviceThreadWithoutLossOrDuplication(@Seed(0x5EED_7EADL) long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Machine machine = new Machine(TestMachines.small(1))) {
            DmaMemory memory = TestMachines.dmaMemory(machine);
            try (DriverRegistry drivers = TestMachines.bindCopyEngines(machine, TestMachines.directDma(memory),
                    CopyEngineDriver.Options.DEFAULTS.withMode(CopyEngineDriver.CompletionMode.POLLED).withRingSlots(256));
                 DmaBuffer cells = memory.allocate(CELLS * 8L, 4096)) {
                CopyEngineDriver driver = drivers.driver(CopyEngineDriver.class);
                CopyEngine device = machine.devices(CopyEngine.class).getFirst();
                device.startThread();
                try {
                    long submitted = 0;
                    long drained = 0;
                    CompletedDescriptor[] out = new CompletedDescriptor[128];
                    List<Descriptor> batch = new ArrayList<>(128);
                    while (drained < TOTAL) {
                        int want = (int) Math.min(rnd.nextInt(1, 129), TOTAL - submitted);
                        batch.clear();
                        for (int i = 0; i < want; i++) {
                            long n = submitted + i;
                            batch.add(Descriptor.memfill(cells.physicalAddress() + (n % CELLS) * 8, 8, n));
                        }
                        submitted += driver.submitUnchecked(batch);
                        int got = driver.drain(out);
                        for (int i = 0; i < got; i++) {
                            CompletedDescriptor c = out[i];
                            assertEquals(drained, c.sequence(), "seed " + seed + ": FIFO, nothing lost or duplicated");
                            assertEquals(drained, c.descriptor().pattern(), "seed " + seed);
                            assertEquals(CompletionStatus.SUCCESS, c.status(), "seed " + seed);
                            drained++;
                        }
                        if (got == 0) {
                            if (Thread.interrupted()) {
                                throw new AssertionError("seed " + seed + ": interrupted (timed out) with " + drained
                                        + " of " + submitted + " submitted descriptors drained");
                            }
                            Thread.onSpinWait();
                        }
                    }
                    assertEquals(TOTAL, submitted);
                } finally {
                    device.stopThread();
                }
                for (int cell = 0; cell < CELLS; cell++) {
                    long last = TOTAL - CELLS + ((cell - (TOTAL - CELLS)) % CELLS + CELLS) % CELLS;
                    assertEquals(last, cells.readLong(cell * 8L), "seed " + seed + ": cell " + cell + " holds the last fill aimed at it");
                }
                assertTrue(driver.ring().isEmpty());
                assertEquals(0, driver.completionInterrupts(), "polled descriptors ask for no MSI");
            }
        }
    }
}
