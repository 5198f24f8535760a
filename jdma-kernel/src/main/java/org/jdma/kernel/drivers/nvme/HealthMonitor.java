package org.jdma.kernel.drivers.nvme;

import java.util.Objects;
import org.jdma.kernel.dma.CoherentAllocation;
import org.jdma.spec.nvme.NvmeCommands;
import org.jdma.spec.nvme.NvmeStatus;
import org.jdma.spec.nvme.SmartLogLayout;

/**
 * Keeps one Asynchronous Event Request outstanding (Linux {@code nvme_async_event_work}): when it
 * completes, arms the next one at once, reads the event's log page with RAE clear (which unmasks
 * events of that type) and reports the event, with the SMART log when that is its page, to the
 * listener. Runs from the admin queue's completions; nothing waits.
 */
public final class HealthMonitor implements AutoCloseable {

    /** What the monitor reports. */
    public interface Listener {
        void event(HealthEvent event);
    }

    /**
     * One asynchronous event: its type, info and log page (AER DW0, NVMe base spec §5.2), and the
     * SMART log read after it (null for another page or when the read failed).
     */
    public record HealthEvent(int type, int info, int logPage, SmartLog smart) {
        static HealthEvent of(int dw0, SmartLog smart) {
            return new HealthEvent(dw0 & NvmeCommands.AER_TYPE_MASK, dw0 >>> NvmeCommands.AER_INFO_SHIFT & 0xFF,
                    dw0 >>> NvmeCommands.AER_LOG_PAGE_SHIFT & 0xFF, smart);
        }
    }

    /** SMART warnings the monitor asks the controller to raise events for. */
    static final int WATCHED_WARNINGS = SmartLogLayout.WARNING_SPARE | SmartLogLayout.WARNING_TEMPERATURE
            | SmartLogLayout.WARNING_RELIABILITY | SmartLogLayout.WARNING_READ_ONLY;

    private final NvmeDriver driver;
    private final Listener listener;
    private final CoherentAllocation page;
    private long events;
    private boolean closed;

    HealthMonitor(NvmeDriver driver, Listener listener) {
        this.driver = driver;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.page = driver.dma().allocCoherent(4096);
    }

    /** Submits one Asynchronous Event Request; false when the admin queue is full. */
    boolean arm() {
        return !closed && driver.adminAsync(NvmeDriver.sqe(NvmeCommands.ADMIN_ASYNC_EVENT_REQUEST), this::eventCompleted);
    }

    private void eventCompleted(int status, int dw0) {
        if (closed || status != NvmeStatus.SUCCESS) {
            return; // aborted by a reset or a shutdown: the driver re-arms after bring-up
        }
        events++;
        arm();
        int lid = dw0 >>> NvmeCommands.AER_LOG_PAGE_SHIFT & 0xFF;
        long bytes = lid == NvmeCommands.LOG_SMART ? SmartLogLayout.SIZE : page.size();
        NvmeDriver.Entry read = NvmeDriver.sqe(NvmeCommands.ADMIN_GET_LOG_PAGE).prp1(page.dmaAddress())
                .cdw(10, NvmeCommands.getLogCdw10(lid, false, bytes / 4)).cdw(11, NvmeCommands.getLogCdw11(bytes / 4));
        boolean queued = driver.adminAsync(read, (s, unused) -> {
            SmartLog smart = null;
            if (s == NvmeStatus.SUCCESS && lid == NvmeCommands.LOG_SMART) {
                byte[] b = new byte[SmartLogLayout.SIZE];
                driver.context().cpu().read(page.physical(), b);
                smart = SmartLog.decode(b);
            }
            listener.event(HealthEvent.of(dw0, smart));
        });
        if (!queued) {
            listener.event(HealthEvent.of(dw0, null));
        }
    }

    /** Events reported since the monitor started. */
    public long events() { return events; }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            page.close();
        }
    }
}
