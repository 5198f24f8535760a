package org.jdma.kernel.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.time.TraceRecorder.TraceEvent;
import org.junit.jupiter.api.Test;

/** The same seed gives the same trace with several CPUs: one total order of events, each interrupt naming its CPU. */
class MultiCpuDeterminismTest {

    /** Copies from CPUs 1 and 3 with the completion vector moved between CPUs; returns the machine's trace. */
    private static List<TraceEvent> run(long seed) {
        try (Machine machine = new Machine(TestMachines.small(1).withSeed(seed))) {
            machine.trace().enable(true);
            try (Kernel kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT))) {
                CopyEngineDriver engine = kernel.copyEngine();
                DmaBuffer src = kernel.memory().allocate(8192, 4096);
                DmaBuffer dst = kernel.memory().allocate(8192, 4096);
                for (int round = 0; round < 6; round++) {
                    int handler = round % 4;
                    kernel.drivers().setIrqAffinity(engine.completionVector(), handler);
                    int submitter = round % 2 == 0 ? 1 : 3;
                    long length = 512L * (round + 1);
                    machine.runOn(submitter, () -> engine.copy(src, dst, length));
                }
                src.close();
                dst.close();
            }
            return machine.trace().events();
        }
    }

    @Test
    void shouldTraceTheSameMultiCpuRunTheSameWayTwice() {
        List<TraceEvent> first = run(42);
        List<TraceEvent> second = run(42);
        assertEquals(first, second);
        Set<Object> cpus = first.stream().filter(e -> e.track().equals("irq") && e.name().startsWith("vector "))
                .map(e -> e.args().get("cpu")).collect(Collectors.toSet());
        assertEquals(Set.of(0, 1, 2, 3), cpus, "the completion interrupts were handled on every CPU, and the trace says which");
        assertTrue(first.size() > 20, "a real run: " + first.size() + " events");
    }
}
