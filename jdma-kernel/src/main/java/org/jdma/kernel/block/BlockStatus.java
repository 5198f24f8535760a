package org.jdma.kernel.block;

/** How a request ended (Linux {@code blk_status_t}, reduced). */
public enum BlockStatus {
    /** Done as asked. */
    OK,
    /** The device refused the request as malformed or out of range ({@code BLK_STS_IOERR} with DNR); retrying cannot help. */
    INVALID,
    /** Moving the data failed (the IOMMU blocked an address, a list could not be read). */
    TRANSFER_ERROR,
    /** The media failed to read or write. */
    MEDIA_ERROR,
    /** The request took longer than the timeout and was aborted ({@code BLK_STS_TIMEOUT}); a retry may succeed. */
    TIMED_OUT,
    /** The controller was reset with the request outstanding; a retry may succeed. */
    RESET,
    /** The device is gone (removed). */
    NO_DEVICE
}
