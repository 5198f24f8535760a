package org.jdma.kernel.dmaengine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.StreamingMapping;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.Test;

/** The channel allocator: registration by the copy-engine driver, exclusive requests by capability, release, unbind. */
class DmaChannelAllocatorTest {

    private static final DmaCapabilities MEMCPY = DmaCapabilities.of(DmaCapability.MEMCPY);

    private static Kernel boot(Machine m, IommuMode mode) {
        return Kernel.boot(m, Kernel.Options.DEFAULTS.withIommu(mode));
    }

    @Test
    void shouldRegisterOneChannelPerBoundCopyEngineWithWhatTheEngineOffers() {
        try (Machine m = new Machine(TestMachines.small(3)); Kernel k = boot(m, IommuMode.OFF)) {
            List<DmaChannelInfo> channels = k.dmaChannels().channels();
            assertEquals(List.of("memcpy0chan0", "memcpy1chan0", "memcpy2chan0"), channels.stream().map(DmaChannelInfo::name).toList());
            assertEquals(List.of("memcpy0", "memcpy1", "memcpy2"), channels.stream().map(DmaChannelInfo::device).toList());
            DmaCapabilities all = DmaCapabilities.of(DmaCapability.MEMCPY, DmaCapability.MEMSET, DmaCapability.COMPARE,
                    DmaCapability.INTERRUPT);
            assertTrue(channels.stream().allMatch(c -> c.capabilities().equals(all) && c.holder().isEmpty()), channels.toString());
            assertEquals(3, k.copyEngines().size());
            assertEquals("memcpy0", k.copyEngine().name(), "the first engine is still \"the\" copy engine");
        }
    }

    @Test
    void shouldHandOutEachChannelToOneClientUntilItIsReleased() {
        try (Machine m = new Machine(TestMachines.small(2)); Kernel k = boot(m, IommuMode.OFF)) {
            DmaChannelAllocator a = k.dmaChannels();
            DmaChannel first = a.request(MEMCPY, "alice");
            DmaChannel second = a.request(MEMCPY, "bob");
            assertEquals("memcpy0chan0", first.name());
            assertEquals("memcpy1chan0", second.name());
            assertEquals(Optional.of("alice"), a.channels().getFirst().holder());
            assertThrows(NoDmaChannelException.class, () -> a.request(MEMCPY, "carol"));

            first.close();
            first.close();
            assertEquals(Optional.empty(), a.channels().getFirst().holder());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> first.submit(new DmaTransfer.Interrupt()));
            assertTrue(e.getMessage().contains("memcpy0chan0 was released by 'alice'"), e.getMessage());
            DmaChannel again = a.request(MEMCPY, "carol");
            assertNotSame(first, again);
            assertEquals("memcpy0chan0", again.name());
            again.close();
            second.close();
        }
    }

    @Test
    void shouldNameWhatWasAskedWhatExistsAndWhoHoldsItWhenNoChannelIsFree() {
        try (Machine m = new Machine(TestMachines.small(1)); Kernel k = boot(m, IommuMode.OFF)) {
            DmaChannelAllocator a = k.dmaChannels();
            a.register(new MemcpyOnly("fake0chan0", "fake0"));
            try (DmaChannel held = a.request(DmaCapabilities.of(DmaCapability.MEMSET), "dmatest")) {
                NoDmaChannelException e = assertThrows(NoDmaChannelException.class,
                        () -> a.request(DmaCapabilities.of(DmaCapability.MEMSET, DmaCapability.COMPARE), "client2"));
                assertEquals(DmaCapabilities.of(DmaCapability.MEMSET, DmaCapability.COMPARE), e.wanted());
                assertEquals("no free DMA channel offers [MEMSET, COMPARE] for 'client2': "
                        + "memcpy0chan0 [MEMCPY, MEMSET, COMPARE, INTERRUPT] held by 'dmatest'; "
                        + "fake0chan0 [MEMCPY] lacks [MEMSET, COMPARE]", e.getMessage());
                assertEquals("fake0chan0", a.request(MEMCPY, "memcpy-only").name(), "the held engine is skipped");
            }
        }
    }

    @Test
    void shouldSayThatNoChannelIsRegisteredOnAMachineWithoutEngines() {
        NoDmaChannelException e = assertThrows(NoDmaChannelException.class, () -> new DmaChannelAllocator().request(MEMCPY, "x"));
        assertEquals("no free DMA channel offers [MEMCPY] for 'x': no DMA channel is registered", e.getMessage());
    }

    @Test
    void shouldRefuseATransferTheChannelCannotDoOrThatIsTooLong() {
        DmaChannelAllocator a = new DmaChannelAllocator();
        a.register(new MemcpyOnly("fake0chan0", "fake0"));
        try (DmaChannel ch = a.request(MEMCPY, "t")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ch.submit(new DmaTransfer.Memset(0, 0, 8)));
            assertEquals("fake0chan0 cannot do MEMSET: it offers [MEMCPY]", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> ch.submit(new DmaTransfer.Memcpy(0, 0, 1L << 20)));
            assertEquals("fake0chan0: a transfer of 1048576 bytes exceeds the device's largest, 65536", e.getMessage());
            assertEquals(0, ch.submitted());
        }
    }

    @Test
    void shouldRefuseADuplicateChannelName() {
        DmaChannelAllocator a = new DmaChannelAllocator();
        a.register(new MemcpyOnly("fake0chan0", "fake0"));
        assertThrows(IllegalArgumentException.class, () -> a.register(new MemcpyOnly("fake0chan0", "fake1")));
    }

    @Test
    void shouldMakeAChannelDisappearWhenItsDeviceIsUnbound() {
        try (Machine m = new Machine(TestMachines.small(2)); Kernel k = boot(m, IommuMode.OFF)) {
            DmaChannelAllocator a = k.dmaChannels();
            DmaChannel zero = a.request(MEMCPY, "a");
            DmaChannel one = a.request(MEMCPY, "b");
            DmaCookie c = one.submit(new DmaTransfer.Interrupt());
            k.drivers().unbind("memcpy1");

            assertEquals(List.of("memcpy0chan0"), a.channels().stream().map(DmaChannelInfo::name).toList());
            assertTrue(one.isGone());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> one.syncWait(c));
            assertEquals("memcpy1chan0 is gone: its device memcpy1 was unbound from memcpy; request another channel", e.getMessage());
            assertThrows(IllegalStateException.class, () -> one.submit(new DmaTransfer.Interrupt()));
            assertThrows(IllegalStateException.class, one::issuePending);
            one.close();
            zero.close();
            assertEquals("memcpy0chan0", a.request(MEMCPY, "c").name());
            assertThrows(NoDmaChannelException.class, () -> a.request(MEMCPY, "d"), "the unbound engine's channel is never handed out");
        }
    }

    @Test
    void shouldCopyFillCompareAndInterruptThroughAChannel() {
        try (Machine m = new Machine(TestMachines.small(1)); Kernel k = boot(m, IommuMode.STRICT);
             DmaBuffer src = k.memory().allocate(8192, 4096); DmaBuffer dst = k.memory().allocate(8192, 4096);
             DmaChannel ch = k.dmaChannels().request(DmaCapabilities.of(DmaCapability.MEMCPY, DmaCapability.MEMSET,
                     DmaCapability.COMPARE, DmaCapability.INTERRUPT), "test")) {
            byte[] data = new byte[8192];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 13 + 1);
            }
            src.write(0, data);
            DeviceDmaApi dma = ch.dma();
            CopyEngineDriver engine = k.copyEngine();
            try (StreamingMapping s = dma.mapStreaming(src, 8192, DmaDirection.TO_DEVICE);
                 StreamingMapping d = dma.mapStreaming(dst, 8192, DmaDirection.BIDIRECTIONAL)) {
                DmaCookie copy = ch.submit(new DmaTransfer.Memcpy(d.dmaAddress(), s.dmaAddress(), 8192));
                DmaCookie fill = ch.submit(new DmaTransfer.Memset(d.dmaAddress() + 4096, 0x5A5A5A5A5A5A5A5AL, 16));
                DmaCookie same = ch.submit(new DmaTransfer.Compare(s.dmaAddress(), d.dmaAddress(), 4096));
                DmaCookie differ = ch.submit(new DmaTransfer.Compare(s.dmaAddress(), d.dmaAddress(), 8192));
                DmaCookie irq = ch.submit(new DmaTransfer.Interrupt());
                assertEquals(List.of(1L, 2L, 3L, 4L, 5L), List.of(copy.value(), fill.value(), same.value(), differ.value(), irq.value()));
                ch.issuePending();

                DmaTxResult last = ch.syncWait(irq);
                assertEquals(DmaStatus.COMPLETE, last.status());
                for (DmaCookie c : List.of(copy, fill, same, differ)) {
                    assertEquals(DmaStatus.COMPLETE, ch.status(c), "in order: " + c + " finished before the interrupt");
                }
                assertTrue(ch.syncWait(copy).isSuccess());
                assertEquals(OptionalLong.empty(), ch.syncWait(same).mismatchAt());
                assertEquals(OptionalLong.of(4096), ch.syncWait(differ).mismatchAt(), "the fill changed byte 4096");
                assertEquals(DmaTxResult.Outcome.NOERROR, ch.syncWait(fill).outcome());
                assertThrows(IllegalStateException.class, () -> ch.syncWait(fill), "a result is collected once");
                assertEquals(DmaStatus.COMPLETE, ch.status(fill));
            }
            byte[] expected = data.clone();
            for (int i = 4096; i < 4096 + 16; i++) {
                expected[i] = 0x5A;
            }
            assertArrayEquals(expected, dst.toByteArray());
            assertEquals(5, ch.completed());
            assertEquals(0, ch.failed());
            // A message reaches its handler a delivery latency after the record the waits saw.
            m.clock().runUntilIdle();
            assertEquals(5, engine.completionInterrupts(), "one completion interrupt per transfer");
        }
    }

    @Test
    void shouldStartNothingBeforeIssuePending() {
        try (Machine m = new Machine(TestMachines.small(1)); Kernel k = boot(m, IommuMode.OFF);
             DmaChannel ch = k.dmaChannels().request(MEMCPY, "t")) {
            DmaCookie c = ch.submit(new DmaTransfer.Interrupt());
            m.clock().runUntilIdle();
            assertEquals(DmaStatus.IN_PROGRESS, ch.status(c));
            assertEquals(0, k.copyEngine().ring().submittedCount(), "nothing reached the ring");
            ch.issuePending();
            m.clock().runUntilIdle();
            assertEquals(DmaStatus.COMPLETE, ch.status(c));
        }
    }

    @Test
    void shouldKeepTransfersThatDoNotFitTheRingUntilThereIsRoom() {
        try (Machine m = new Machine(TestMachines.small(1));
             Kernel k = Kernel.boot(m, Kernel.Options.DEFAULTS.withDriver(CopyEngineDriver.driver(
                     CopyEngineDriver.Options.DEFAULTS.withRingSlots(8))));
             DmaBuffer cells = k.memory().allocate(40 * 8, 4096);
             DmaChannel ch = k.dmaChannels().request(DmaCapabilities.of(DmaCapability.MEMSET), "t")) {
            long base = ch.dma().mapSingle(cells.physicalAddress(), cells.length(), DmaDirection.FROM_DEVICE);
            List<DmaCookie> cookies = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                cookies.add(ch.submit(new DmaTransfer.Memset(base + i * 8L, 1000 + i, 8)));
            }
            ch.issuePending();
            assertEquals(7, k.copyEngine().ring().size(), "an 8-slot ring holds 7; the rest wait");
            assertTrue(ch.syncWait(cookies.getLast()).isSuccess());
            for (DmaCookie c : cookies) {
                assertEquals(DmaStatus.COMPLETE, ch.status(c));
            }
            ch.dma().unmapSingle(base, cells.length(), DmaDirection.FROM_DEVICE);
            for (int i = 0; i < 40; i++) {
                assertEquals(1000 + i, cells.readLong(i * 8L));
            }
            assertEquals(40, ch.completed());
        }
    }

    @Test
    void shouldReportADeviceErrorAsAResultNamingTheFault() {
        try (Machine m = new Machine(TestMachines.small(1)); Kernel k = boot(m, IommuMode.STRICT);
             DmaBuffer dst = k.memory().allocate(4096, 4096);
             DmaChannel ch = k.dmaChannels().request(MEMCPY, "t")) {
            try (StreamingMapping d = ch.dma().mapStreaming(dst, 4096, DmaDirection.FROM_DEVICE)) {
                long nobodyMapped = 0x4000_0000L;
                DmaException refused = assertThrows(DmaException.class,
                        () -> ch.submit(new DmaTransfer.Memcpy(d.dmaAddress(), nobodyMapped, 4096)));
                assertTrue(refused.error() instanceof DmaError.NotMapped, refused.toString());
                // Tell the kernel of a mapping the IOMMU never got (a lying IOMMU driver): submit
                // accepts the address, and the device faults on it.
                ch.dma().inFlight().recordExternal(dst.physicalAddress(), 4096, nobodyMapped, DmaDirection.TO_DEVICE);
                DmaCookie c = ch.submit(new DmaTransfer.Memcpy(d.dmaAddress(), nobodyMapped, 4096));
                ch.issuePending();
                DmaTxResult r = ch.syncWait(c);
                assertEquals(DmaStatus.ERROR, r.status());
                assertEquals(DmaTxResult.Outcome.READ_FAILED, r.outcome());
                assertEquals(4096, r.residue());
                assertTrue(r.detail().startsWith("PAGE_FAULT") && r.detail().endsWith("(read) at 0x40000000"), r.detail());
                assertEquals(1, ch.failed());
                ch.dma().inFlight().removeExternal(nobodyMapped);
            }
            m.clock().runUntilIdle();
            assertEquals(1, k.iommu().faults().size(), "the IOMMU recorded the read");
        }
    }

    @Test
    void shouldRefuseCookiesOfAnotherChannelOrOfAnEarlierHolder() {
        try (Machine m = new Machine(TestMachines.small(2)); Kernel k = boot(m, IommuMode.OFF)) {
            DmaChannel zero = k.dmaChannels().request(MEMCPY, "first");
            DmaCookie old = zero.submit(new DmaTransfer.Interrupt());
            zero.issuePending();
            assertTrue(zero.syncWait(old).isSuccess());
            zero.close();
            try (DmaChannel again = k.dmaChannels().request(MEMCPY, "second");
                 DmaChannel one = k.dmaChannels().request(MEMCPY, "third")) {
                DmaCookie next = again.submit(new DmaTransfer.Interrupt());
                assertEquals(2, next.value(), "cookies go on across holders");
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> again.status(old));
                assertTrue(e.getMessage().contains("was handed to an earlier holder"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class, () -> one.status(next));
                assertEquals("cookie memcpy0chan0#2 belongs to channel memcpy0chan0, not memcpy1chan0", e.getMessage());
                e = assertThrows(IllegalArgumentException.class, () -> again.status(new DmaCookie("memcpy0chan0", 9)));
                assertTrue(e.getMessage().contains("was never handed out"), e.getMessage());
            }
        }
    }

    @Test
    void shouldDropQueuedTransfersAndFinishIssuedOnesWhenTheHolderReleases() {
        try (Machine m = new Machine(TestMachines.small(1)); Kernel k = boot(m, IommuMode.OFF)) {
            DmaChannel ch = k.dmaChannels().request(MEMCPY, "t");
            ch.submit(new DmaTransfer.Interrupt());
            ch.issuePending();
            ch.submit(new DmaTransfer.Interrupt());
            ch.close();
            assertTrue(k.copyEngine().ring().isEmpty(), "the issued transfer finished and was reaped");
            assertEquals(1, k.copyEngine().ring().submittedCount(), "the queued one never reached the device");
            try (DmaChannel next = k.dmaChannels().request(MEMCPY, "u")) {
                DmaCookie c = next.submit(new DmaTransfer.Interrupt());
                next.issuePending();
                assertTrue(next.syncWait(c).isSuccess(), "the next holder starts on an idle channel");
                assertFalse(next.isGone());
            }
        }
    }

    @Test
    void shouldReportTransfersAnEngineResetDroppedAsAbortedAndGoOn() {
        try (Machine m = new Machine(TestMachines.small(1)); Kernel k = boot(m, IommuMode.OFF);
             DmaChannel ch = k.dmaChannels().request(MEMCPY, "t")) {
            DmaCookie first = ch.submit(new DmaTransfer.Interrupt());
            DmaCookie second = ch.submit(new DmaTransfer.Interrupt());
            ch.issuePending();
            k.drivers().reset("memcpy0");
            DmaTxResult r = ch.syncWait(second);
            assertEquals(DmaTxResult.Outcome.ABORTED, r.outcome(), r.toString());
            assertEquals("dropped: memcpy0 was reset before it ran the descriptor", r.detail());
            assertEquals(DmaStatus.ERROR, ch.status(first));
            DmaCookie after = ch.submit(new DmaTransfer.Interrupt());
            ch.issuePending();
            assertTrue(ch.syncWait(after).isSuccess(), "the channel works after the reset");
            assertEquals(2, ch.failed());
        }
    }

    /** A channel that offers MEMCPY only and never runs anything: for the allocator's own rules. */
    private record MemcpyOnly(String name, String device) implements DmaChannelDriver {
        @Override public DmaCapabilities capabilities() { return MEMCPY; }
        @Override public DeviceDmaApi dma() { throw new UnsupportedOperationException("no device"); }
        @Override public long maxTransferSize() { return 65536; }
        @Override public long alignment() { return 1; }
        @Override public void submit(DmaCookie cookie, DmaTransfer transfer) { }
        @Override public void issuePending() { }
        @Override public void poll(Consumer<DmaTxResult> done) { }
        @Override public boolean waitFor(DmaCookie cookie, Consumer<DmaTxResult> done) { return false; }
        @Override public String state() { return "idle"; }
        @Override public void terminateAll() { }
    }
}
