package org.jdma.cli.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.jdma.kernel.iommu.IommuMode;
import org.junit.jupiter.api.Test;

/**
 * A short soak passes with faults, resets and churn in it; and each end-of-run check fails, by
 * exactly the amount injected, when its loss or leak is injected. The sabotaged checks share one
 * run (each hook touches only its own check) to keep CI time small.
 */
class SoakTest {

    private static SoakReport clean;
    private static SoakReport sabotaged;

    private static SoakConfig shortSoak(long ms) {
        return SoakConfig.modeled(3, IommuMode.LAZY, ms * 1_000_000L).withIntervals(2_000_000L, 4_000_000L, 30_000_000L);
    }

    private static SoakReport run(SoakConfig c) {
        SoakReport r = Soak.run(c, m -> { }, f -> { });
        StringWriter s = new StringWriter();
        r.print(new PrintWriter(s));
        System.out.println(s);
        return r;
    }

    private static synchronized SoakReport clean() {
        if (clean == null) {
            clean = run(shortSoak(40));
        }
        return clean;
    }

    private static synchronized SoakReport sabotaged() {
        if (sabotaged == null) {
            sabotaged = run(shortSoak(40).withSabotage(Sabotage.values()));
        }
        return sabotaged;
    }

    private static void assertOff(String check, long off) {
        SoakReport.Check c = sabotaged().check(check);
        assertEquals(off, c.actual() - c.expected(), c::line);
        assertTrue(c.line().startsWith("FAIL"), c.line());
        assertTrue(clean().check(check).passed(), () -> "the clean run: " + clean().check(check).line());
    }

    @Test
    void shouldPassAShortSoakWithFaultsResetsAndChurn() {
        SoakReport r = clean();
        assertTrue(r.passed(), () -> "failed: " + r.failed());
        assertTrue(r.figures().stream().anyMatch(f -> f.startsWith("faults") && !f.contains(" 0 injected")), r.figures()::toString);
        assertTrue(r.figures().stream().anyMatch(f -> f.startsWith("resets") && !f.contains(" 0 driver")), r.figures()::toString);
    }

    /**
     * Strict mode reuses an IOVA as soon as it is unmapped, so a lost or misplaced IOTLB
     * invalidation shows as a frame, copy or read with an older buffer's bytes; the ISA transfers
     * hold the bus while the other devices' unmaps queue invalidations, the case that once lost one.
     */
    @Test
    void shouldPassAShortSoakWithAStrictIommu() {
        SoakReport r = run(SoakConfig.modeled(1, IommuMode.STRICT, 60_000_000L).withIntervals(2_000_000L, 4_000_000L, 5_000_000L));
        assertTrue(r.passed(), () -> "failed: " + r.failed());
    }

    @Test
    void shouldReportACorruptedCopy() {
        assertOff("copy: wrong bytes", 1);
    }

    @Test
    void shouldReportACorruptedNvmeRead() {
        assertOff("nvme: reads that did not return what was written", 1);
    }

    @Test
    void shouldReportACorruptedIsaSector() {
        assertOff("isa: sectors that did not hold what was written", 1);
    }

    @Test
    void shouldReportASampleTheCardPlayedThatTheDriverDidNotWrite() {
        assertOff("sound: bytes played that differ from what the driver wrote", 1);
    }

    @Test
    void shouldReportALostFrame() {
        assertOff("nic: frames neither received nor counted as dropped", 1);
    }

    @Test
    void shouldReportACorruptedFrame() {
        assertOff("nic: corrupted frames", 1);
    }

    @Test
    void shouldReportALeakedMapping() {
        assertOff("leaks: mappings still live when their device detached", 1);
    }

    @Test
    void shouldReportALeakedIova() {
        assertOff("leaks: IOVA pages still allocated after every device detached", 1);
    }

    @Test
    void shouldReportLeakedFrames() {
        // LEAK_FRAME's page, and the page LEAK_MAPPING could never free while it was mapped
        assertOff("leaks: frames still allocated after teardown, beyond what a fresh kernel keeps", 2);
    }

    @Test
    void shouldReportAMisuseNobodyInjected() {
        assertOff("checker: double unmaps reported vs injected", 1);
    }

    @Test
    void shouldPrintWhichCheckFailedAndByHowMuch() {
        StringWriter s = new StringWriter();
        sabotaged().print(new PrintWriter(s));
        assertTrue(s.toString().contains("FAIL  copy: wrong bytes: expected 0, found 1 (off by 1)"), s::toString);
        assertTrue(s.toString().contains("soak FAILED: "), s::toString);
    }

    @Test
    void shouldBoundARunByWallTimeOrModeledTimeNotBoth() {
        SoakConfig wall = SoakConfig.wall(1, IommuMode.LAZY, 60_000_000_000L);
        assertEquals(0, wall.modeledNs());
        assertEquals(60_000_000_000L, wall.wallNs());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new SoakConfig(1, IommuMode.LAZY, 1, 1, 4, 3, 16384, 508, 0.1, 8, 4096, 1, 1, 1, java.util.Set.of()));
    }
}
