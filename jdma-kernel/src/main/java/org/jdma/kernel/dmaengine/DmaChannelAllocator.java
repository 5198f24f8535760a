package org.jdma.kernel.dmaengine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The kernel's DMA channel allocator (the core of Linux's dmaengine, {@code drivers/dma/dmaengine.c}):
 * DMA-engine drivers register their channels when they probe and withdraw them when their device is
 * unbound ({@link #register}, {@link #unregister}; the driver core does both through the driver's
 * context); clients request a channel by the capabilities they need ({@link #request}, Linux
 * {@code dma_request_chan_by_mask}) and have it to themselves until they close it.
 *
 * <p>Channels are handed out in registration order (the first engine first), a channel to one
 * client at a time. A channel whose device is unbound disappears from the list at once; a client
 * holding it gets an {@link IllegalStateException} saying so at its next call.
 *
 * <p>Thread use: any thread; the allocator locks itself. A {@link DmaChannel} is its holder's.
 */
public final class DmaChannelAllocator {

    private static final class Entry {
        final DmaChannelDriver driver;
        DmaChannel holder;
        /** Cookies continue across holders, so a stale cookie is never a live one. */
        long nextCookie = DmaCookie.MIN;

        Entry(DmaChannelDriver driver) {
            this.driver = driver;
        }
    }

    private final Map<String, Entry> channels = new LinkedHashMap<>();

    /**
     * Makes {@code channel} available to clients (Linux {@code dma_async_device_register}).
     *
     * @throws IllegalArgumentException when a channel of that name is registered already
     */
    public synchronized void register(DmaChannelDriver channel) {
        Objects.requireNonNull(channel, "channel");
        if (channels.containsKey(channel.name())) {
            throw new IllegalArgumentException("a DMA channel called " + channel.name() + " is registered already");
        }
        channels.put(channel.name(), new Entry(channel));
    }

    /**
     * Withdraws {@code channel} (Linux {@code dma_async_device_unregister}): it is no longer listed
     * or handed out, and a client holding it finds it gone, with {@code why}. Does nothing when it
     * is not registered.
     */
    public synchronized void unregister(DmaChannelDriver channel, String why) {
        Entry e = channels.get(channel.name());
        if (e == null || e.driver != channel) {
            return;
        }
        channels.remove(channel.name());
        if (e.holder != null) {
            e.holder.disappear(why);
        }
    }

    /**
     * A free channel offering every capability of {@code wanted}, the first registered; the
     * caller holds it until it closes it.
     *
     * @param client who asks (named in the listing and in errors)
     * @throws NoDmaChannelException naming what was asked, and each channel with what it offers
     *         and who holds it, when none is free and capable
     */
    public synchronized DmaChannel request(DmaCapabilities wanted, String client) {
        Objects.requireNonNull(wanted, "wanted");
        Objects.requireNonNull(client, "client");
        for (Entry e : channels.values()) {
            if (e.holder == null && e.driver.capabilities().containsAll(wanted)) {
                e.holder = new DmaChannel(this, e.driver, client, e.nextCookie);
                return e.holder;
            }
        }
        String listing = channels.isEmpty() ? "no DMA channel is registered"
                : channels.values().stream().map(e -> describe(e, wanted)).collect(Collectors.joining("; "));
        throw new NoDmaChannelException(wanted, String.format("no free DMA channel offers %s for '%s': %s", wanted, client, listing));
    }

    private static String describe(Entry e, DmaCapabilities wanted) {
        DmaCapabilities offers = e.driver.capabilities();
        String why = !offers.containsAll(wanted) ? "lacks " + offers.missing(wanted) : "held by '" + e.holder.client() + "'";
        return e.driver.name() + " " + offers + " " + why;
    }

    /** The registered channels, in registration order. */
    public synchronized List<DmaChannelInfo> channels() {
        return channels.values().stream().map(e -> new DmaChannelInfo(e.driver.name(), e.driver.device(), e.driver.capabilities(),
                Optional.ofNullable(e.holder).map(DmaChannel::client))).toList();
    }

    /** A channel's holder gives it back. */
    synchronized void release(DmaChannel channel, long nextCookie) {
        Entry e = channels.get(channel.name());
        if (e != null && e.holder == channel) {
            e.holder = null;
            e.nextCookie = nextCookie;
        }
    }
}
