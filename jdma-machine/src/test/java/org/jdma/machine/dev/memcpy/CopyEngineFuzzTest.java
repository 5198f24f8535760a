package org.jdma.machine.dev.memcpy;

import static org.jdma.spec.memcpy.CopyEngineRegisters.*;
import static org.jdma.machine.dev.memcpy.EngineRig.*;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.jdma.spec.msi.MsiMessageLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.CompletionStatus;

/**
 * Seeded robustness: garbage descriptors and random register traffic never make the machine
 * throw; every submitted descriptor completes with some status, or the engine halts with an error
 * bit; after RESET and re-enable the engine works again. Each failure message carries the seed.
 */
class CopyEngineFuzzTest {

    private static final int RING_SLOTS = 256;

    /** A descriptor that is random bytes, or random values in the fields (to get past the early checks). */
    private static Desc garbage(SplittableRandom r) {
        Desc d = new Desc();
        if (r.nextInt(4) == 0) {
            r.nextBytes(d.bytes);
            return d;
        }
        int[] opcodes = {0x00, 0x02, 0x03, 0x04, 0x05, 0x30, r.nextInt(256)};
        int flags = switch (r.nextInt(8)) {
            case 0 -> r.nextInt(1 << 24);
            case 1 -> r.nextInt(0x200);
            default -> r.nextInt() & CopyDescriptorLayout.SUPPORTED_FLAGS;
        };
        d.op(opcodes[r.nextInt(opcodes.length)], flags);
        d.completion(address(r) & (r.nextInt(4) == 0 ? -1L : ~31L));
        d.src(r.nextBoolean() ? address(r) : r.nextLong());
        d.dst(address(r));
        d.size(size(r));
        d.handle(r.nextInt(4) == 0 ? r.nextInt(1 << 16) : r.nextInt(20));
        if (r.nextInt(20) == 0) {
            d.setByte(r.nextInt(CopyDescriptorLayout.SIZE), r.nextInt(256)); // maybe a reserved byte
        }
        return d;
    }

    private static long address(SplittableRandom r) {
        return switch (r.nextInt(10)) {
            case 0 -> r.nextLong();
            case 1 -> HOLE + r.nextInt(1 << 20);
            case 2 -> RAM_SIZE - r.nextInt(4096); // straddles the end of RAM
            case 3 -> MsiMessageLayout.INTERRUPT_RANGE_BASE + r.nextInt(1 << 12);
            default -> r.nextLong(RAM_SIZE);
        };
    }

    private static long size(SplittableRandom r) {
        return switch (r.nextInt(50)) {
            case 0 -> 0;
            case 1 -> 1L << 31;
            case 2 -> 0xFFFF_FFFFL;
            case 3 -> r.nextLong(1L << 32);
            default -> r.nextInt(1, 8192);
        };
    }

    /** Programs a few MSI-X entries with messages good and bad, unmasked or not. */
    private static void randomMsix(EngineRig rig, SplittableRandom r) {
        for (int e = 0; e < 16; e++) {
            long entry = rig.bar + MSIX_TABLE + (long) e * MSIX_ENTRY_SIZE;
            long addr = r.nextBoolean() ? MsiMessageLayout.address(r.nextInt(2)) : address(r);
            rig.cpu.write64(entry + MSIX_ADDR_LO, addr);
            rig.cpu.write32(entry + MSIX_DATA, r.nextInt(512));
            rig.cpu.write32(entry + MSIX_VECTOR_CONTROL, r.nextInt(2));
        }
    }

    private static void assertWorksAfterReset(EngineRig rig, String why) {
        rig.write(CONTROL, CONTROL_RESET);
        rig.enable(16);
        rig.cpu.fill(DATA, 64, (byte) 0x3C);
        rig.cpu.fill(recordAddress(0), 32, (byte) 0);
        rig.submit(memmove(DATA, DATA + 0x1000, 64, recordAddress(0)));
        rig.runIdle();
        assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(0)).code(), why + ": works after RESET");
        assertEquals(0x3C, rig.bytes(DATA + 0x1000, 1)[0], why);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 0x5EED_0002L})
    void shouldCompleteEveryGarbageDescriptorWithSomeStatus(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        String why = "seed " + seed;
        try (EngineRig rig = new EngineRig(EngineRig.config(CopyEngineConfig.DEFAULT.withAlignmentShift(1)))) {
            randomMsix(rig, r);
            rig.enable(RING_SLOTS);
            int submitted = 0;
            while (submitted < 3000) {
                int batch = r.nextInt(1, RING_SLOTS);
                for (int i = 0; i < batch; i++) {
                    rig.put((rig.tail + i) % RING_SLOTS, garbage(r));
                }
                rig.tail = (rig.tail + batch) % RING_SLOTS;
                submitted += batch;
                int at = submitted;
                assertDoesNotThrow(() -> {
                    rig.write(SUBMIT_INDEX, rig.tail);
                    rig.runIdle();
                }, why + " after " + at + " descriptors");
                assertEquals(submitted, rig.reg64(COMPLETED), why);
                assertEquals(STATE_RUNNING | STATUS_IDLE, rig.reg(STATUS), why);
                // Page requests (BOF descriptors that faulted) go unanswered and time out: they are no ring errors.
                assertEquals(0, rig.reg(ERROR) & ~(ERROR_COMPLETION_FAULT | ERROR_PAGE_REQUEST),
                        why + ": only completion faults and page requests are expected");
                rig.write(ERROR, ERROR_COMPLETION_FAULT | ERROR_PAGE_REQUEST);
            }
            long total = rig.engine.errorsByStatus().values().stream().mapToLong(Long::longValue).sum();
            // The generator must reach past the early checks, or this test proves little.
            assertTrue(rig.engine.errorsByStatus().size() >= 7, why + ": statuses seen " + rig.engine.errorsByStatus());
            assertTrue(total < submitted, why + ": some descriptors succeed");
            assertTrue(rig.engine.bytesMoved() > 0 && rig.engine.msix().sent() > 0, why + ": data moved, interrupts sent");
            assertEquals(submitted, rig.engine.descriptorsCompleted(), why);
            assertWorksAfterReset(rig, why);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3, 0x5EED_0004L})
    void shouldHaltWithAnErrorBitWhenGarbageRunsIntoAnUnreadableRing(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        String why = "seed " + seed;
        try (EngineRig rig = new EngineRig()) {
            int readable = 100;
            rig.enable(RAM_SIZE - (long) readable * CopyDescriptorLayout.SIZE, RING_SLOTS);
            for (int i = 0; i < readable; i++) {
                rig.put(i, garbage(r));
            }
            assertDoesNotThrow(() -> {
                rig.write(SUBMIT_INDEX, 200);
                rig.runIdle();
            }, why);
            // Garbage may have overwritten descriptors, but never the engine's ring position or its end.
            assertEquals(STATE_HALTED, rig.state(), why);
            assertEquals(ERROR_FETCH_FAULT, rig.reg(ERROR) & ERROR_FETCH_FAULT, why);
            assertEquals(RAM_SIZE, rig.reg64(ERROR_ADDRESS), why);
            assertEquals(readable, rig.reg64(COMPLETED), why + ": every readable descriptor completed");
            assertEquals(readable, rig.reg(FETCH_INDEX), why);
            assertWorksAfterReset(rig, why);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {5, 0x5EED_0006L})
    void shouldSurviveRandomRegisterTrafficMixedWithGarbage(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        try (EngineRig rig = new EngineRig()) {
            rig.ringSize = RING_SLOTS;
            for (int step = 0; step < 4000; step++) {
                String why = "seed " + seed + " step " + step;
                int what = r.nextInt(10);
                assertDoesNotThrow(() -> {
                    switch (what) {
                        case 0, 1, 2 -> randomRegisterWrite(rig, r);
                        case 3 -> randomRead(rig, r);
                        case 4 -> rig.put(r.nextInt(RING_SLOTS), garbage(r));
                        case 5 -> rig.write(SUBMIT_INDEX, r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(RING_SLOTS));
                        case 6 -> rig.machine.clock().runFor(r.nextInt(2000));
                        case 7 -> rig.runIdle();
                        case 8 -> enableSomething(rig, r);
                        default -> rig.cpu.write32(rig.bar + MSIX_TABLE + r.nextInt(16) * MSIX_ENTRY_SIZE + MSIX_VECTOR_CONTROL, r.nextInt(2));
                    }
                }, why);
                long status = rig.reg(STATUS);
                assertTrue((status & ~(STATUS_STATE_MASK | STATUS_IDLE)) == 0 && (status & STATUS_STATE_MASK) != 3, why + ": STATUS " + status);
                assertTrue(rig.reg(FETCH_INDEX) < 1 << 16, why);
            }
            assertDoesNotThrow(rig::runIdle, "seed " + seed);
            assertTrue(rig.engine.descriptorsCompleted() > 0, "seed " + seed + ": the traffic enabled the ring at times");
            assertWorksAfterReset(rig, "seed " + seed);
        }
    }

    private static final int[] REGISTER_OFFSETS = {VERSION, CAP, CONTROL, STATUS, RING_BASE, RING_BASE + 4, RING_SIZE, ERROR,
        FETCH_INDEX, SUBMIT_INDEX, ERROR_ADDRESS, COMPLETED, ERR_INT_HANDLE};

    private static long randomOffset(SplittableRandom r) {
        return switch (r.nextInt(5)) {
            case 0, 1 -> REGISTER_OFFSETS[r.nextInt(REGISTER_OFFSETS.length)] + (r.nextInt(8) == 0 ? r.nextInt(1, 4) : 0);
            case 2 -> MSIX_TABLE + r.nextInt(0x900);
            case 3 -> r.nextInt(0x40);
            default -> r.nextInt(1 << 16);
        };
    }

    private static void randomRegisterWrite(EngineRig rig, SplittableRandom r) {
        long at = rig.bar + Math.min(randomOffset(r), (1 << 16) - 8);
        long v = r.nextLong();
        switch (r.nextInt(4)) {
            case 0 -> rig.cpu.write8(at, (int) v);
            case 1 -> rig.cpu.write16(at, (int) v);
            case 2 -> rig.cpu.write32(at, (int) v);
            default -> rig.cpu.write64(at, v);
        }
    }

    private static void randomRead(EngineRig rig, SplittableRandom r) {
        long at = rig.bar + Math.min(randomOffset(r), (1 << 16) - 8);
        switch (r.nextInt(4)) {
            case 0 -> rig.cpu.read8(at);
            case 1 -> rig.cpu.read16(at);
            case 2 -> rig.cpu.read32(at);
            default -> rig.cpu.read64(at);
        }
    }

    /** Plausible ring programming, so that enables sometimes succeed (with a ring in RAM or not). */
    private static void enableSomething(EngineRig rig, SplittableRandom r) {
        long base = switch (r.nextInt(4)) {
            case 0 -> HOLE;
            case 1 -> RAM_SIZE - 64L * r.nextInt(1, 64);
            case 2 -> r.nextLong();
            default -> RING;
        };
        rig.write64(RING_BASE, base);
        rig.write(RING_SIZE, r.nextBoolean() ? 1 << r.nextInt(1, 17) : r.nextInt());
        rig.write(CONTROL, r.nextInt(8));
    }
}
