package org.jdma.kernel.driver;

import java.util.Objects;

/**
 * A device with a driver bound to it: the device's name ("memcpy0"), what it is, the driver's
 * name and the bound instance.
 */
public record BoundDevice(String name, DeviceInfo device, String driver, DriverInstance instance) {

    public BoundDevice {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(instance, "instance");
    }

    @Override
    public String toString() {
        return name + ": " + device + " bound to " + driver;
    }
}
