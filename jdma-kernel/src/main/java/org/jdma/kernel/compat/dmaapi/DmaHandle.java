package org.jdma.kernel.compat.dmaapi;

import java.util.Objects;
import java.util.OptionalLong;
import org.jdma.kernel.dma.DmaDirection;

/**
 * What a {@link DmaOp} hands back for memory a device may use: where the CPU reaches it
 * ({@code cpuAddr}, a physical address the kernel reaches through {@link org.jdma.platform.Cpu}),
 * what the device is told ({@code dmaAddr}), and the layout. The {@code dma-api} crate's {@code DmaHandle}
 * (coherent allocations) and {@code DmaMapHandle} (streaming mappings), as one sealed type so a
 * {@link DmaOp} can sync each kind its own way.
 */
public sealed interface DmaHandle {

    long cpuAddr();

    DmaAddr dmaAddr();

    DmaLayout layout();

    default long size() {
        return layout().size();
    }

    /** A coherent allocation ({@link DmaOp#allocCoherent}). */
    record Coherent(long cpuAddr, DmaAddr dmaAddr, DmaLayout layout) implements DmaHandle {
        public Coherent {
            Objects.requireNonNull(dmaAddr, "dmaAddr");
            Objects.requireNonNull(layout, "layout");
        }
    }

    /**
     * A streaming mapping of existing memory ({@link DmaOp#mapSingle}). {@code bounceCpuAddr} is
     * present when the platform gave the device a copy (a bounce buffer inside the mask, aligned)
     * instead of the original: the device reads and writes the copy at {@code dmaAddr}, and the
     * syncs move data between the copy and {@code cpuAddr}.
     */
    record Mapped(long cpuAddr, DmaAddr dmaAddr, DmaLayout layout, DmaDirection direction, OptionalLong bounceCpuAddr)
            implements DmaHandle {
        public Mapped {
            Objects.requireNonNull(dmaAddr, "dmaAddr");
            Objects.requireNonNull(layout, "layout");
            Objects.requireNonNull(direction, "direction");
            Objects.requireNonNull(bounceCpuAddr, "bounceCpuAddr");
        }

        /** The CPU address of the bytes the device actually uses: the bounce copy when there is one. */
        public long deviceSideCpuAddr() {
            return bounceCpuAddr.orElse(cpuAddr);
        }
    }
}
