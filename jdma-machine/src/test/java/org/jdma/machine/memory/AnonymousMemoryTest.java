package org.jdma.machine.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class AnonymousMemoryTest {

    private static final long GiB = 1L << 30;
    private static final long MiB = 1L << 20;
    private static final Path PROC_STATUS = Path.of("/proc/self/status");

    @Test
    void shouldMapZeroedMemoryOfTheRequestedSize() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = AnonymousMemory.map(3 * 4096 + 5, arena);
            assertEquals(3 * 4096 + 5, m.byteSize());
            for (long i = 0; i < m.byteSize(); i++) {
                assertEquals(0, m.get(ValueLayout.JAVA_BYTE, i), "byte " + i);
            }
            m.set(ValueLayout.JAVA_LONG_UNALIGNED, 4096, 0x0102030405060708L);
            assertEquals(0x0102030405060708L, m.get(ValueLayout.JAVA_LONG_UNALIGNED, 4096));
        }
    }

    @Test
    void shouldRejectANonPositiveSize() {
        try (Arena arena = Arena.ofConfined()) {
            var e = assertThrows(IllegalArgumentException.class, () -> AnonymousMemory.map(0, arena));
            assertTrue(e.getMessage().contains("0"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> AnonymousMemory.map(-4096, arena));
        }
    }

    @Test
    void shouldUnmapWhenTheArenaCloses() {
        MemorySegment m;
        try (Arena arena = Arena.ofConfined()) {
            m = AnonymousMemory.map(MiB, arena);
            m.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        }
        assertFalse(m.scope().isAlive());
        assertThrows(IllegalStateException.class, () -> m.get(ValueLayout.JAVA_BYTE, 0));
    }

    /**
     * An 8 GiB guest RAM must cost (almost) nothing until touched: both the anonymous mmap and the
     * sparse-file fallback are lazy. Resident memory is read from /proc/self/status (VmRSS), so the
     * RSS assertion runs on Linux only and is skipped elsewhere (a property of the host, not of the
     * code); on Linux a missing VmRSS fails rather than skips. The zero reads and the far write run
     * everywhere. The bound (256 MiB) is loose because the JVM itself may grow meanwhile; an eager
     * implementation would add 8 GiB.
     */
    @Test
    void shouldNotTouchALargeMappingUntilUsed() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            long before = residentBytes();
            MemorySegment m = AnonymousMemory.map(8 * GiB, arena);
            assertEquals(8 * GiB, m.byteSize());
            for (long off : new long[] {0, 4 * GiB + 12345, 8 * GiB - 8}) {
                assertEquals(0L, m.get(ValueLayout.JAVA_LONG_UNALIGNED, off), "offset " + off);
            }
            m.set(ValueLayout.JAVA_LONG_UNALIGNED, 7 * GiB, -1L);
            assertEquals(-1L, m.get(ValueLayout.JAVA_LONG_UNALIGNED, 7 * GiB));
            long after = residentBytes();
            Assumptions.assumeTrue(System.getProperty("os.name", "").startsWith("Linux"),
                    "resident memory is read from /proc/self/status, which only Linux has");
            assertTrue(before >= 0 && after >= 0, "no VmRSS in " + PROC_STATUS);
            assertTrue(after - before < 256 * MiB, "RSS grew by " + (after - before) / MiB + " MiB for an 8 GiB mapping");
        }
    }

    /**
     * Guest RAM is offered to transparent huge pages: the kernel's per-mapping report
     * (/proc/self/smaps, "THPeligible") says the mapping may be backed by 2 MiB pages exactly when
     * the host's THP setting takes advice or applies to everything ("madvise" or "always"), and not
     * when it is "never". Linux only (smaps and the setting are Linux's).
     */
    @Test
    void shouldOfferGuestRamToTransparentHugePagesWhereTheHostTakesAdvice() throws IOException {
        Path setting = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        Assumptions.assumeTrue(System.getProperty("os.name", "").startsWith("Linux") && Files.isReadable(setting),
                "transparent huge pages are a Linux setting");
        String mode = Files.readString(setting); // e.g. "always [madvise] never"
        boolean takesAdvice = mode.contains("[madvise]") || mode.contains("[always]");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = AnonymousMemory.map(8 * MiB, arena);
            m.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            String eligible = smapsField(m.address(), "THPeligible:");
            assertEquals(takesAdvice ? "1" : "0", eligible, "THPeligible of the mapping at 0x"
                    + Long.toHexString(m.address()) + " with transparent_hugepage " + mode.trim());
        }
    }

    /** The value of {@code field} in the /proc/self/smaps entry of the mapping that holds {@code address}. */
    private static String smapsField(long address, String field) throws IOException {
        boolean inside = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
                long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                inside = Long.compareUnsigned(start, address) <= 0 && Long.compareUnsigned(address, end) < 0;
            } else if (inside && line.startsWith(field)) {
                return line.substring(field.length()).trim();
            }
        }
        throw new AssertionError("no " + field + " for the mapping at 0x" + Long.toHexString(address) + " in /proc/self/smaps");
    }

    /** VmRSS in bytes, or -1 when /proc/self/status is not there (not Linux). */
    private static long residentBytes() throws IOException {
        if (!Files.isReadable(PROC_STATUS)) {
            return -1;
        }
        for (String line : Files.readAllLines(PROC_STATUS)) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
                return Long.parseLong(parts[0]) * 1024;   // the unit is kB
            }
        }
        return -1;
    }
}
