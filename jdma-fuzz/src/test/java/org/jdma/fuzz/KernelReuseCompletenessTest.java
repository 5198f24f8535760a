package org.jdma.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.jdma.kernel.iommu.IommuMode;
import org.junit.jupiter.api.Test;

/**
 * The DMA-API target reuses one kernel per IOMMU mode and prepares it before each input
 * ({@link ReusedKernel}); that is sound only if nothing an input leaves behind changes what the
 * next one sees. For every pair (A, B) of the target's inputs (its checked-in ones and seeded
 * mutants), B run on the reused kernels right after A (and after every pair before) must observe
 * what B observes on a kernel booted for it alone: every call's return value (DMA and physical
 * addresses included, so IOVA, bounce-slot and frame choices count), every exception with its
 * message, and the free frames at the end. Without the domain replacement (IOVAs come from the
 * old domain's magazines) or the bounce pool's rewind (bounce addresses move on) it fails.
 */
class KernelReuseCompletenessTest {

    /** Mutants per checked-in input: every input runs once on a new kernel, every pair twice on the reused ones. */
    private static final int MUTANTS = 3;

    @Test
    void dmaApiTargetSeesTheSameAfterAnyInputAsOnANewKernel() {
        List<byte[]> corpus = ResetCompletenessTest.corpus(
                ResetCompletenessTest.inputs("DmaApiFuzzTest", "mappingApiThrowsOnlyDocumentedErrorsAndLeaksNothing"), MUTANTS);
        List<List<String>> alone = new ArrayList<>();
        for (byte[] b : corpus) {
            alone.add(runOnNewKernel(b));
        }
        Map<IommuMode, ReusedKernel> reused = new EnumMap<>(IommuMode.class);
        try {
            for (byte[] a : corpus) {
                for (int i = 0; i < corpus.size(); i++) {
                    DmaApiFuzzTest.run(mode -> reused.computeIfAbsent(mode, DmaApiFuzzTest::boot), a, Outcome.IGNORED);
                    Outcome afterA = new Outcome();
                    DmaApiFuzzTest.run(mode -> reused.computeIfAbsent(mode, DmaApiFuzzTest::boot), corpus.get(i), afterA);
                    int b = i;
                    assertEquals(alone.get(i), afterA.observed(), () -> "what B observed after A; A = " + hex(a) + ", B = " + hex(corpus.get(b)));
                }
            }
        } finally {
            reused.values().forEach(ReusedKernel::close);
        }
    }

    private static List<String> runOnNewKernel(byte[] input) {
        List<ReusedKernel> booted = new ArrayList<>();
        Outcome out = new Outcome();
        try {
            DmaApiFuzzTest.run(mode -> {
                ReusedKernel k = DmaApiFuzzTest.boot(mode);
                booted.add(k);
                return k;
            }, input, out);
        } finally {
            booted.forEach(ReusedKernel::close);
        }
        return out.observed();
    }

    private static String hex(byte[] input) {
        return HexFormat.of().formatHex(input);
    }
}
