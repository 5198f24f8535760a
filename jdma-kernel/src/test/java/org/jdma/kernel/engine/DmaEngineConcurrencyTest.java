package org.jdma.kernel.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jdma.kernel.testing.SoftwareRingDevice;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.dev.memcpy.CompletionStatus;
import org.junit.jupiter.api.Test;

/** Checklist row 9: the ring with a real second thread consuming it. */
class DmaEngineConcurrencyTest {

    private static final int TOTAL = 1_000_000;

    @Test
    void shouldMoveAMillionDescriptorsThroughAConsumerThreadWithoutLossOrDuplication() throws InterruptedException {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Machine machine = TestMachines.ramOnly()) {
            DmaMemory memory = TestMachines.dmaMemory(machine);
            SoftwareRingDevice device = new SoftwareRingDevice(machine.cpu());
            try (DmaEngine engine = new DmaEngine(memory, device, 128, DeviceAddressing.physical())) {
                device.start();
                try {
                    long submitted = 0;
                    long drained = 0;
                    CompletedDescriptor[] out = new CompletedDescriptor[64];
                    List<Descriptor> batch = new ArrayList<>(64);
                    while (drained < TOTAL) {
                        int want = (int) Math.min(rnd.nextInt(1, 65), TOTAL - submitted);
                        batch.clear();
                        for (int i = 0; i < want; i++) {
                            batch.add(new Descriptor(submitted + i, 8, Descriptor.VALID));
                        }
                        submitted += engine.submit(batch);
                        int n = engine.drain(out);
                        for (int i = 0; i < n; i++) {
                            CompletedDescriptor c = out[i];
                            assertEquals(drained, c.descriptor().address(), "seed " + seed + ": FIFO, nothing lost or duplicated");
                            assertEquals(drained, c.sequence(), "seed " + seed);
                            assertEquals(CompletionStatus.SUCCESS, c.status(), "seed " + seed);
                            drained++;
                        }
                        if (n == 0) {
                            Thread.onSpinWait();
                        }
                    }
                    assertEquals(TOTAL, submitted);
                    assertTrue(engine.isEmpty());
                } finally {
                    device.stop();
                }
            }
        }
    }
}
