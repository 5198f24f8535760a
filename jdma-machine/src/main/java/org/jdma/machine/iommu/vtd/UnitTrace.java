package org.jdma.machine.iommu.vtd;

import org.jdma.machine.time.EventKernel;
import org.jdma.machine.time.TraceRecorder;

/**
 * Where the unit's parts record what they do: the machine's trace, on the unit's track. Callers on
 * hot paths check {@link #enabled()} before building arguments.
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
            kernel.trace().instant(name, what, kernel.now(), TraceRecorder.args(args));
        }
    }

    void slice(String what, long durationNs, Object... args) {
        if (enabled()) {
            kernel.trace().slice(name, what, kernel.now(), durationNs, TraceRecorder.args(args));
        }
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
