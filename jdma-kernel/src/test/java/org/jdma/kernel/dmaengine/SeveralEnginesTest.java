package org.jdma.kernel.dmaengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.StreamingMapping;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Several copy engines, each with its own ring, channel, MSI-X vector and (with the IOMMU on)
 * DMA domain, copying at once: every destination byte comes from its own engine's source, each
 * engine counts only its own completions and interrupts, and a buffer mapped for one engine is out
 * of another's reach.
 *
 * <p>Each engine's source carries its engine number in the top two bits of every byte and its
 * destination starts as the complement of the source, so a byte that came from another engine, or
 * was not written, differs from the expected one.
 */
class SeveralEnginesTest {

    private static final int CHUNK = 4096;
    private static final int CHUNKS = 16;
    private static final int BYTES = CHUNK * CHUNKS;

    /** One engine's share of the work: its channel, its two buffers mapped for its own device. */
    private static final class Lane implements AutoCloseable {
        final int engine;
        final DmaChannel channel;
        final DmaBuffer src;
        final DmaBuffer dst;
        final StreamingMapping srcMap;
        final StreamingMapping dstMap;
        final byte[] pattern = new byte[BYTES];
        final List<DmaCookie> cookies = new ArrayList<>();

        Lane(Kernel k, int engine, String client) {
            this.engine = engine;
            this.channel = k.dmaChannels().request(DmaCapabilities.of(DmaCapability.MEMCPY), client);
            this.src = k.memory().allocate(BYTES, 4096);
            this.dst = k.memory().allocate(BYTES, 4096);
            byte[] complement = new byte[BYTES];
            for (int i = 0; i < BYTES; i++) {
                pattern[i] = (byte) ((engine << 6) | ((i * 7 + (i >>> 6)) & 0x3F));
                complement[i] = (byte) ~pattern[i];
            }
            src.write(0, pattern);
            dst.write(0, complement);
            this.srcMap = channel.dma().mapStreaming(src, BYTES, DmaDirection.TO_DEVICE);
            this.dstMap = channel.dma().mapStreaming(dst, BYTES, DmaDirection.FROM_DEVICE);
        }

        /** Chunk {@code i}: copied to the mirrored position, so order within the lane matters too. */
        DmaCookie submitChunk(int i) {
            long from = srcMap.dmaAddress() + (long) i * CHUNK;
            long to = dstMap.dmaAddress() + (long) (CHUNKS - 1 - i) * CHUNK;
            DmaCookie c = channel.submit(new DmaTransfer.Memcpy(to, from, CHUNK));
            cookies.add(c);
            return c;
        }

        void checkEveryByte() {
            byte[] got = dst.toByteArray();
            for (int i = 0; i < CHUNKS; i++) {
                for (int b = 0; b < CHUNK; b++) {
                    byte want = pattern[i * CHUNK + b];
                    byte have = got[(CHUNKS - 1 - i) * CHUNK + b];
                    if (want != have) {
                        throw new AssertionError(String.format("%s: destination byte %d is %#04x (tag of engine %d), expected %#04x",
                                channel.name(), (CHUNKS - 1 - i) * CHUNK + b, have & 0xFF, (have & 0xFF) >>> 6, want & 0xFF));
                    }
                }
            }
        }

        @Override
        public void close() {
            srcMap.close();
            dstMap.close();
            channel.close();
            src.close();
            dst.close();
        }
    }

    private static Kernel boot(Machine m, IommuMode mode, CopyEngineDriver.CompletionMode completion) {
        return Kernel.boot(m, Kernel.Options.DEFAULTS.withIommu(mode)
                .withDriver(CopyEngineDriver.driver(CopyEngineDriver.Options.DEFAULTS.withMode(completion))));
    }

    @ParameterizedTest
    @EnumSource(value = IommuMode.class, names = {"OFF", "STRICT", "LAZY"})
    void shouldCopyOnFourEnginesAtOnceWithoutCrossTalk(IommuMode mode) {
        int engines = 4;
        try (Machine m = new Machine(TestMachines.small(engines));
             Kernel k = boot(m, mode, CopyEngineDriver.CompletionMode.INTERRUPT)) {
            List<Lane> lanes = new ArrayList<>();
            for (int e = 0; e < engines; e++) {
                lanes.add(new Lane(k, e, "lane" + e));
            }
            // Every engine gets all its work before the machine runs at all: chunks interleaved across engines.
            for (int i = 0; i < CHUNKS; i++) {
                for (Lane l : lanes) {
                    l.submitChunk(i);
                }
            }
            lanes.forEach(l -> l.channel.issuePending());
            long t0 = m.clock().now();

            Lane first = lanes.getFirst();
            DmaTxResult firstLast = first.channel.syncWait(first.cookies.getLast());
            assertTrue(firstLast.isSuccess(), firstLast.toString());
            long oneLane = m.clock().now() - t0;
            // The others ran in the same simulated time: when lane 0 finished, each had done nearly all of its own.
            for (Lane l : lanes.subList(1, engines)) {
                assertEquals(DmaStatus.COMPLETE, l.channel.status(l.cookies.get(CHUNKS - 2)),
                        l.channel.name() + " progressed while " + first.channel.name() + " ran");
            }
            for (Lane l : lanes) {
                for (DmaCookie c : l == first ? l.cookies.subList(0, CHUNKS - 1) : l.cookies) {
                    DmaTxResult r = l.channel.status(c) == DmaStatus.IN_PROGRESS ? l.channel.syncWait(c) : l.channel.result(c).orElseThrow();
                    assertTrue(r.isSuccess(), r.toString());
                }
            }
            assertTrue(m.clock().now() - t0 < 2 * oneLane, "four lanes took about as long as one: " + (m.clock().now() - t0)
                    + " ns against " + oneLane + " ns");

            // The waits read completion records, as dma_sync_wait does; the last MSIs land as the machine runs on.
            m.clock().runUntilIdle();
            List<CopyEngine> devices = m.devices(CopyEngine.class);
            Set<Integer> vectors = new HashSet<>();
            for (Lane l : lanes) {
                l.checkEveryByte();
                CopyEngineDriver driver = k.copyEngines().get(l.engine);
                assertEquals(l.channel.device(), driver.name());
                assertEquals(CHUNKS, l.channel.completed(), l.channel.name());
                assertEquals(CHUNKS, driver.completionInterrupts(), driver.name() + " took only its own interrupts");
                assertEquals(CHUNKS, devices.get(l.engine).descriptorsCompleted(), devices.get(l.engine).name());
                assertEquals(0, driver.errorInterrupts());
                vectors.add(driver.completionVector());
            }
            assertEquals(engines, vectors.size(), "each engine has its own completion vector");
            if (mode != IommuMode.OFF) {
                Set<Integer> domains = new HashSet<>();
                for (CopyEngineDriver d : k.copyEngines()) {
                    domains.add(k.iommu().domainOf(d.requester()).orElseThrow().id());
                }
                assertEquals(engines, domains.size(), "each engine's DMA goes through its own domain");
            }
            assertEquals(List.of(), k.iommu().faults());
            lanes.forEach(Lane::close);
        }
    }

    @Test
    void shouldFaultWhenAnEngineIsGivenABufferMappedForAnotherEngine() {
        try (Machine m = new Machine(TestMachines.small(2));
             Kernel k = boot(m, IommuMode.STRICT, CopyEngineDriver.CompletionMode.INTERRUPT);
             Lane a = new Lane(k, 0, "a");
             Lane b = new Lane(k, 1, "b");
             DmaBuffer secret = k.memory().allocate(CHUNK, 4096);
             StreamingMapping secretForA = a.channel.dma().mapStreaming(secret, CHUNK, DmaDirection.TO_DEVICE)) {
            RequesterId bDevice = k.copyEngines().get(1).requester();
            IommuDomain bDomain = k.iommu().domainOf(bDevice).orElseThrow();
            IommuDomain aDomain = k.iommu().domainOf(k.copyEngines().get(0).requester()).orElseThrow();
            assertNotEquals(aDomain.id(), bDomain.id());
            // Both domains may hand out the same IOVA numbers; each reaches its own engine's memory.
            long aSrc = a.srcMap.dmaAddress();
            if (bDomain.translate(aSrc).isPresent()) {
                assertNotEquals(aDomain.translate(aSrc), bDomain.translate(aSrc), "the same IOVA, different memory");
            }
            long aSource = secretForA.dmaAddress();
            assertEquals(secret.physicalAddress(), aDomain.translate(aSource).orElseThrow(), "A's IOVA reaches the buffer in A's domain");
            assertTrue(bDomain.translate(aSource).isEmpty(), "and nothing in B's domain");

            // Engine B is handed a buffer mapped for engine A: the kernel refuses it at submit.
            DmaException refused = assertThrows(DmaException.class,
                    () -> b.channel.submit(new DmaTransfer.Memcpy(b.dstMap.dmaAddress(), aSource, CHUNK)));
            assertTrue(refused.error() instanceof DmaError.NotMapped && refused.getMessage().contains("memcpy1"), refused.getMessage());
            // Past a kernel that believed it (told of a mapping B never got), the IOMMU still stops B.
            b.channel.dma().inFlight().recordExternal(secret.physicalAddress(), CHUNK, aSource, DmaDirection.TO_DEVICE);
            DmaCookie stolen = b.channel.submit(new DmaTransfer.Memcpy(b.dstMap.dmaAddress(), aSource, CHUNK));
            b.channel.issuePending();
            DmaTxResult r = b.channel.syncWait(stolen);
            assertEquals(DmaTxResult.Outcome.READ_FAILED, r.outcome(), r.toString());
            b.channel.dma().inFlight().removeExternal(aSource);
            m.clock().runUntilIdle();
            List<IommuFault> faults = k.iommu().faults();
            assertEquals(1, faults.size(), faults.toString());
            assertEquals(bDevice, faults.getFirst().device());
            assertTrue(faults.getFirst().read());
            assertEquals(aSource & ~0xFFFL, faults.getFirst().iovaPage());
            byte[] bDst = b.dst.toByteArray();
            for (int i = 0; i < CHUNK; i++) {
                assertEquals((byte) ~b.pattern[i], bDst[i], "B's destination is untouched at byte " + i);
            }

            // The same IOVA through A's own channel works, and B goes on working with its own buffers.
            DmaCookie own = a.submitChunk(0);
            a.channel.issuePending();
            assertTrue(a.channel.syncWait(own).isSuccess());
            DmaCookie fine = b.submitChunk(0);
            b.channel.issuePending();
            assertTrue(b.channel.syncWait(fine).isSuccess());
            assertEquals(1, k.iommu().faults().size());
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldCopyOnThreeEngineThreadsAtOnceWithoutCrossTalk() {
        int engines = 3;
        int rounds = 32;
        try (Machine m = new Machine(TestMachines.small(engines));
             Kernel k = boot(m, IommuMode.STRICT, CopyEngineDriver.CompletionMode.POLLED)) {
            List<Lane> lanes = new ArrayList<>();
            for (int e = 0; e < engines; e++) {
                lanes.add(new Lane(k, e, "thread-lane" + e));
            }
            List<CopyEngine> devices = m.devices(CopyEngine.class);
            devices.forEach(CopyEngine::startThread);
            try {
                for (int round = 0; round < rounds; round++) {
                    for (int i = 0; i < CHUNKS; i++) {
                        for (Lane l : lanes) {
                            l.submitChunk(i);
                        }
                    }
                    lanes.forEach(l -> l.channel.issuePending());
                    // Every engine's thread now works on its own ring while this thread polls them all.
                    for (Lane l : lanes) {
                        DmaCookie last = l.cookies.getLast();
                        while (l.channel.status(last) == DmaStatus.IN_PROGRESS) {
                            if (Thread.interrupted()) {
                                throw new AssertionError("timed out waiting for " + last);
                            }
                            Thread.onSpinWait();
                        }
                    }
                }
            } finally {
                devices.forEach(CopyEngine::stopThread);
            }
            for (Lane l : lanes) {
                l.checkEveryByte();
                assertEquals((long) rounds * CHUNKS, l.channel.completed(), l.channel.name());
                assertEquals(0, l.channel.failed());
                assertEquals((long) rounds * CHUNKS, devices.get(l.engine).descriptorsCompleted());
                assertEquals(0, k.copyEngines().get(l.engine).completionInterrupts(), "polled descriptors ask for no MSI");
                assertFalse(l.channel.isGone());
            }
            assertEquals(List.of(), k.iommu().faults());
            lanes.forEach(Lane::close);
        }
    }
}
