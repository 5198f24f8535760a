package org.jdma.machine.bus;

import java.util.Objects;

/**
 * The translator's own reason for a fault, next to the generic {@link FaultReason}: which kind of
 * translator ({@code source}, e.g. "VT-d"), its code for the reason and that code's name, as the
 * translator's specification spells them (VT-d §7.1.3: {@code 0x5 WRITE_NOT_PERMITTED}).
 * {@link #NONE} for faults the bus decided alone.
 */
public record FaultDetail(String source, int code, String name) {

    /** No translator reason: a bus-level fault, or success. */
    public static final FaultDetail NONE = new FaultDetail("", 0, "");

    public FaultDetail {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(name, "name");
    }

    public boolean isNone() {
        return source.isEmpty();
    }

    /** "VT-d 0x5 WRITE_NOT_PERMITTED", or "none". */
    @Override
    public String toString() {
        return isNone() ? "none" : String.format("%s %#x %s", source, code, name);
    }
}
