package org.jdma.kernel.driver;

/**
 * A probe's "this device is not one I can drive": the hardware does not answer where a legacy
 * driver looked, a register reads a version the driver does not know, a resource the driver
 * needs is missing. The kernel reports it with the device and leaves the device unbound (Linux:
 * a probe returning {@code -ENODEV}).
 */
public final class ProbeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ProbeException(String reason) {
        super(reason);
    }

    public ProbeException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
