package org.jdma.machine.dev.nvme;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jdma.machine.memory.AnonymousMemory;

/**
 * A namespace's data: a {@link MemorySegment} of {@code blocks * lbaSize} bytes, either anonymous
 * memory ({@link AnonymousMemory}: reads as zeroes, and the host backs a page only once it is
 * written, so a large namespace costs what its data uses) or a file mapped with
 * {@link FileChannel#map(FileChannel.MapMode, long, long, Arena)}, so that writes reach the file
 * and survive the machine. A file shorter than the namespace is
 * extended (reads as zeroes); a longer one keeps its tail untouched.
 */
final class Namespace implements AutoCloseable {

    private final int nsid;
    private final NamespaceSpec spec;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment data;

    Namespace(int nsid, NamespaceSpec spec) {
        this.nsid = nsid;
        this.spec = spec;
        this.data = spec.file().map(this::map).orElseGet(() -> AnonymousMemory.map(spec.bytes(), arena));
    }

    private MemorySegment map(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, spec.bytes(), arena);
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException("namespace " + nsid + ": cannot map " + file + ": " + e.getMessage(), e);
        }
    }

    int nsid() { return nsid; }

    NamespaceSpec spec() { return spec; }

    long blocks() { return spec.blocks(); }

    int lbaSize() { return spec.lbaSize(); }

    /** Every block's bytes, block {@code b} at {@link #offsetOf offsetOf(b)}. */
    MemorySegment data() {
        return data;
    }

    /** Where block {@code slba} starts in {@link #data()}. */
    long offsetOf(long slba) {
        return slba * spec.lbaSize();
    }

    /** The bytes of blocks [slba, slba + count); the caller checked the range. */
    MemorySegment blocks(long slba, long count) {
        return data.asSlice(slba * spec.lbaSize(), count * spec.lbaSize());
    }

    /** Zeroes every block, as a newly built namespace in memory holds. */
    void erase() {
        data.fill((byte) 0);
    }

    /** Whether [slba, slba + count) lies inside the namespace (no wrap). */
    boolean inRange(long slba, long count) {
        return slba >= 0 && count >= 0 && slba <= spec.blocks() && count <= spec.blocks() - slba;
    }

    /** Writes what is mapped from a file back to it (Flush, shutdown). */
    void persist() {
        if (spec.file().isPresent()) {
            data.force();
        }
    }

    @Override
    public void close() {
        persist();
        arena.close();
    }
}
