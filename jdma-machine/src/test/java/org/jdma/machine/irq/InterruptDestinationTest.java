package org.jdma.machine.irq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.mmio.Register;
import org.jdma.machine.mmio.RegisterAccess;
import org.jdma.machine.mmio.RegisterFile;
import org.jdma.machine.time.TraceRecorder.TraceEvent;
import org.jdma.platform.irq.LineTrigger;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.msi.MsiMessageLayout;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** MSI destinations on a machine with four CPUs: the CPU a message names handles it, and nobody else. */
class InterruptDestinationTest {

    private static final RequesterId DEV = RequesterId.of(0, 4, 0);
    private final Machine machine = new Machine(MachineConfig.builder().cpus(4).ram("low", 0, 16L << 20).build());
    private final InterruptController irq = machine.interruptController();
    private final List<String> log = new ArrayList<>();

    @AfterEach
    void close() {
        machine.close();
    }

    private void send(MsiMessage m) {
        irq.deliver(DEV, m.address(), m.data());
    }

    @Test
    void shouldPutTheCpusApicIdInTheDestinationField() {
        for (int cpu = 0; cpu < 4; cpu++) {
            MsiMessage m = irq.messageFor(0x40, cpu);
            assertEquals(cpu, MsiMessageLayout.destination(m.address()));
            assertEquals(0, m.address() & (MsiMessageLayout.ADDRESS_DM | MsiMessageLayout.ADDRESS_RH), "physical, no hint");
            assertEquals(0x40, m.vector());
        }
        assertEquals(irq.messageFor(0x40, 0), irq.messageFor(0x40), "the one-argument form is the boot CPU");
        var e = assertThrows(IllegalArgumentException.class, () -> irq.messageFor(0x40, 4));
        assertEquals("CPU 4 does not exist (CPUs 0..3)", e.getMessage());
    }

    @Test
    void shouldRunTheHandlerAsTheCpuTheMessageNamesAndCountItThere() {
        int v = irq.allocateVector();
        irq.register(v, vec -> log.add("vector " + vec + " on CPU " + machine.cpu().index()));
        for (int cpu : new int[] {2, 0, 3, 1, 3}) {
            send(irq.messageFor(v, cpu));
        }
        machine.eventKernel().runUntilIdle();
        assertEquals(List.of("vector " + v + " on CPU 2", "vector " + v + " on CPU 0", "vector " + v + " on CPU 3",
                "vector " + v + " on CPU 1", "vector " + v + " on CPU 3"), log);
        assertEquals(List.of(1L, 1L, 1L, 2L), List.of(irq.dispatched(v, 0), irq.dispatched(v, 1), irq.dispatched(v, 2), irq.dispatched(v, 3)));
        assertEquals(5, irq.dispatched(v), "the sum over CPUs");
        assertEquals(2, irq.dispatchedOn(3));
        assertEquals(0, machine.cpu().index(), "after the handlers the thread runs as the CPU it ran as before");
    }

    @Test
    void shouldReturnToTheInterruptedCpuWhenAHandlerOnAnotherCpuRunsDuringAStall() {
        RegisterFile regs = new RegisterFile("slow");
        regs.add(Register.of("R0", 0x0, 4, RegisterAccess.RW, 0xFFFF_FFFFL));
        machine.physicalMemory().addMmio("slow", 0xE000_0000L, 0x1000, regs);
        int v = irq.allocateVector();
        irq.register(v, vec -> log.add("handler on CPU " + machine.cpu().index()));
        machine.runOn(1, () -> {
            send(irq.messageFor(v, 3));
            machine.eventKernel().runFor(MachineConfig.DEFAULT_INTERRUPT_LATENCY_NS - 1);
            machine.cpu().read32(0xE000_0000L);   // the MMIO stall lets the interrupt be delivered
            log.add("back on CPU " + machine.cpu().index());
        });
        assertEquals(List.of("handler on CPU 3", "back on CPU 1"), log);
        assertEquals(1, machine.cpus().get(1).mmioReads());
    }

    @Test
    void shouldCountADestinationNoCpuHasAsInvalidAndTraceWhy() {
        int v = irq.allocateVector();
        irq.register(v, vec -> log.add("delivered"));
        machine.trace().enable(true);
        irq.deliver(DEV, MsiMessageLayout.address(4), MsiMessageLayout.data(v));
        irq.deliver(DEV, MsiMessageLayout.address(0xFF), MsiMessageLayout.data(v));      // xAPIC broadcast: not modeled
        machine.eventKernel().runUntilIdle();
        assertEquals(List.of(), log, "never delivered to another CPU");
        assertEquals(2, irq.invalid());
        assertEquals(0, irq.dispatched(v));
        List<Map<String, Object>> traced = machine.trace().events().stream().filter(e -> e.name().equals("invalid MSI"))
                .map(TraceEvent::args).toList();
        assertEquals(List.of(
                Map.of("source", DEV.toString(), "address", "fee04000", "data", Integer.toHexString(v), "reason", "no CPU has APIC id 4"),
                Map.of("source", DEV.toString(), "address", "feeff000", "data", Integer.toHexString(v), "reason", "no CPU has APIC id 255")),
                traced);
    }

    @Test
    void shouldCountLogicalModeAndTheRedirectionHintAsInvalid() {
        int v = irq.allocateVector();
        irq.register(v, vec -> log.add("delivered"));
        machine.trace().enable(true);
        irq.deliver(DEV, MsiMessageLayout.address(1) | MsiMessageLayout.ADDRESS_DM, MsiMessageLayout.data(v));
        irq.deliver(DEV, MsiMessageLayout.address(1) | MsiMessageLayout.ADDRESS_RH, MsiMessageLayout.data(v));
        machine.eventKernel().runUntilIdle();
        assertEquals(List.of(), log);
        assertEquals(2, irq.invalid());
        assertEquals(List.of("logical destination mode", "redirection hint"), machine.trace().events().stream()
                .filter(e -> e.name().equals("invalid MSI")).map(e -> e.args().get("reason")).toList());
    }

    @Test
    void shouldNameTheCpuThatHandledAnInterruptInTheTrace() {
        int v = irq.allocateVector();
        irq.register(v, vec -> { });
        machine.trace().enable(true);
        send(irq.messageFor(v, 2));
        machine.eventKernel().runUntilIdle();
        TraceEvent e = machine.trace().events().stream().filter(x -> x.name().equals("vector " + v)).findFirst().orElseThrow();
        assertEquals(2, e.args().get("cpu"));
    }

    @Test
    void shouldRouteALegacyLineToTheCpuItsEntryNames() {
        int v = irq.allocateVector();
        irq.register(v, vec -> log.add("line on CPU " + machine.cpu().index()));
        irq.routeLine(5, v, LineTrigger.EDGE, 2);
        assertEquals(2, irq.lineCpu(5));
        irq.pulseLine(5);
        machine.eventKernel().runUntilIdle();
        irq.routeLine(5, v, LineTrigger.EDGE);
        assertEquals(0, irq.lineCpu(5), "routed without a CPU: the boot CPU");
        irq.pulseLine(5);
        machine.eventKernel().runUntilIdle();
        assertEquals(List.of("line on CPU 2", "line on CPU 0"), log);
        assertEquals(1, irq.dispatched(v, 2));
        assertThrows(IllegalArgumentException.class, () -> irq.routeLine(5, v, LineTrigger.EDGE, 7));
    }
}
