package org.jdma.kernel.dma;

/**
 * A coherent (consistent) allocation: zeroed memory that CPU and device see alike without syncs.
 * {@code physical} is where the CPU reaches it, {@code dmaAddress} what the device uses.
 */
public record CoherentBuffer(DmaDevice device, long physical, long dmaAddress, long size) { }
