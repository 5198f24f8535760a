package org.jdma.kernel.driver;

import static org.jdma.kernel.driver.DriverRig.recording;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.jdma.spec.memcpy.CopyEngineRegisters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Deferred work runs as the CPU it was raised for, after the current event, and never nested in other deferred work there. */
class SoftirqTest {

    private final DriverRig rig = new DriverRig(true);
    private final List<String> log = new ArrayList<>();
    private DriverContext context;

    @AfterEach
    void tearDown() {
        rig.close();
    }

    private DriverContext bind() {
        rig.bind(recording("softirq", DeviceMatch.pciId(CopyEngineRegisters.VENDOR_ID, CopyEngineRegisters.DEVICE_ID),
                ctx -> context = ctx));
        return context;
    }

    @Test
    void shouldRunDeferredWorkAsItsCpuAfterTheCaller() {
        DriverContext ctx = bind();
        ctx.raiseSoftirq(2, "work", () -> log.add("work on CPU " + ctx.currentCpu()));
        log.add("caller on CPU " + ctx.currentCpu());
        rig.machine.eventKernel().runUntilIdle();
        assertEquals(List.of("caller on CPU 0", "work on CPU 2"), log);
    }

    @Test
    void shouldNotNestDeferredWorkOnACpuWhileOtherWorkThereLetsTheMachineRun() {
        DriverContext ctx = bind();
        ctx.raiseSoftirq(1, "outer", () -> {
            log.add("outer begins");
            ctx.raiseSoftirq(1, "inner", () -> log.add("inner on CPU " + ctx.currentCpu()));
            ctx.raiseSoftirq(3, "elsewhere", () -> log.add("elsewhere on CPU " + ctx.currentCpu()));
            ctx.clock().runFor(5 * DriverContext.SOFTIRQ_RETRY_NS); // a wait that lets events run
            log.add("outer ends");
        });
        rig.machine.eventKernel().runUntilIdle();
        assertEquals(List.of("outer begins", "elsewhere on CPU 3", "outer ends", "inner on CPU 1"), log);
    }

    @Test
    void shouldKeepTheCpuForTheCpuTimeTimedWorkTookThenEndItAndRunWhatWaitedWhenItIsFree() {
        DriverContext ctx = bind();
        long start = ctx.clock().now();
        ctx.raiseTimedSoftirq(1, "poll", () -> {
            log.add("poll at " + (ctx.clock().now() - start));
            ctx.raiseSoftirq(1, "other", () -> log.add("other at " + (ctx.clock().now() - start)));
            ctx.raiseSoftirq(2, "elsewhere", () -> log.add("elsewhere at " + (ctx.clock().now() - start)));
            return 2_500;
        }, () -> log.add("end on CPU " + ctx.currentCpu() + " at " + (ctx.clock().now() - start)));
        rig.machine.eventKernel().runUntilIdle();
        assertEquals(List.of("poll at 0", "elsewhere at 0", "end on CPU 1 at 2500", "other at 2500"), log,
                "the other work waits exactly until the CPU is free, not a retry interval");
    }

    @Test
    void shouldEndTimedWorkAtOnceWhenItTookNoCpuTime() {
        DriverContext ctx = bind();
        ctx.raiseTimedSoftirq(1, "poll", () -> {
            ctx.raiseSoftirq(1, "other", () -> log.add("other"));
            return 0;
        }, () -> log.add("end"));
        log.add("raised");
        rig.machine.eventKernel().runUntilIdle();
        assertEquals(List.of("raised", "end", "other"), log);
    }

    @Test
    void shouldRefuseACpuThatDoesNotExist() {
        DriverContext ctx = bind();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ctx.raiseSoftirq(9, "x", () -> { }));
        assertEquals(true, e.getMessage().contains("CPU 9 does not exist"), e.getMessage());
    }
}
