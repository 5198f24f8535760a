package org.jdma.kernel.drivers.memcpy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaInFlight;
import org.jdma.kernel.dmaengine.DmaCapabilities;
import org.jdma.kernel.dmaengine.DmaCapability;
import org.jdma.kernel.dmaengine.DmaChannelDriver;
import org.jdma.kernel.dmaengine.DmaCookie;
import org.jdma.kernel.dmaengine.DmaStatus;
import org.jdma.kernel.dmaengine.DmaTransfer;
import org.jdma.kernel.dmaengine.DmaTxResult;
import org.jdma.platform.Clock;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.memcpy.Opcode;

/**
 * The copy engine's one DMA channel ("memcpy0chan0"), over the driver's asynchronous path: a
 * transfer becomes one descriptor (MEMMOVE, MEMFILL, COMPARE, or a NOOP for an interrupt), queued
 * at submit, put into the ring with one doorbell per {@link #issuePending()} (what does not fit
 * waits for room), and matched back to its cookie by its ring sequence number when drained.
 * Descriptors ask for a completion interrupt when the driver runs in INTERRUPT mode; a wait reads
 * completion records (as Linux's {@code dma_sync_wait} polls the channel's status), and the
 * interrupts land as the machine runs on.
 *
 * <p>While a client holds the channel, the driver's {@link CopyEngineDriver#submit}/{@link
 * CopyEngineDriver#drain} belong to it; the synchronous operations may still be used (they reap
 * only their own descriptor). Event kernel only for {@link #waitFor}; a device on its own thread is
 * polled ({@link #poll}).
 */
final class CopyEngineChannel implements DmaChannelDriver {

    /** What the copy engine does for a dmaengine client. */
    static final DmaCapabilities CAPABILITIES = DmaCapabilities.of(DmaCapability.MEMCPY, DmaCapability.MEMSET,
            DmaCapability.COMPARE, DmaCapability.INTERRUPT);

    private record Queued(DmaCookie cookie, Descriptor descriptor) { }

    private record Issued(DmaCookie cookie, long sequence, long length) { }

    private final CopyEngineDriver driver;
    private final Clock clock;
    private final String name;
    /** Submitted, not issued yet. */
    private final ArrayDeque<Queued> submitted = new ArrayDeque<>();
    private final DmaInFlight.Ranges checkRanges = new DmaInFlight.Ranges();
    /** Issued, waiting for room in the ring. */
    private final ArrayDeque<Queued> waiting = new ArrayDeque<>();
    /** In the ring, oldest first. */
    private final ArrayDeque<Issued> inFlight = new ArrayDeque<>();
    private final CompletedDescriptor[] drained;
    private final List<Descriptor> batch = new ArrayList<>();

    CopyEngineChannel(CopyEngineDriver driver, Clock clock) {
        this.driver = driver;
        this.clock = clock;
        this.name = driver.name() + "chan0";
        this.drained = new CompletedDescriptor[driver.ring().capacity()];
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String device() {
        return driver.name();
    }

    @Override
    public DmaCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public DeviceDmaApi dma() {
        return driver.dma();
    }

    @Override
    public long maxTransferSize() {
        return driver.maxTransferSize();
    }

    @Override
    public long alignment() {
        return driver.requiredAlignment();
    }

    @Override
    public void submit(DmaCookie cookie, DmaTransfer transfer) {
        int irq = driver.options().mode() == CopyEngineDriver.CompletionMode.INTERRUPT ? Descriptor.INTERRUPT : 0;
        Descriptor d = switch (transfer) {
            case DmaTransfer.Memcpy m -> Descriptor.memmove(m.source(), m.destination(), m.length());
            case DmaTransfer.Memset s -> Descriptor.memfill(s.destination(), s.length(), s.pattern());
            case DmaTransfer.Compare c -> Descriptor.compare(c.first(), c.second(), c.length());
            case DmaTransfer.Interrupt i -> Descriptor.noop();
        };
        d = d.withFlags(d.flags() | (transfer instanceof DmaTransfer.Interrupt ? Descriptor.INTERRUPT : irq));
        DescriptorCodec.checkEncodable(d);
        // Prep refuses what the device may not reach; the ring holds the ranges when it takes them.
        d.namedRanges(checkRanges.clear());
        driver.dma().inFlight().check(checkRanges);
        submitted.add(new Queued(cookie, d));
    }

    @Override
    public void issuePending() {
        waiting.addAll(submitted);
        submitted.clear();
        push();
    }

    /** Moves waiting descriptors into the ring, one doorbell for as many as fit. */
    private void push() {
        if (waiting.isEmpty()) {
            return;
        }
        batch.clear();
        for (Queued q : waiting) {
            batch.add(q.descriptor());
        }
        long first = driver.ring().submittedCount();
        int accepted = driver.submit(batch);
        for (int i = 0; i < accepted; i++) {
            Queued q = waiting.poll();
            inFlight.add(new Issued(q.cookie(), first + i, q.descriptor().length()));
        }
    }

    @Override
    public void poll(Consumer<DmaTxResult> done) {
        int n;
        while ((n = driver.drain(drained)) > 0) {
            for (int i = 0; i < n; i++) {
                CompletedDescriptor c = drained[i];
                Issued head = inFlight.poll();
                while (head != null && head.sequence() < c.sequence()) {
                    done.accept(dropped(head));
                    head = inFlight.poll();
                }
                if (head == null || head.sequence() != c.sequence()) {
                    throw new IllegalStateException(String.format("%s: descriptor #%d completed but the channel expected %s: "
                            + "someone submitted to %s's ring directly while a client held the channel", name, c.sequence(),
                            head == null ? "none" : "#" + head.sequence(), driver.name()));
                }
                done.accept(result(head.cookie(), c));
            }
        }
        // Drained past without a completion: an engine reset dropped them.
        while (!inFlight.isEmpty() && inFlight.peek().sequence() < driver.ring().drainedCount()) {
            done.accept(dropped(inFlight.poll()));
        }
        push();
    }

    private DmaTxResult dropped(Issued issued) {
        return new DmaTxResult(issued.cookie(), DmaStatus.ERROR, DmaTxResult.Outcome.ABORTED, issued.length(), OptionalLong.empty(),
                "dropped: " + driver.name() + " was reset before it ran the descriptor");
    }

    @Override
    public boolean waitFor(DmaCookie cookie, Consumer<DmaTxResult> done) {
        issuePending();
        poll(done);
        long deadline = Math.addExact(clock.now(), driver.options().timeoutNs());
        while (outstanding(cookie)) {
            long target = sequenceOf(cookie);
            boolean moved = clock.runUntil(() -> driver.ring().isComplete(target), Math.max(0, deadline - clock.now()));
            poll(done);
            if (!moved && (clock.now() >= deadline || driver.status().halted())) {
                return !outstanding(cookie);
            }
        }
        return true;
    }

    /** The ring sequence to wait for: the cookie's own, or the oldest in the ring when it waits for room. */
    private long sequenceOf(DmaCookie cookie) {
        for (Issued i : inFlight) {
            if (i.cookie().equals(cookie)) {
                return i.sequence();
            }
        }
        if (inFlight.isEmpty()) {
            throw new IllegalStateException(name + ": " + cookie + " is neither in the ring nor waiting behind it");
        }
        return inFlight.peek().sequence();
    }

    private boolean outstanding(DmaCookie cookie) {
        return inFlight.stream().anyMatch(i -> i.cookie().equals(cookie)) || waiting.stream().anyMatch(q -> q.cookie().equals(cookie))
                || submitted.stream().anyMatch(q -> q.cookie().equals(cookie));
    }

    @Override
    public String state() {
        return driver.name() + " " + driver.status();
    }

    @Override
    public void terminateAll() {
        submitted.clear();
        waiting.clear();
        Consumer<DmaTxResult> discard = r -> { };
        if (!inFlight.isEmpty() && !waitFor(inFlight.peekLast().cookie(), discard)) {
            // Still running after the timeout (or halted): abort what the engine has not finished.
            driver.resetAndEnable();
        }
        while (driver.drain(drained) > 0) {
            // completions of the aborted client's transfers: nobody collects them
        }
        inFlight.clear();
    }

    /** A completion record as a dmaengine result. */
    private static DmaTxResult result(DmaCookie cookie, CompletedDescriptor c) {
        String detail = c.status() == null ? String.format("status %#04x", c.statusByte()) : c.status().name();
        if (c.isSuccess()) {
            boolean mismatch = c.descriptor().opcode() == Opcode.COMPARE && c.differs();
            return new DmaTxResult(cookie, DmaStatus.COMPLETE, DmaTxResult.Outcome.NOERROR, 0,
                    mismatch ? OptionalLong.of(c.bytesCompleted()) : OptionalLong.empty(), detail);
        }
        boolean fault = c.status() == CompletionStatus.PAGE_FAULT_NOBOF || c.status() == CompletionStatus.PAGE_FAULT_IR
                || c.status() == CompletionStatus.TRANSLATION_FAIL;
        DmaTxResult.Outcome outcome = !fault ? DmaTxResult.Outcome.ABORTED
                : c.faultOnWrite() ? DmaTxResult.Outcome.WRITE_FAILED : DmaTxResult.Outcome.READ_FAILED;
        if (fault) {
            detail += String.format(" (%s) at %#x", c.faultOnWrite() ? "write" : "read", c.faultAddress());
        }
        long length = c.descriptor().length();
        long residue = Math.max(0, length - Math.min(length, c.bytesCompleted()));
        return new DmaTxResult(cookie, DmaStatus.ERROR, outcome, residue, OptionalLong.empty(), detail);
    }
}
