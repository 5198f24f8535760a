package org.jdma.kernel.dmaengine;

import java.util.function.Consumer;
import org.jdma.kernel.dma.DeviceDmaApi;

/**
 * What a DMA-engine driver implements for each channel it registers (Linux {@code struct
 * dma_chan} with its {@code struct dma_device} callbacks). The allocator's {@link DmaChannel} does
 * the bookkeeping (exclusive use, cookies, results) and calls these only for the client holding
 * the channel, on that client's thread.
 */
public interface DmaChannelDriver {

    /** The channel's name: its device's name and a channel number ("memcpy0chan0", as Linux's "dma0chan0"). */
    String name();

    /** The device the channel belongs to (the driver instance's name, "memcpy0"). */
    String device();

    /** What the channel can do. */
    DmaCapabilities capabilities();

    /**
     * The DMA API of the channel's device (Linux {@code dmaengine_get_dma_device}): a client maps
     * its buffers here, so the device addresses it hands the channel are this device's (IOVAs in
     * its IOMMU domain when one translates for it).
     */
    DeviceDmaApi dma();

    /** Largest {@link DmaTransfer#length()} one transfer may have. */
    long maxTransferSize();

    /** Alignment the device requires of data addresses, bytes (Linux {@code copy_align}, as a byte count). */
    long alignment();

    /**
     * Queues {@code transfer} under {@code cookie}; it starts only at the next {@link #issuePending()}
     * (Linux {@code tx_submit}). The capability is checked already.
     *
     * @throws IllegalArgumentException when the device cannot take the transfer (too long), naming why
     */
    void submit(DmaCookie cookie, DmaTransfer transfer);

    /** Starts every queued transfer, in submission order (Linux {@code device_issue_pending}). */
    void issuePending();

    /**
     * Hands {@code done} the result of each transfer that finished since the last call, and starts
     * issued transfers that were waiting for room on the device. Does not let the machine run.
     */
    void poll(Consumer<DmaTxResult> done);

    /**
     * Lets the machine run until the transfer {@code cookie} finished, the device stopped, or the
     * driver's timeout passed; then {@link #poll}s. Returns whether it finished. On the event
     * kernel only (a device on its own thread is waited for by polling {@link DmaChannel#status}).
     */
    boolean waitFor(DmaCookie cookie, Consumer<DmaTxResult> done);

    /** What the device says about itself, for a wait that gave up (its status registers). */
    String state();

    /**
     * Ends every transfer of the channel (Linux {@code device_terminate_all}): queued ones are
     * dropped, issued ones are waited for up to the driver's timeout and then aborted. After it the
     * channel is idle and its device ready for the next client.
     */
    void terminateAll();
}
