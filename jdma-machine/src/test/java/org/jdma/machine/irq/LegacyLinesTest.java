package org.jdma.machine.irq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.time.EventKernel;
import org.jdma.platform.irq.LineTrigger;
import org.junit.jupiter.api.Test;

/** Legacy lines as I/O APIC inputs: edge vs level, masking, end of interrupt, counters. */
class LegacyLinesTest {

    private static final long LATENCY = 700;
    private final EventKernel kernel = new EventKernel(1);
    private final InterruptController irq = new InterruptController(kernel, LATENCY);
    private final List<String> log = new ArrayList<>();

    @Test
    void shouldOfferTwentyFourMaskedLines() {
        assertEquals(24, irq.legacyLines());
        for (int l = 0; l < 24; l++) {
            assertFalse(irq.lineRouted(l), "line " + l + " starts masked");
        }
    }

    @Test
    void shouldDeliverAnEdgeLineOnceOnARisingEdgeOnly() {
        irq.register(0x30, v -> log.add("v" + v + " at " + kernel.now()));
        irq.routeLine(4, 0x30, LineTrigger.EDGE);
        irq.assertLine(4);
        kernel.runUntilIdle();
        assertEquals(List.of("v48 at 700"), log, "after the delivery latency");
        irq.assertLine(4); // still high: no edge
        kernel.runUntilIdle();
        assertEquals(1, log.size(), "holding an edge line high raises nothing more");
        irq.deassertLine(4);
        irq.assertLine(4);
        kernel.runUntilIdle();
        assertEquals(2, log.size(), "a new rising edge raises it again");
        assertEquals(new LineCounters(2, 2, 0, 0, 2), irq.lineCounters(4));
    }

    @Test
    void shouldTurnAPulseIntoOneInterrupt() {
        irq.register(0x31, v -> log.add("pulse, line " + (irq.lineAsserted(3) ? "high" : "low")));
        irq.routeLine(3, 0x31, LineTrigger.EDGE);
        irq.pulseLine(3);
        assertFalse(irq.lineAsserted(3));
        kernel.runUntilIdle();
        assertEquals(List.of("pulse, line low"), log);
        assertEquals(1, irq.dispatched(0x31));
    }

    @Test
    void shouldMergeEdgesThatArriveBeforeThePreviousOneIsDispatched() {
        irq.register(0x32, v -> log.add("run at " + kernel.now()));
        irq.routeLine(6, 0x32, LineTrigger.EDGE);
        irq.pulseLine(6);
        irq.pulseLine(6);
        irq.pulseLine(6);
        kernel.runUntilIdle();
        assertEquals(List.of("run at 700"), log, "the local APIC holds one request per vector");
        assertEquals(new LineCounters(3, 1, 0, 2, 1), irq.lineCounters(6));
        irq.pulseLine(6);
        kernel.runUntilIdle();
        assertEquals(2, log.size(), "once dispatched, the next edge is a new interrupt");
    }

    @Test
    void shouldRaiseAnEdgeThatArrivesWhileItsHandlerRunsOnceMore() {
        irq.register(0x33, v -> {
            log.add("run at " + kernel.now());
            if (log.size() == 1) {
                irq.pulseLine(7); // the device interrupts again while the first is in service
            }
        });
        irq.routeLine(7, 0x33, LineTrigger.EDGE);
        irq.pulseLine(7);
        kernel.runUntilIdle();
        assertEquals(List.of("run at 700", "run at 1400"), log);
    }

    @Test
    void shouldLoseAnEdgeOnAMaskedLineAndCountIt() {
        irq.register(0x34, v -> log.add("ran"));
        irq.pulseLine(1); // never routed
        irq.routeLine(1, 0x34, LineTrigger.EDGE);
        kernel.runUntilIdle();
        assertEquals(List.of(), log, "an edge on a masked input is neither delivered nor held pending");
        irq.unrouteLine(1);
        irq.pulseLine(1);
        kernel.runUntilIdle();
        assertEquals(List.of(), log);
        assertEquals(new LineCounters(2, 0, 2, 0, 0), irq.lineCounters(1));
    }

    @Test
    void shouldRaiseALevelLineAgainAfterEoiWhileItStaysAsserted() {
        int[] runs = {0};
        irq.register(0x40, v -> {
            runs[0]++;
            log.add("run " + runs[0] + " at " + kernel.now());
            if (runs[0] == 3) {
                irq.deassertLine(9); // the handler finally quiets the device
            }
        });
        irq.routeLine(9, 0x40, LineTrigger.LEVEL);
        irq.assertLine(9);
        kernel.runUntilIdle();
        assertEquals(List.of("run 1 at 700", "run 2 at 1400", "run 3 at 2100"), log,
                "each EOI finds the line asserted and raises it again, until the handler lowers it");
        assertEquals(new LineCounters(1, 3, 0, 0, 3), irq.lineCounters(9));
    }

    @Test
    void shouldNotRaiseALevelLineAgainWhenItDeassertsBeforeTheEoi() {
        irq.register(0x41, v -> log.add("run at " + kernel.now()));
        irq.routeLine(10, 0x41, LineTrigger.LEVEL);
        irq.assertLine(10);
        kernel.runFor(LATENCY / 2);
        irq.deassertLine(10); // the device withdraws its request; the message is already on its way
        kernel.runUntilIdle();
        assertEquals(List.of("run at 700"), log, "a message already sent still runs; nothing follows it");
        assertEquals(1, irq.lineCounters(10).eois());
    }

    @Test
    void shouldSendNothingForALevelLineWhileItsInterruptIsInService() {
        irq.register(0x42, v -> {
            log.add("run at " + kernel.now());
            irq.deassertLine(11);
        });
        irq.routeLine(11, 0x42, LineTrigger.LEVEL);
        irq.assertLine(11);
        irq.deassertLine(11);
        irq.assertLine(11); // Remote IRR is set: no second message before the EOI
        assertEquals(1, irq.lineCounters(11).delivered());
        kernel.runUntilIdle();
        assertEquals(List.of("run at 700"), log);
    }

    @Test
    void shouldDeliverALevelLineThatIsAssertedWhenItIsRouted() {
        irq.register(0x43, v -> {
            log.add("run at " + kernel.now());
            irq.deassertLine(12);
        });
        irq.assertLine(12);
        assertEquals(new LineCounters(1, 0, 1, 0, 0), irq.lineCounters(12), "withheld by the mask, and counted");
        kernel.runFor(5_000);
        irq.routeLine(12, 0x43, LineTrigger.LEVEL);
        kernel.runUntilIdle();
        assertEquals(List.of("run at 5700"), log, "unmasking an asserted level input delivers it");
    }

    @Test
    void shouldStopDeliveringAfterUnroute() {
        irq.register(0x44, v -> log.add("run"));
        irq.routeLine(13, 0x44, LineTrigger.LEVEL);
        irq.unrouteLine(13);
        irq.assertLine(13);
        kernel.runUntilIdle();
        assertEquals(List.of(), log);
        assertEquals(1, irq.lineCounters(13).masked());
    }

    @Test
    void shouldCountALineWithoutAHandlerAsSpuriousAndStillEndTheInterrupt() {
        irq.routeLine(14, 0x45, LineTrigger.LEVEL);
        irq.assertLine(14);
        kernel.runFor(LATENCY);
        assertEquals(1, irq.spurious());
        assertEquals(1, irq.lineCounters(14).eois(), "without an EOI the line would be stuck in service");
        irq.register(0x45, v -> {
            log.add("handled");
            irq.deassertLine(14);
        });
        kernel.runUntilIdle();
        assertEquals(List.of("handled"), log, "the line, still asserted, was raised again after the EOI");
    }

    @Test
    void shouldRouteTwoLinesToTheirOwnVectors() {
        irq.register(0x50, v -> log.add("a"));
        irq.register(0x51, v -> log.add("b"));
        irq.routeLine(0, 0x50, LineTrigger.EDGE);
        irq.routeLine(23, 0x51, LineTrigger.EDGE);
        irq.pulseLine(23);
        kernel.runFor(100);
        irq.pulseLine(0);
        kernel.runUntilIdle();
        assertEquals(List.of("b", "a"), log);
        irq.routeLine(0, 0x51, LineTrigger.EDGE); // routing again replaces the vector
        irq.pulseLine(0);
        kernel.runUntilIdle();
        assertEquals(List.of("b", "a", "b"), log);
    }

    @Test
    void shouldRejectLinesAndVectorsThatDoNotExist() {
        var line = assertThrows(IllegalArgumentException.class, () -> irq.routeLine(24, 0x30, LineTrigger.EDGE));
        assertTrue(line.getMessage().contains("24"), line.getMessage());
        var vector = assertThrows(IllegalArgumentException.class, () -> irq.routeLine(2, 15, LineTrigger.EDGE));
        assertTrue(vector.getMessage().contains("15"), vector.getMessage());
        assertThrows(IllegalArgumentException.class, () -> irq.routeLine(2, 256, LineTrigger.LEVEL));
        assertThrows(NullPointerException.class, () -> irq.routeLine(2, 0x30, null));
        assertThrows(IllegalArgumentException.class, () -> irq.unrouteLine(-1));
        assertThrows(IllegalArgumentException.class, () -> irq.assertLine(24));
        assertFalse(irq.lineRouted(2));
    }
}
