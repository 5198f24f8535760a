package org.jdma.kernel.driver;

import java.util.Objects;

/**
 * A probe that did not bind: which driver, which device, why. The device stays unbound and
 * nothing its context handed out stays allocated.
 *
 * @param name   the name the device would have had ("memcpy0")
 * @param cause  what the probe threw (null when the kernel refused before probing, e.g. a legacy
 *               resource another device holds)
 */
public record ProbeFailure(String driver, String name, DeviceInfo device, String reason, Throwable cause) {

    public ProbeFailure {
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return String.format("%s: probe of %s (%s) failed: %s", driver, name, device, reason);
    }
}
