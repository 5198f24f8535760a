package org.jdma.machine.dev.memcpy;

import org.jdma.spec.memcpy.CopyEngineRegisters;

/**
 * Named parameters of a copy engine.
 *
 * @param setupLatencyNs     time from fetching a descriptor to starting its data movement (decode,
 *                           validation), ns
 * @param completionLatencyNs time to write back the completion record after the data, ns
 * @param maxTransferShift   log2 of the largest transfer size accepted (XFER_ERANGE above it)
 * @param alignmentShift     log2 of the alignment required of every data address (ADDR_ALIGN otherwise); 0 = none
 * @param maxRingShift       log2 of the largest ring
 * @param msixEntries        size of the MSI-X table, 1..{@link #MAX_MSIX_ENTRIES}: the table lives at BAR
 *                           offset 0x1000 and the PBA at 0x1800 ({@link CopyEngineRegisters}), so at most
 *                           0x800 / 16 = 128 entries fit
 * @param faultWaitTimeoutNs how long a descriptor blocked on a page fault (BOF) waits for software's
 *                           PAGE_RESPONSE before it ends with PAGE_FAULT_IR, ns (virtual time on the
 *                           event kernel, wall-clock time on the device thread); &gt; 0
 */
public record CopyEngineConfig(long setupLatencyNs, long completionLatencyNs, int maxTransferShift, int alignmentShift,
                               int maxRingShift, int msixEntries, long faultWaitTimeoutNs) {

    /** Default wait for a page response: 10 ms, the order of an OS page-fault service time under load. */
    public static final long DEFAULT_FAULT_WAIT_TIMEOUT_NS = 10_000_000;

    public static final CopyEngineConfig DEFAULT = new CopyEngineConfig(120, 40, 31, 0, 16, 16);

    /** The most MSI-X entries that fit between the table and the PBA of the register map. */
    public static final int MAX_MSIX_ENTRIES =
            (CopyEngineRegisters.MSIX_PBA - CopyEngineRegisters.MSIX_TABLE) / CopyEngineRegisters.MSIX_ENTRY_SIZE;

    /** A configuration with the default fault-wait timeout. */
    public CopyEngineConfig(long setupLatencyNs, long completionLatencyNs, int maxTransferShift, int alignmentShift,
                            int maxRingShift, int msixEntries) {
        this(setupLatencyNs, completionLatencyNs, maxTransferShift, alignmentShift, maxRingShift, msixEntries,
                DEFAULT_FAULT_WAIT_TIMEOUT_NS);
    }

    public CopyEngineConfig {
        if (faultWaitTimeoutNs <= 0) {
            throw new IllegalArgumentException("faultWaitTimeoutNs must be > 0 ns, was " + faultWaitTimeoutNs);
        }
        if (setupLatencyNs < 0 || completionLatencyNs < 0) {
            throw new IllegalArgumentException("latencies must be >= 0 ns");
        }
        if (maxTransferShift < 1 || maxTransferShift > 31) {
            throw new IllegalArgumentException("maxTransferShift must be 1..31, was " + maxTransferShift);
        }
        if (alignmentShift < 0 || alignmentShift > 12) {
            throw new IllegalArgumentException("alignmentShift must be 0..12, was " + alignmentShift);
        }
        if (maxRingShift < 1 || maxRingShift > 16) {
            throw new IllegalArgumentException("maxRingShift must be 1..16, was " + maxRingShift);
        }
        if (msixEntries < 1 || msixEntries > MAX_MSIX_ENTRIES) {
            throw new IllegalArgumentException("msixEntries must be 1.." + MAX_MSIX_ENTRIES
                    + " (the MSI-X table must end before the PBA at BAR offset 0x1800), was " + msixEntries);
        }
    }

    public long maxTransferSize() {
        return 1L << maxTransferShift;
    }

    public CopyEngineConfig withAlignmentShift(int s) {
        return new CopyEngineConfig(setupLatencyNs, completionLatencyNs, maxTransferShift, s, maxRingShift, msixEntries, faultWaitTimeoutNs);
    }

    public CopyEngineConfig withMaxTransferShift(int s) {
        return new CopyEngineConfig(setupLatencyNs, completionLatencyNs, s, alignmentShift, maxRingShift, msixEntries, faultWaitTimeoutNs);
    }

    public CopyEngineConfig withMaxRingShift(int s) {
        return new CopyEngineConfig(setupLatencyNs, completionLatencyNs, maxTransferShift, alignmentShift, s, msixEntries, faultWaitTimeoutNs);
    }

    public CopyEngineConfig withMsixEntries(int n) {
        return new CopyEngineConfig(setupLatencyNs, completionLatencyNs, maxTransferShift, alignmentShift, maxRingShift, n, faultWaitTimeoutNs);
    }

    public CopyEngineConfig withLatencies(long setupNs, long completionNs) {
        return new CopyEngineConfig(setupNs, completionNs, maxTransferShift, alignmentShift, maxRingShift, msixEntries, faultWaitTimeoutNs);
    }

    public CopyEngineConfig withFaultWaitTimeoutNs(long ns) {
        return new CopyEngineConfig(setupLatencyNs, completionLatencyNs, maxTransferShift, alignmentShift, maxRingShift,
                msixEntries, ns);
    }
}
