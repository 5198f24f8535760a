package org.jdma.test;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdma.kernel.dma.debug.DmaDebug;
import org.jdma.kernel.dma.debug.DmaDebugCategory;
import org.jdma.kernel.dma.debug.DmaDebugFailure;
import org.jdma.kernel.dma.debug.DmaDebugReport;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Which checker categories fail a {@link DmaTest}: all but the allowed ones (failOnReport true),
 * or only the denied ones (failOnReport false). Built once per test from its annotation, which it
 * validates: an allowance without a reason, a category named twice, or a list that means nothing
 * with the test's failOnReport is a configuration error naming the attribute.
 */
record ReportPolicy(Set<DmaDebugCategory> failing, Map<DmaDebugCategory, String> allowed) {

    ReportPolicy {
        failing = Set.copyOf(failing);
        allowed = Map.copyOf(allowed);
    }

    static ReportPolicy of(DmaTest config) {
        if (!config.failOnReport()) {
            if (config.allow().length > 0) {
                throw new ExtensionConfigurationException("@DmaTest(failOnReport = false, allow = ...): nothing fails on reports,"
                        + " so there is nothing to allow; use deny to name the categories that must still fail the test");
            }
            EnumSet<DmaDebugCategory> denied = EnumSet.noneOf(DmaDebugCategory.class);
            for (DmaDebugCategory c : config.deny()) {
                if (!denied.add(c)) {
                    throw new ExtensionConfigurationException("@DmaTest(deny = ...): " + c + " is named twice");
                }
            }
            return new ReportPolicy(denied, Map.of());
        }
        if (config.deny().length > 0) {
            throw new ExtensionConfigurationException("@DmaTest(deny = ...) needs failOnReport = false:"
                    + " with failOnReport = true every category already fails the test");
        }
        Map<DmaDebugCategory, String> allowed = new EnumMap<>(DmaDebugCategory.class);
        for (AllowReport a : config.allow()) {
            if (a.reason().isBlank()) {
                throw new ExtensionConfigurationException("@AllowReport(category = " + a.category()
                        + "): the reason is blank; say why this report is expected");
            }
            if (allowed.put(a.category(), a.reason()) != null) {
                throw new ExtensionConfigurationException("@DmaTest(allow = ...): " + a.category() + " is allowed twice");
            }
        }
        EnumSet<DmaDebugCategory> failing = EnumSet.allOf(DmaDebugCategory.class);
        failing.removeAll(allowed.keySet());
        return new ReportPolicy(failing, allowed);
    }

    /** The checker's failure for the reports this policy does not tolerate, or null when there is none. */
    DmaDebugFailure failure(DmaDebug debug) {
        long total = 0;
        for (DmaDebugCategory c : failing) {
            total += debug.count(c);
        }
        if (total == 0) {
            return null;
        }
        List<DmaDebugReport> kept = debug.reports().stream().filter(r -> failing.contains(r.category())).toList();
        return new DmaDebugFailure(kept, total);
    }
}
