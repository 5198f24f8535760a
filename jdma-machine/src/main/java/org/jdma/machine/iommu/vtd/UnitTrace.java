package org.jdma.machine.iommu.vtd;

import org.jdma.machine.time.EventKernel;
import org.jdma.machine.time.TraceRecorder;

/**
 * Where the unit's parts record what they do: the machine's trace, on the unit's track. Callers on
 * hot paths check {@link #enabled()} before building arguments. A record made on a device thread
 * (a translation that faulted there) is posted to the machine thread, which records it at its
 * next step, at the virtual time of that step ({@link #report}).
 */
record UnitTrace(String name, EventKernel kernel) {

    boolean enabled() {
        return kernel.trace().enabled();
    }

    long now() {
        return kernel.now();
    }

    void instant(String what, Object... args) {
        if (enabled()) {
            report(() -> kernel.trace().instant(name, what, kernel.now(), TraceRecorder.args(args)));
        }
    }

    void slice(String what, long durationNs, Object... args) {
        if (enabled()) {
            report(() -> kernel.trace().slice(name, what, kernel.now(), durationNs, TraceRecorder.args(args)));
        }
    }

    /** Runs {@code action} (a trace record, a report to listeners) now, or on the machine thread when called from a device thread. */
    void report(Runnable action) {
        kernel.runOnMachineThread(action);
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
