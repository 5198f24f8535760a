package org.jdma.kernel.dmaengine;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jdma.kernel.dma.DeviceDmaApi;

/**
 * A channel a client holds (Linux {@code struct dma_chan} between {@code dma_request_chan_by_mask}
 * and {@code dma_release_channel}): the client has it to itself until {@link #close()}. The cycle
 * is Linux's:
 *
 * <pre>
 * try (DmaChannel ch = kernel.dmaChannels().request(DmaCapabilities.of(MEMCPY), "me")) {
 *     long src = ch.dma().mapSingle(...), dst = ...;         // map for the channel's device
 *     DmaCookie c = ch.submit(new DmaTransfer.Memcpy(dst, src, n));   // dmaengine_submit
 *     ch.issuePending();                                     // dma_async_issue_pending
 *     DmaTxResult r = ch.syncWait(c);                        // dma_sync_wait
 * }
 * </pre>
 *
 * Results are kept until the client collects them ({@link #syncWait}, {@link #result}); a
 * client that never collects keeps them all. When the channel's device is unbound the channel
 * disappears: every call then fails with an {@link IllegalStateException} saying so, and
 * {@link #close()} still works.
 *
 * <p>Thread use: the holder's thread, one at a time; the driver core may make the channel
 * disappear from another.
 */
public final class DmaChannel implements AutoCloseable {

    private final DmaChannelAllocator allocator;
    private final DmaChannelDriver driver;
    private final String client;
    private final Map<Long, DmaTxResult> results = new HashMap<>();
    private final Set<Long> outstanding = new HashSet<>();
    private final Consumer<DmaTxResult> collector = this::collect;
    private final long firstCookie;
    private long nextCookie;
    private long submitted;
    private long completed;
    private long failed;
    private volatile String gone;
    private boolean released;

    DmaChannel(DmaChannelAllocator allocator, DmaChannelDriver driver, String client, long firstCookie) {
        this.allocator = allocator;
        this.driver = driver;
        this.client = client;
        this.firstCookie = firstCookie;
        this.nextCookie = firstCookie;
    }

    /** "memcpy0chan0". */
    public String name() {
        return driver.name();
    }

    /** The device the channel belongs to ("memcpy0"). */
    public String device() {
        return driver.device();
    }

    /** Who requested the channel. */
    public String client() {
        return client;
    }

    public DmaCapabilities capabilities() {
        return driver.capabilities();
    }

    /** The channel's device's DMA API: map buffers here before handing their device addresses to {@link #submit}. */
    public DeviceDmaApi dma() {
        checkUsable();
        return driver.dma();
    }

    public long maxTransferSize() {
        return driver.maxTransferSize();
    }

    /** Alignment the device requires of data addresses, bytes. */
    public long alignment() {
        return driver.alignment();
    }

    /**
     * Queues {@code transfer} (Linux {@code device_prep_dma_*} then {@code dmaengine_submit}); it
     * starts at the next {@link #issuePending()}.
     *
     * @throws IllegalArgumentException when the channel lacks the capability, or its device cannot
     *         take the transfer (too long)
     * @throws org.jdma.kernel.dma.DmaException {@link org.jdma.kernel.dma.DmaError.NotMapped} when an
     *         address of the transfer is not mapped for the channel's device in the direction the
     *         device uses it; nothing is queued then
     * @throws IllegalStateException when the channel was released or has disappeared
     */
    public DmaCookie submit(DmaTransfer transfer) {
        Objects.requireNonNull(transfer, "transfer");
        checkUsable();
        if (!capabilities().has(transfer.capability())) {
            throw new IllegalArgumentException(String.format("%s cannot do %s: it offers %s", name(), transfer.capability(),
                    capabilities()));
        }
        if (transfer.length() > maxTransferSize()) {
            throw new IllegalArgumentException(String.format("%s: a transfer of %d bytes exceeds the device's largest, %d",
                    name(), transfer.length(), maxTransferSize()));
        }
        DmaCookie cookie = new DmaCookie(name(), nextCookie);
        driver.submit(cookie, transfer);
        nextCookie++;
        outstanding.add(cookie.value());
        submitted++;
        return cookie;
    }

    /** Starts what was submitted (Linux {@code dma_async_issue_pending}). */
    public void issuePending() {
        checkUsable();
        driver.issuePending();
    }

    /**
     * Where {@code cookie} stands, without letting the machine run (Linux
     * {@code dma_async_is_tx_complete}): IN_PROGRESS, or COMPLETE/ERROR once finished. A cookie
     * whose result was collected already is COMPLETE whatever the result was.
     */
    public DmaStatus status(DmaCookie cookie) {
        checkUsable();
        checkOwn(cookie);
        driver.poll(collector);
        if (outstanding.contains(cookie.value())) {
            return DmaStatus.IN_PROGRESS;
        }
        DmaTxResult r = results.get(cookie.value());
        return r == null ? DmaStatus.COMPLETE : r.status();
    }

    /** The result of {@code cookie} when it finished, collected (a second call finds nothing); empty while in progress. */
    public Optional<DmaTxResult> result(DmaCookie cookie) {
        checkUsable();
        checkOwn(cookie);
        driver.poll(collector);
        return Optional.ofNullable(results.remove(cookie.value()));
    }

    /**
     * Lets the machine run until {@code cookie} finished and returns its result, collected (Linux
     * {@code dma_sync_wait}); when the driver's timeout passes first, a
     * {@link DmaTxResult.Outcome#NOT_DONE} result naming the device's state (the transaction stays
     * in flight). Other channels' devices run meanwhile: the machine is one.
     *
     * @throws IllegalStateException when the result was collected already
     */
    public DmaTxResult syncWait(DmaCookie cookie) {
        checkUsable();
        checkOwn(cookie);
        DmaTxResult r = results.remove(cookie.value());
        if (r != null) {
            return r;
        }
        if (!outstanding.contains(cookie.value())) {
            throw new IllegalStateException("the result of " + cookie + " was collected already");
        }
        driver.waitFor(cookie, collector);
        r = results.remove(cookie.value());
        return r != null ? r : DmaTxResult.notDone(cookie, driver.state());
    }

    /** Transfers submitted on this handle. */
    public long submitted() {
        return submitted;
    }

    /** Transfers that finished without error. */
    public long completed() {
        return completed;
    }

    /** Transfers that finished with an error. */
    public long failed() {
        return failed;
    }

    /** Whether the channel's device was unbound while this handle held it. */
    public boolean isGone() {
        return gone != null;
    }

    /**
     * Ends the channel's work (queued transfers dropped, issued ones waited for, then aborted) and
     * gives the channel back (Linux {@code dmaengine_terminate_sync} and {@code dma_release_channel}).
     * Idempotent; a channel that disappeared is only forgotten.
     */
    @Override
    public void close() {
        if (released) {
            return;
        }
        released = true;
        try {
            if (gone == null) {
                driver.terminateAll();
            }
        } finally {
            outstanding.clear();
            results.clear();
            allocator.release(this, nextCookie);
        }
    }

    DmaChannelDriver driver() {
        return driver;
    }

    /** Called by the allocator when the channel's device goes away. */
    void disappear(String why) {
        gone = why;
    }

    private void collect(DmaTxResult r) {
        if (!outstanding.remove(r.cookie().value())) {
            throw new IllegalStateException(name() + " reported a result for " + r.cookie() + ", which is not in flight");
        }
        results.put(r.cookie().value(), r);
        if (r.isSuccess()) {
            completed++;
        } else {
            failed++;
        }
    }

    private void checkOwn(DmaCookie cookie) {
        Objects.requireNonNull(cookie, "cookie");
        if (!cookie.channel().equals(name())) {
            throw new IllegalArgumentException("cookie " + cookie + " belongs to channel " + cookie.channel() + ", not " + name());
        }
        if (cookie.value() < firstCookie) {
            throw new IllegalArgumentException("cookie " + cookie + " was handed to an earlier holder of " + name()
                    + " ('" + client + "' holds it from #" + firstCookie + ")");
        }
        if (cookie.value() >= nextCookie) {
            throw new IllegalArgumentException("cookie " + cookie + " was never handed out (" + name() + " is at " + (nextCookie - 1) + ")");
        }
    }

    private void checkUsable() {
        if (released) {
            throw new IllegalStateException(name() + " was released by '" + client + "'; request a channel again");
        }
        String why = gone;
        if (why != null) {
            throw new IllegalStateException(name() + " is gone: " + why + "; request another channel");
        }
    }

    @Override
    public String toString() {
        return name() + " " + capabilities() + " held by '" + client + "'" + (gone != null ? " (gone)" : "");
    }
}
