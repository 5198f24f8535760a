package org.jdma.kernel.drivers.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.driver.DeviceInfo;
import org.jdma.kernel.driver.LegacyResources;
import org.jdma.kernel.driver.PortRange;
import org.jdma.kernel.driver.ProbeFailure;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.timer.CountdownTimer;
import org.jdma.machine.dev.timer.CountdownTimerConfig;
import org.jdma.platform.irq.LineTrigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The example legacy device and its driver, as {@code docs/ADDING-A-DEVICE.md} plugs them in: the
 * timer by one line of machine configuration, the driver by one registration, which names the
 * ports and the IRQ line because nothing can enumerate an ISA device.
 */
class CountdownTimerDriverTest {

    private static final long TICK_NS = CountdownTimerConfig.DEFAULT.tickNs();

    private Machine machine;
    private Kernel kernel;

    private Kernel boot(int driverBase) {
        machine = new Machine(MachineConfig.defaults()
                .withDevice(CountdownTimer.spec("timer0", 0x300, 5))); // the device: one configuration line
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withDmaDebug(true)
                .withDriver(CountdownTimerDriver.driver(driverBase, 5))); // the driver: one registration
        return kernel;
    }

    @AfterEach
    void tearDown() {
        if (kernel != null) {
            kernel.close();
        }
        if (machine != null) {
            machine.close();
        }
    }

    @Test
    void shouldCountEveryExpiryOfAPeriodicCountOnItsEdgeTriggeredLine() {
        CountdownTimerDriver timer = boot(0x300).driver(CountdownTimerDriver.class);
        assertEquals("timer0", timer.name());
        assertEquals(5, timer.irq().line());
        assertEquals(LineTrigger.EDGE, timer.irq().trigger());
        timer.start(1000, true);
        machine.eventKernel().runFor(10 * 1000 * TICK_NS + TICK_NS / 2);
        assertEquals(10, timer.expiries(), "one interrupt per 1000 ticks");
        assertEquals(10, timer.irq().dispatched());
        assertTrue(timer.running());
        timer.stop();
        machine.eventKernel().runFor(5 * 1000 * TICK_NS);
        assertEquals(10, timer.expiries(), "nothing after STOP");
        kernel.dmaDebug().orElseThrow().assertNoReports();
    }

    @Test
    void shouldExpireOnceForAOneShotCountAndReadTheCountDown() {
        CountdownTimerDriver timer = boot(0x300).driver(CountdownTimerDriver.class);
        timer.start(CountdownTimerDriver.MAX_COUNT, false);
        machine.eventKernel().runFor(1000 * TICK_NS);
        int count = timer.count();
        assertTrue(count < CountdownTimerDriver.MAX_COUNT - 990 && count > CountdownTimerDriver.MAX_COUNT - 1010,
                "about 1000 ticks counted down from 65536: " + count);
        machine.eventKernel().runFor((long) CountdownTimerDriver.MAX_COUNT * TICK_NS);
        assertEquals(1, timer.expiries());
        assertFalse(timer.running());
        machine.eventKernel().runFor((long) CountdownTimerDriver.MAX_COUNT * TICK_NS);
        assertEquals(1, timer.expiries(), "a one-shot count expires once");
    }

    @Test
    void shouldRefuseABindWhereNoTimerAnswersAndLeaveTheLineUnrouted() {
        boot(0x310);
        assertEquals(List.of(), kernel.drivers().drivers(CountdownTimerDriver.class));
        ProbeFailure f = kernel.drivers().failures().getFirst();
        assertEquals("timer0", f.name());
        assertEquals(new DeviceInfo.Legacy(LegacyResources.of(PortRange.of(0x310, 4)).withIrq(5)), f.device());
        assertTrue(f.reason().contains("no countdown timer answers at ports 0x310-0x313 (STATUS reads 0xff)"), f.reason());
        // The real timer at 0x300 still interrupts, but nothing was routed for it.
        CountdownTimer device = machine.devices(CountdownTimer.class).getFirst();
        machine.cpu().out8(0x300, 10);
        machine.cpu().out8(0x300, 0);
        machine.cpu().out8(0x301, 1);
        machine.eventKernel().runFor(20 * TICK_NS);
        assertEquals(1, device.expiries());
        assertEquals(1, machine.interruptController().lineCounters(5).masked(), "the edge found the line masked");
        assertEquals(0, machine.interruptController().lineCounters(5).delivered());
    }

    @Test
    void shouldStopTheTimerAndUnrouteItsLineWhenRemoved() {
        CountdownTimerDriver timer = boot(0x300).driver(CountdownTimerDriver.class);
        timer.start(100, true);
        int vector = timer.irq().vector();
        kernel.drivers().unbind("timer0");
        CountdownTimer device = machine.devices(CountdownTimer.class).getFirst();
        assertFalse(device.running());
        assertEquals(vector, machine.interrupts().allocateVector(), "its vector is free again");
        assertThrows(IllegalStateException.class, () -> timer.start(100, false));
    }

    @Test
    void shouldRejectACountOutsideTheSixteenBitRange() {
        CountdownTimerDriver timer = boot(0x300).driver(CountdownTimerDriver.class);
        var e = assertThrows(IllegalArgumentException.class, () -> timer.start(CountdownTimerDriver.MAX_COUNT + 1, false));
        assertTrue(e.getMessage().contains("65537"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> timer.start(0, false));
    }
}
