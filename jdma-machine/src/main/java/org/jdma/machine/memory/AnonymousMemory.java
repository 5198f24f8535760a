package org.jdma.machine.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Zero-filled memory that costs nothing until touched. {@code Arena.allocate} zeroes (and so
 * touches) every page up front, which makes a multi-GiB guest RAM slow to create and resident at
 * once; anonymous {@code mmap} gets zero pages from the OS lazily. Where mmap cannot be called
 * (not Linux), a sparse temporary file is mapped instead, which is also lazy.
 *
 * <p>On Linux the mapping is also offered to transparent huge pages ({@code madvise} with
 * {@code MADV_HUGEPAGE}, as QEMU does for guest RAM): where the host's THP setting is
 * {@code madvise} (a common default) or {@code always}, touched RAM is backed by 2 MiB pages, so
 * one TLB entry covers 512 times as much guest RAM and a DMA copy of a megabyte crosses one or two
 * host pages instead of 256. A first touch then zeroes 2 MiB instead of 4 KiB. Where the advice
 * is not taken (THP off, another kernel), nothing changes.
 */
public final class AnonymousMemory {

    // Linux generic values (x86-64 and arm64 agree): mman-common.h / mman.h.
    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;
    private static final int MADV_HUGEPAGE = 14;

    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;

    static {
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        MethodHandle madvise = null;
        if (System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                var lookup = linker.defaultLookup();
                mmap = linker.downcallHandle(lookup.find("mmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                munmap = linker.downcallHandle(lookup.find("munmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                madvise = lookup.find("madvise").map(f -> linker.downcallHandle(f,
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT)))
                        .orElse(null);
            } catch (RuntimeException | LinkageError e) {
                mmap = null;
                munmap = null;
                madvise = null;
            }
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
    }

    private AnonymousMemory() {
    }

    /**
     * Maps {@code size} bytes of zeroed memory whose lifetime is {@code arena}'s: closing the arena
     * unmaps it.
     */
    public static MemorySegment map(long size, Arena arena) {
        if (size <= 0) {
            throw new IllegalArgumentException("memory size must be positive, was " + size);
        }
        if (MMAP != null) {
            try {
                MemorySegment addr = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, size,
                        PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
                if (addr.address() != -1L && addr.address() != 0L) {
                    long base = addr.address();
                    adviseHugePages(addr, size);
                    return addr.reinterpret(size, arena, s -> unmap(base, size));
                }
            } catch (Throwable t) {
                // fall through to the file-backed mapping
            }
        }
        return mapSparseFile(size, arena);
    }

    /** Best effort: the return code is ignored (EINVAL where THP is not built in, and then nothing changes). */
    private static void adviseHugePages(MemorySegment addr, long size) {
        if (MADVISE == null) {
            return;
        }
        try {
            int ignored = (int) MADVISE.invokeExact(addr, size, MADV_HUGEPAGE);
        } catch (Throwable t) {
            // an advice, not a requirement
        }
    }

    private static void unmap(long base, long size) {
        try {
            int rc = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(base), size);
            assert rc == 0 : "munmap failed";
        } catch (Throwable t) {
            // nothing sensible to do while an arena closes; the process is going away or the
            // mapping leaks, which is harmless for an emulator
        }
    }

    private static MemorySegment mapSparseFile(long size, Arena arena) {
        try {
            Path file = Files.createTempFile("jdma-ram", ".bin");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE)) {
                return ch.map(FileChannel.MapMode.PRIVATE, 0, size, arena);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map " + size + " bytes of guest RAM", e);
        }
    }
}
