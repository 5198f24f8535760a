package org.jdma.test;

import java.util.List;
import org.jdma.kernel.iommu.IommuFault;

/**
 * Thrown after a {@link DmaTest} whose IOMMU recorded a different number of remapping faults than
 * the test expected (none, unless it declared some). The message lists each fault: the device
 * (requester id), the access (read or write), the page address, and the IOMMU's reason.
 */
public final class IommuFaultFailure extends AssertionError {

    private static final long serialVersionUID = 1L;

    private final transient List<IommuFault> faults;

    /** {@code faults}: what the IOMMU recorded; {@code expected}: how many the test declared. */
    public IommuFaultFailure(List<IommuFault> faults, int expected) {
        super(message(faults, expected));
        this.faults = List.copyOf(faults);
    }

    /** The faults the IOMMU recorded during the test, oldest first. */
    public List<IommuFault> faults() {
        return faults;
    }

    private static String message(List<IommuFault> faults, int expected) {
        StringBuilder b = new StringBuilder();
        b.append(faults.size()).append(faults.size() == 1 ? " IOMMU fault" : " IOMMU faults")
                .append(", expected ").append(expected)
                .append(expected == 0 ? " (a device DMA'd to an address it had no mapping for;"
                        + " declare expected faults with @DmaTest(expectedIommuFaults = n) or env.expectIommuFaults(n))" : "");
        for (IommuFault f : faults) {
            b.append(String.format("%n  device %s %s at %#x: %s (%s)", f.device(), f.read() ? "read" : "write",
                    f.iovaPage(), f.kind(), f.detail()));
        }
        return b.toString();
    }
}
