package org.jdma.kernel.dma.debug;

import java.util.List;

/**
 * Thrown by {@link DmaDebug#assertNoReports()}: the checker found DMA-API misuse. The message
 * lists every kept report with its mapping and stacks; {@link #reports()} has them as values.
 */
public final class DmaDebugFailure extends AssertionError {

    private final transient List<DmaDebugReport> reports;

    public DmaDebugFailure(List<DmaDebugReport> reports, long total) {
        super(message(reports, total));
        this.reports = List.copyOf(reports);
    }

    public List<DmaDebugReport> reports() {
        return reports;
    }

    private static String message(List<DmaDebugReport> reports, long total) {
        StringBuilder b = new StringBuilder();
        b.append(total).append(total == 1 ? " DMA-API report" : " DMA-API reports");
        for (DmaDebugReport r : reports) {
            b.append("\n\n").append(r.format());
        }
        if (total > reports.size()) {
            b.append("\n\n(").append(total - reports.size()).append(" more not kept)");
        }
        return b.toString();
    }
}
