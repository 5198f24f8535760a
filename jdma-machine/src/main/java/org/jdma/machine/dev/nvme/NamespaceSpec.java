package org.jdma.machine.dev.nvme;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One namespace of a controller: its logical block size (512 or 4096 bytes), its size in blocks,
 * and where its data lives: in memory (lost with the machine) or in a file, memory-mapped, so that
 * what was written survives a restart of the machine.
 *
 * @param lbaSize bytes per logical block: 512 or 4096
 * @param blocks  the namespace size (NSZE), at least 1
 * @param file    the backing file (created and sized if needed), or empty for memory
 */
public record NamespaceSpec(int lbaSize, long blocks, Optional<Path> file) {

    public NamespaceSpec {
        if (lbaSize != 512 && lbaSize != 4096) {
            throw new IllegalArgumentException("lbaSize must be 512 or 4096, was " + lbaSize);
        }
        if (blocks < 1 || blocks > Long.MAX_VALUE / lbaSize) {
            throw new IllegalArgumentException("blocks must be >= 1 and fit in bytes, was " + blocks);
        }
        Objects.requireNonNull(file, "file");
    }

    /** A namespace of {@code blocks} blocks of {@code lbaSize} bytes in memory. */
    public static NamespaceSpec memory(int lbaSize, long blocks) {
        return new NamespaceSpec(lbaSize, blocks, Optional.empty());
    }

    /** A namespace of {@code blocks} blocks of {@code lbaSize} bytes in {@code file}. */
    public static NamespaceSpec file(int lbaSize, long blocks, Path file) {
        return new NamespaceSpec(lbaSize, blocks, Optional.of(file));
    }

    public long bytes() {
        return blocks * lbaSize;
    }

    /** log2 of the block size (LBADS). */
    public int lbads() {
        return Integer.numberOfTrailingZeros(lbaSize);
    }
}
