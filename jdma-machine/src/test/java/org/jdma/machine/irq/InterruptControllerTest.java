package org.jdma.machine.irq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jdma.spec.pci.RequesterId;
import org.jdma.machine.time.EventKernel;
import org.junit.jupiter.api.Test;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.msi.MsiMessageLayout;

class InterruptControllerTest {

    private static final RequesterId DEV = RequesterId.of(0, 4, 0);
    private final EventKernel kernel = new EventKernel(1);
    private final InterruptController irq = new InterruptController(kernel, 700);
    private final List<String> log = new ArrayList<>();

    @Test
    void shouldDecodeTheVectorAndRunTheHandlerAfterTheLatency() {
        int v = irq.allocateVector();
        irq.register(v, vec -> log.add("vector " + vec + " at " + kernel.now()));
        kernel.runUntil(100);
        MsiMessage m = irq.messageFor(v);
        irq.deliver(DEV, m.address(), m.data());
        assertEquals(List.of(), log, "not before the latency has passed");
        assertEquals(1, kernel.pendingEvents());
        kernel.runUntilIdle();
        assertEquals(List.of("vector " + v + " at 800"), log);
        assertEquals(1, irq.dispatched(v));
        assertEquals(1, irq.received());
    }

    @Test
    void shouldDispatchInEventOrderAmongOtherEvents() {
        irq.register(40, vec -> log.add("irq"));
        kernel.schedule(700, "before", () -> log.add("scheduled earlier, same time"));
        irq.deliver(DEV, MsiMessageLayout.address(0), MsiMessageLayout.data(40));
        kernel.schedule(700, "after", () -> log.add("scheduled later, same time"));
        kernel.schedule(699, "earlier", () -> log.add("earlier"));
        kernel.runUntilIdle();
        assertEquals(List.of("earlier", "scheduled earlier, same time", "irq", "scheduled later, same time"), log);
    }

    @Test
    void shouldIgnoreBitsAboveTheVectorInFixedEdgeMessages() {
        irq.register(0x41, vec -> log.add("v" + vec));
        irq.deliver(DEV, MsiMessageLayout.address(0), 0xFFFF_0000 | 0x41);   // reserved upper half set
        irq.deliver(DEV, MsiMessageLayout.address(0), MsiMessageLayout.DATA_LEVEL | MsiMessageLayout.DATA_TRIGGER_LEVEL | 0x41);
        kernel.runUntilIdle();
        assertEquals(List.of("v65", "v65"), log);
    }

    @Test
    void shouldCountALegalVectorWithoutAHandlerAsSpurious() {
        irq.deliver(DEV, MsiMessageLayout.address(0), 0x50);
        assertEquals(0, irq.spurious(), "counted when it would have been dispatched");
        kernel.runUntilIdle();
        assertEquals(1, irq.spurious());
        assertEquals(0, irq.dispatched(0x50));
        assertEquals(0, irq.invalid());
    }

    @Test
    void shouldCountIllegalMessagesAsInvalidAtOnceAndDispatchNothing() {
        for (int v = 0; v < 256; v++) {
            int vec = v;
            irq.register(Math.max(v, 16), x -> log.add("dispatched " + vec));
        }
        kernel.trace().enable(true);
        irq.deliver(DEV, MsiMessageLayout.address(0), 15);                                   // exception vector
        irq.deliver(DEV, MsiMessageLayout.address(0), 1 << MsiMessageLayout.DATA_DELIVERY_MODE_SHIFT | 0x40); // lowest priority
        irq.deliver(DEV, MsiMessageLayout.address(1), 0x40);                                 // a CPU that does not exist
        assertEquals(3, irq.invalid());
        assertEquals(0, kernel.pendingEvents());
        kernel.runUntilIdle();
        assertEquals(List.of(), log);
        assertEquals(3, irq.received());
        assertEquals(3, kernel.trace().events().stream().filter(e -> e.name().equals("invalid MSI")).count());
    }

    @Test
    void shouldAllocateEachVectorOnceFrom32() {
        Set<Integer> got = new HashSet<>();
        for (int i = 0; i < 224; i++) {
            int v = irq.allocateVector();
            assertTrue(v >= 32 && v <= 255, "vector " + v);
            assertTrue(got.add(v));
        }
        assertThrows(IllegalStateException.class, irq::allocateVector);
        irq.freeVector(77);
        assertEquals(77, irq.allocateVector());
    }

    @Test
    void shouldDropTheHandlerWhenAVectorIsFreed() {
        int v = irq.allocateVector();
        irq.register(v, x -> log.add("x"));
        irq.freeVector(v);
        irq.deliver(DEV, MsiMessageLayout.address(0), v);
        kernel.runUntilIdle();
        assertEquals(List.of(), log);
        assertEquals(1, irq.spurious());
        var e = assertThrows(IllegalArgumentException.class, () -> irq.freeVector(v));
        assertTrue(e.getMessage().contains(Integer.toString(v)), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> irq.freeVector(5));
        assertThrows(IllegalArgumentException.class, () -> irq.freeVector(256));
    }

    @Test
    void shouldRejectRegisteringAnIllegalVector() {
        assertThrows(IllegalArgumentException.class, () -> irq.register(15, x -> { }));
        assertThrows(IllegalArgumentException.class, () -> irq.register(256, x -> { }));
        irq.register(16, x -> { });
    }

    @Test
    void shouldBuildMessagesInTheInterruptRange() {
        MsiMessage m = irq.messageFor(0x61);
        assertEquals(0xFEE0_0000L, m.address());
        assertEquals(0x61, m.data());
        assertEquals(0x61, m.vector());
        assertEquals(0xFEE0_5000L, MsiMessage.forVector(0x30, 5).address());
        assertEquals(5, MsiMessageLayout.destination(0xFEE0_5000L));
        var e = assertThrows(IllegalArgumentException.class, () -> new MsiMessage(0xFEF0_0000L, 0x30));
        assertTrue(e.getMessage().contains("0xfef00000"), e.getMessage());
        assertFalse(MsiMessageLayout.isInterruptAddress(0xFEDF_FFFFL));
        assertTrue(MsiMessageLayout.isInterruptAddress(0xFEE0_0000L));
        assertTrue(MsiMessageLayout.isInterruptAddress(0xFEEF_FFFFL));
        assertFalse(MsiMessageLayout.isInterruptAddress(0xFEF0_0000L));
        assertFalse(MsiMessageLayout.isInterruptAddress(0x1_FEE0_0000L));
    }
}
