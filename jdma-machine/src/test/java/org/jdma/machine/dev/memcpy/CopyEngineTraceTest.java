package org.jdma.machine.dev.memcpy;

import static org.jdma.spec.memcpy.CopyEngineRegisters.*;
import static org.jdma.machine.dev.memcpy.EngineRig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.jdma.machine.time.TraceRecorder.TraceEvent;
import org.junit.jupiter.api.Test;
import org.jdma.spec.memcpy.CopyDescriptorLayout;

/** Trace records per descriptor and per ring error; same seed, same workload, same trace. */
class CopyEngineTraceTest {

    @Test
    void shouldTraceEachDescriptorAsASliceFromFetchToCompletion() {
        try (EngineRig rig = new EngineRig()) {
            rig.machine.trace().enable(true);
            rig.enable(16);
            long t0 = rig.machine.clock().now();
            rig.submit(memmove(DATA, DATA + 0x1000, 512, recordAddress(0)));
            rig.submit(new Desc().op(0x33, RECORD_FLAGS).completion(recordAddress(1)));
            rig.runIdle();
            List<TraceEvent> ev = rig.machine.trace().events();
            assertEquals(2, ev.size(), ev.toString());
            TraceEvent move = ev.getFirst();
            assertEquals("memcpy0", move.track());
            assertEquals("MEMMOVE", move.name());
            assertEquals(t0, move.startNs(), "starts at the fetch");
            assertEquals(rig.engine.busyTimeNs(), move.durationNs() + ev.get(1).durationNs());
            assertEquals("{slot=0, bytes=512, status=SUCCESS}", move.args().toString());
            assertEquals("opcode 0x33", ev.get(1).name());
            assertEquals("{slot=1, bytes=0, status=BAD_OPCODE}", ev.get(1).args().toString());
            assertEquals(move.startNs() + move.durationNs(), ev.get(1).startNs(), "the next fetch follows the completion");
        }
    }

    @Test
    void shouldTraceRingErrorsAsInstants() {
        try (EngineRig rig = new EngineRig()) {
            rig.machine.trace().enable(true);
            rig.write(CONTROL, CONTROL_ENABLE); // RING_SIZE 0
            rig.enable(HOLE, 4);
            rig.write(SUBMIT_INDEX, 9);
            rig.write(SUBMIT_INDEX, 1);
            rig.runIdle();
            List<String> got = rig.machine.trace().events().stream()
                    .map(e -> e.track() + " " + e.name() + " " + e.instant() + " " + e.args()).toList();
            assertEquals(List.of(
                    "memcpy0/ring RING_CONFIG true {ring_base=0, ring_size=0, base_misaligned=false}",
                    "memcpy0/ring SUBMIT_RANGE true {submit_index=9, ring_size=4}",
                    "memcpy0/ring FETCH_FAULT true {address=80000000}"), got);
        }
    }

    @Test
    void shouldRecordNothingWhenTracingIsOff() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            rig.submit(noop(recordAddress(0)));
            rig.write(SUBMIT_INDEX, 99);
            rig.runIdle();
            assertEquals(List.of(), rig.machine.trace().events());
        }
    }

    /** A mixed workload drawn from {@code seed}: good and bad descriptors, interrupts, pauses, ring errors. */
    private static List<TraceEvent> run(long seed) {
        try (EngineRig rig = new EngineRig(EngineRig.config().withSeed(seed))) {
            rig.machine.trace().enable(true);
            SplittableRandom r = new SplittableRandom(seed);
            int vector = rig.machine.interrupts().allocateVector();
            rig.machine.interrupts().register(vector, v -> rig.record(recordAddress(0)));
            rig.msix(1, rig.machine.interrupts().messageFor(vector));
            rig.enable(32);
            for (int i = 0; i < 400; i++) {
                long src = DATA + r.nextInt(1 << 20);
                long dst = DATA + (2 << 20) + r.nextInt(1 << 20);
                int size = r.nextInt(1, 8192);
                long rec = recordAddress(i % 32);
                Desc d = switch (r.nextInt(6)) {
                    case 0 -> memfill(r.nextLong(), dst, size, rec);
                    case 1 -> compare(src, dst, size, rec);
                    case 2 -> noop(rec);
                    case 3 -> memmove(src, HOLE, size, rec);
                    case 4 -> new Desc().op(r.nextInt(256), r.nextInt(1 << 10)).completion(rec);
                    default -> memmove(src, dst, size, rec);
                };
                if (r.nextBoolean()) {
                    d.op(d.bytes[7] & 0xFF, RECORD_FLAGS | CopyDescriptorLayout.FLAG_RCI).handle(1);
                }
                rig.submit(d);
                if (r.nextInt(4) == 0) {
                    rig.machine.clock().runFor(r.nextInt(10_000));
                }
                if (r.nextInt(50) == 0) {
                    rig.write(SUBMIT_INDEX, 1000);
                }
                if (r.nextInt(8) == 0) {
                    rig.runIdle();
                }
                if ((rig.tail + 1) % 32 == rig.reg(FETCH_INDEX)) {
                    rig.runIdle();
                }
            }
            rig.runIdle();
            assertEquals(400, rig.reg64(COMPLETED));
            return List.copyOf(rig.machine.trace().events());
        }
    }

    @Test
    void shouldRecordIdenticalTracesForTheSameSeed() {
        List<TraceEvent> a = run(42);
        List<TraceEvent> b = run(42);
        assertTrue(a.stream().filter(e -> e.track().equals("memcpy0") && !e.instant()).count() == 400, "one slice per descriptor");
        assertTrue(a.stream().anyMatch(e -> e.track().equals("irq")), "interrupts are in the trace");
        assertEquals(a, b);
        assertEquals(a.toString(), b.toString(), "argument order too");
        assertNotEquals(a, run(43), "the trace depends on the workload");
    }
}
