package org.jdma.kernel.dmaengine;

import java.util.Objects;

/**
 * What submitting a transfer returns (Linux {@code dma_cookie_t}): the channel's number for it,
 * counted from 1 in submission order, with the channel's name so that a cookie handed to another
 * channel is refused by name.
 */
public record DmaCookie(String channel, long value) {

    /** The first cookie a channel hands out (Linux {@code DMA_MIN_COOKIE}). */
    public static final long MIN = 1;

    public DmaCookie {
        Objects.requireNonNull(channel, "channel");
        if (value < MIN) {
            throw new IllegalArgumentException("a cookie is at least " + MIN + ", was " + value);
        }
    }

    @Override
    public String toString() {
        return channel + "#" + value;
    }
}
