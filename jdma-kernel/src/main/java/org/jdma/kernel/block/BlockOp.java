package org.jdma.kernel.block;

/** What a request does (Linux {@code REQ_OP_*}). */
public enum BlockOp {
    /** Device to memory. */
    READ,
    /** Memory to device. */
    WRITE,
    /** Everything completed before is durable. No data. */
    FLUSH,
    /** The blocks' contents may be dropped (trim, deallocate); they read back as zeroes. No data. */
    DISCARD
}
