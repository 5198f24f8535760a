package org.jdma.machine.dev.timer;

import static org.jdma.machine.mmio.RegisterAccess.RO;
import static org.jdma.machine.mmio.RegisterAccess.RW;
import static org.jdma.machine.mmio.RegisterAccess.WO;
import static org.jdma.spec.timer.CountdownTimerPorts.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.cpu.MachineCpu;
import org.jdma.machine.dev.DeviceSpec;
import org.jdma.machine.legacy.LegacyResources;
import org.jdma.machine.legacy.PortRange;
import org.jdma.platform.irq.LineTrigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The countdown timer against its datasheet ({@link org.jdma.spec.timer.CountdownTimerPorts}), driven by port I/O as an OS drives it. */
class CountdownTimerTest {

    static final int BASE = CountdownTimer.DEFAULT_BASE;
    static final int IRQ = CountdownTimer.DEFAULT_IRQ;
    static final long TICK = CountdownTimerConfig.DEFAULT.tickNs();

    private final Machine machine = new Machine(MachineConfig.defaults()
            .withRam(List.of(new MachineConfig.Ram("low", 0, 16L << 20))).toBuilder()
            .device("timer0", CountdownTimer.KIND, CountdownTimerConfig.DEFAULT, CountdownTimer.resources(BASE, IRQ))   // the one line
            .build());
    private final MachineCpu cpu = machine.cpu();
    private final CountdownTimer timer = (CountdownTimer) machine.device("timer0");
    /** When the handler of the timer's vector ran, and the STATUS it read. */
    private final List<long[]> handled = new ArrayList<>();
    private long handlerEntryLatency;

    @AfterEach
    void close() {
        machine.close();
    }

    private void routeIrq() {
        int vector = machine.interrupts().allocateVector();
        machine.interrupts().register(vector, v -> handled.add(new long[] {machine.eventKernel().now(), status()}));
        machine.interrupts().routeLine(IRQ, vector, LineTrigger.EDGE);
        handlerEntryLatency = machine.config().interruptLatencyNs();
    }

    private int status() {
        return cpu.in8(BASE + STATUS) & 0xFF;
    }

    private void load(int count) {
        cpu.out8(BASE + DATA, count & 0xFF);
        cpu.out8(BASE + DATA, count >>> 8);
    }

    private int readCount() {
        int lo = cpu.in8(BASE + DATA) & 0xFF;
        return lo | (cpu.in8(BASE + DATA) & 0xFF) << 8;
    }

    @Test
    void shouldBePluggedOnTheLegacyBusByOneLineOfConfiguration() {
        assertSame(timer, machine.devices(CountdownTimer.class).getFirst());
        assertEquals(List.of(timer), machine.legacyBus().devices());
        assertEquals(Optional.of("timer0"), machine.legacyBus().irqOwner(IRQ));
        assertEquals("timer0", machine.ioPorts().claimAt(BASE + RESERVED).owner());
        assertTrue(machine.lpcBridge().isPresent(), "the machine now has a legacy bus to bridge to");
        assertTrue(machine.pciFunctions().contains(machine.lpcBridge().get()));
    }

    @Test
    void shouldMatchTheDatasheetPortTableRowByRow() {
        assertEquals(List.of(new TimerPort("DATA", DATA, RW), new TimerPort("CONTROL", CONTROL, WO),
                new TimerPort("STATUS", STATUS, RO)), timer.portTable());
        assertEquals(UNDRIVEN, cpu.in8(BASE + CONTROL) & 0xFF, "CONTROL is write-only: nothing drives a read");
        assertEquals(UNDRIVEN, cpu.in8(BASE + RESERVED) & 0xFF);
        cpu.out8(BASE + STATUS, 0xFF);
        cpu.out8(BASE + RESERVED, 0xFF);
        assertEquals(0, status(), "STATUS is read-only and the reserved port ignores writes");
        assertEquals(0, readCount(), "reset: count 0");
        cpu.out8(BASE + DATA, 0x34);
        assertEquals(STATUS_WRITE_HIGH_NEXT, status(), "the write pointer after a low byte");
        cpu.out8(BASE + DATA, 0x12);
        assertEquals(0, status());
        cpu.in8(BASE + DATA);
        assertEquals(STATUS_READ_HIGH_NEXT, status(), "the read pointer after a low byte");
        cpu.in8(BASE + DATA);
        assertEquals(0, status());
        assertEquals(0, machine.cpu().busErrors());
    }

    @Test
    void shouldInterruptWithOneEdgeWhenTheCountRunsOut() {
        routeIrq();
        load(1000);
        long t0 = machine.eventKernel().now();
        cpu.out8(BASE + CONTROL, CONTROL_START);
        assertEquals(STATUS_RUNNING, status());
        machine.eventKernel().runUntilIdle();
        assertEquals(1, handled.size());
        assertEquals(t0 + 1000 * TICK + handlerEntryLatency, handled.getFirst()[0], "expiry at start + count * tick");
        assertEquals(STATUS_EXPIRED, handled.getFirst()[1], "the handler sees EXPIRED, the counter stopped");
        assertFalse(machine.interruptController().lineAsserted(IRQ), "an edge: the line is low again");
        assertEquals(1, machine.interruptController().lineCounters(IRQ).assertions());
        assertEquals(0, readCount(), "a one-shot stops at 0");
        cpu.out8(BASE + CONTROL, CONTROL_ACK);
        assertEquals(0, status(), "ACK clears EXPIRED");
    }

    @Test
    void shouldReadTheCurrentCountLatchedAtTheLowByte() {
        load(0x1234);
        long t0 = machine.eventKernel().now();
        cpu.out8(BASE + CONTROL, CONTROL_START);   // the write reaches the device at t0, then the CPU stalls
        machine.eventKernel().runFor(0x200 * TICK);
        long sampled = machine.eventKernel().now() + cpu.ioPortAccessNs();   // an IN stalls before it samples
        int lo = cpu.in8(BASE + DATA) & 0xFF;
        machine.eventKernel().runFor(0x100 * TICK);   // the counter moves on; the latched high byte does not
        int hi = cpu.in8(BASE + DATA) & 0xFF;
        int expected = 0x1234 - (int) ((sampled - t0) / TICK);
        assertEquals(expected, lo | hi << 8);
        assertTrue(readCount() <= expected - 0x100, "a new read latches anew");
    }

    @Test
    void shouldHoldTheCountOnStopAndRestartFromTheReloadCountOnStart() {
        routeIrq();
        load(500);
        cpu.out8(BASE + CONTROL, CONTROL_START);
        machine.eventKernel().runFor(200 * TICK);
        cpu.out8(BASE + CONTROL, CONTROL_STOP);
        int held = readCount();
        assertTrue(held > 250 && held <= 300, "about 300 ticks were left: " + held);
        machine.eventKernel().runFor(10_000 * TICK);
        assertEquals(held, readCount(), "stopped: the count holds");
        assertTrue(handled.isEmpty(), "and the expiry was cancelled");
        long t = machine.eventKernel().now();
        cpu.out8(BASE + CONTROL, CONTROL_START);
        machine.eventKernel().runUntilIdle();
        assertEquals(t + 500 * TICK + handlerEntryLatency, handled.getFirst()[0], "START loads the reload count again");
    }

    @Test
    void shouldExpireEveryReloadCountTicksWithoutDriftWhenPeriodic() {
        routeIrq();
        load(100);
        long t0 = machine.eventKernel().now();
        cpu.out8(BASE + CONTROL, CONTROL_START | CONTROL_PERIODIC);
        assertEquals(STATUS_RUNNING | STATUS_PERIODIC, status());
        machine.eventKernel().runUntil(t0 + 5 * 100 * TICK + handlerEntryLatency);
        assertEquals(5, handled.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(t0 + (i + 1) * 100 * TICK + handlerEntryLatency, handled.get(i)[0], "expiry " + (i + 1));
            assertEquals(STATUS_RUNNING | STATUS_PERIODIC | STATUS_EXPIRED, handled.get(i)[1]);
        }
        assertEquals(5, timer.expiries());
        cpu.out8(BASE + CONTROL, CONTROL_STOP | CONTROL_ACK);
        assertEquals(STATUS_PERIODIC, status(), "stopped and acknowledged");
        machine.eventKernel().runUntilIdle();
        assertEquals(5, handled.size());
    }

    @Test
    void shouldCountAZeroReloadAs65536Ticks() {
        routeIrq();
        long t0 = machine.eventKernel().now();
        cpu.out8(BASE + CONTROL, CONTROL_START);   // reload count 0 after reset
        machine.eventKernel().runUntilIdle();
        assertEquals(t0 + 65536L * TICK + handlerEntryLatency, handled.getFirst()[0]);
    }

    @Test
    void shouldRefuseAStartWithHalfACountAndSayWhy() {
        routeIrq();
        cpu.out8(BASE + DATA, 0x10);   // low byte only
        cpu.out8(BASE + CONTROL, CONTROL_START);
        assertEquals(STATUS_WRITE_HIGH_NEXT | STATUS_START_ERROR, status());
        assertFalse(timer.running());
        cpu.out8(BASE + DATA, 0x00);
        cpu.out8(BASE + CONTROL, CONTROL_ACK | CONTROL_START);
        assertEquals(STATUS_RUNNING, status(), "ACK cleared the error, then START ran the whole count 0x0010");
        machine.eventKernel().runUntilIdle();
        assertEquals(1, handled.size());
    }

    @Test
    void shouldStopAndForgetEverythingOnTheBusReset() {
        routeIrq();
        load(300);
        cpu.out8(BASE + CONTROL, CONTROL_START | CONTROL_PERIODIC);
        cpu.out8(BASE + DATA, 0x77);
        machine.legacyBus().reset();
        machine.eventKernel().runUntilIdle();
        assertTrue(handled.isEmpty(), "the pending expiry was cancelled");
        assertEquals(0, status());
        assertEquals(0, readCount());
    }

    @Test
    void shouldNeverThrowForAnyPortAccess() {
        routeIrq();
        for (int port = BASE; port < BASE + PORT_COUNT; port++) {
            for (int value = 0; value < 256; value++) {
                cpu.out8(port, value);
                cpu.in8(port);
                machine.eventKernel().runFor(TICK);
            }
        }
        cpu.out32(BASE, -1);
        cpu.in32(BASE);
        machine.eventKernel().runFor(70_000 * TICK);
        cpu.out8(BASE + CONTROL, CONTROL_STOP | CONTROL_ACK);
        assertEquals(0, machine.cpu().busErrors());
    }

    @Test
    void shouldRefuseAPlacementThatIsNotFourPortsAndAnIrq() {
        var noIrq = assertThrows(IllegalArgumentException.class, () -> new Machine(MachineConfig.defaults().withDevice(
                DeviceSpec.legacy("timer1", CountdownTimer.KIND, CountdownTimerConfig.DEFAULT, LegacyResources.of(PortRange.of(0x310, 4))))));
        assertEquals("timer1: a countdown timer decodes one range of 4 ports and drives one IRQ line, with no DMA channel; "
                + "its placement gives ports [0x0310-0x0313]", noIrq.getMessage());
        var clash = assertThrows(IllegalArgumentException.class, () -> new Machine(machine.config()
                .withDevice(CountdownTimer.spec("timer1", BASE + 2, 7))));
        assertEquals("timer1 cannot claim I/O ports [0x0302-0x0305]: timer0 [0x0300-0x0303] already claims them", clash.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CountdownTimerConfig(0));
    }
}
