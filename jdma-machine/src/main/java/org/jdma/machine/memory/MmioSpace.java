package org.jdma.machine.memory;

import java.util.Optional;
import org.jdma.machine.mmio.MmioHandler;

/**
 * The part of the physical address map a device may claim at run time: where its BARs decode.
 * The board hands it to each device ({@link org.jdma.machine.dev.DeviceContext}), so a device
 * can place and move its register windows, but never reach RAM through it (RAM is only reached
 * through the device's DMA port).
 */
public interface MmioSpace {

    /**
     * Claims [base, base + size) for {@code handler}, unless any byte of it is already RAM, an
     * MMIO window or the interrupt range; returns the window, or empty when the range is taken
     * (hardware with two decoders on one address has undefined behaviour; here the later one
     * simply does not decode).
     */
    Optional<MmioWindow> tryMap(String name, long base, long size, MmioHandler handler);

    /** Gives a window claimed by {@link #tryMap} back; unknown windows are ignored. */
    void unmap(MmioWindow window);
}
