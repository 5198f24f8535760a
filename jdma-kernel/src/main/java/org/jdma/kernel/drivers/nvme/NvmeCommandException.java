package org.jdma.kernel.drivers.nvme;

import org.jdma.spec.nvme.NvmeStatus;

/** An admin command the controller completed with an error status. */
public final class NvmeCommandException extends RuntimeException {

    private final int status;

    public NvmeCommandException(String what, int status) {
        super(String.format("%s failed: %s (%#05x)", what, NvmeStatus.name(status), status));
        this.status = status;
    }

    /** {@code SCT << 8 | SC}. */
    public int status() { return status; }
}
