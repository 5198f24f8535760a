package org.jdma.machine.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.time.EventKernel;
import org.junit.jupiter.api.Test;

class SequenceCheckerTest {

    private final EventKernel kernel = new EventKernel(3);
    private final EthernetLink link = new EthernetLink(kernel, LinkParameters.DEFAULT.withLinkUpTimeNs(0));

    /** Sends {@code count} numbered frames and returns them in arrival order. */
    private List<byte[]> generated(int count) {
        List<byte[]> got = new ArrayList<>();
        link.endB().onReceive(got::add);
        new TrafficGenerator(kernel, link.endA(), GeneratorConfig.DEFAULT.withCount(count)).start();
        kernel.runUntilIdle();
        return got;
    }

    @Test
    void shouldFindNothingWrongWithAnIntactStream() {
        SequenceChecker checker = new SequenceChecker();
        generated(100).forEach(checker::receive);
        SequenceReport r = checker.report(100);
        assertTrue(r.clean(), r.toString());
        assertEquals(100, r.received());
        assertEquals(100, r.distinct());
    }

    @Test
    void shouldCatchADroppedFrame() {
        List<byte[]> frames = generated(20);
        frames.remove(7);
        SequenceChecker checker = new SequenceChecker();
        frames.forEach(checker::receive);
        SequenceReport r = checker.report(20);
        assertEquals(1, r.lost());
        assertEquals(List.of(7L), r.firstLost());
        assertEquals(0, r.reordered());
        assertFalse(r.clean());
    }

    @Test
    void shouldCatchASwappedPair() {
        List<byte[]> frames = generated(20);
        byte[] f = frames.get(11);
        frames.set(11, frames.get(12));
        frames.set(12, f);
        SequenceChecker checker = new SequenceChecker();
        frames.forEach(checker::receive);
        SequenceReport r = checker.report(20);
        assertEquals(1, r.reordered(), "11 came after 12");
        assertEquals(0, r.lost());
        assertEquals(0, r.duplicated());
        assertFalse(r.clean());
    }

    @Test
    void shouldCatchADuplicateAndALostTail() {
        List<byte[]> frames = generated(10);
        frames.add(4, frames.get(3));
        SequenceChecker checker = new SequenceChecker();
        frames.subList(0, 9).forEach(checker::receive); // 0..3, 3 again, 4..7
        SequenceReport r = checker.report(10);
        assertEquals(1, r.duplicated());
        assertEquals(List.of(8L, 9L), r.firstLost(), "the sender sent 10, the last two never came");
        assertEquals(2, r.lost());
        assertEquals(0, checker.report().lost(), "without the sender's count only gaps below the highest count");
    }

    @Test
    void shouldCountOtherTrafficApart() {
        SequenceChecker checker = new SequenceChecker();
        byte[] arp = new byte[60];
        arp[12] = 0x08;
        arp[13] = 0x06;
        checker.receive(arp);
        checker.receive(new byte[14]);
        SequenceReport r = checker.report(0);
        assertEquals(2, r.other());
        assertEquals(0, r.received());
        assertTrue(r.clean());
    }
}
