package org.jdma.kernel.iommu;

import java.util.Objects;
import org.jdma.spec.pci.RequesterId;

/**
 * One DMA remapping fault as the IOMMU driver's fault handler read it from the hardware, in
 * terms that hold for any IOMMU: what kind of fault it was ({@link Kind}), and the IOMMU's own
 * reason as {@link Detail} (for VT-d the fault record's FR code and its §7.1.3 name).
 *
 * @param unit     register base of the remapping unit that recorded it
 * @param device   the requester whose DMA was blocked
 * @param iovaPage the faulting address, page-aligned (the hardware keeps the page only)
 * @param read     true for a read request, false for a write
 * @param kind     what happened, in generic terms
 * @param detail   the IOMMU's own reason
 * @param timeNs   virtual time at which the handler read the record
 * @param interruptIndex for an interrupt-remapping fault (a blocked interrupt request, VT-d
 *                 0x20-0x27) the interrupt index the request named, else -1; such a fault has no
 *                 page: {@code iovaPage} is then the interrupt range's base, 0xFEE00000, and
 *                 {@code read} is false
 */
public record IommuFault(long unit, RequesterId device, long iovaPage, boolean read, Kind kind, Detail detail, long timeNs,
                         int interruptIndex) {

    /** The interrupt range an interrupt-remapping fault is reported against. */
    public static final long INTERRUPT_RANGE = 0xFEE0_0000L;

    public IommuFault {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }

    /** A DMA remapping fault (no interrupt index). */
    public IommuFault(long unit, RequesterId device, long iovaPage, boolean read, Kind kind, Detail detail, long timeNs) {
        this(unit, device, iovaPage, read, kind, detail, timeNs, -1);
    }

    /** Whether the request blocked was an interrupt (interrupt remapping), not a memory access. */
    public boolean interrupt() {
        return interruptIndex >= 0;
    }

    /**
     * What an IOMMU refused, whatever its make. The classes follow Linux's generic
     * {@code enum iommu_fault_reason} (permission, out-of-range address, bad table entry or failed
     * fetch) plus the device-wide block a detached device meets.
     */
    public enum Kind {
        /** No translation exists for the address (the entry that would map it is not present). */
        NOT_PRESENT,
        /** A translation exists but does not allow this access (direction, or a forbidden target). */
        NO_PERMISSION,
        /** The address lies beyond the domain's input address width. */
        OUT_OF_RANGE,
        /** The IOMMU refuses every request of this device (no domain attached, or a blocking type). */
        BLOCKED,
        /** A translation structure could not be read, or holds reserved bits or invalid fields. */
        MALFORMED_TABLE,
        /** The IOMMU reported a reason this driver does not know. */
        UNKNOWN
    }

    /**
     * The IOMMU's own reason: which IOMMU architecture ({@code iommu}, e.g. "VT-d"), its code, and
     * the code's name as that architecture's specification spells it ("unknown" for a code the
     * driver does not know).
     */
    public record Detail(String iommu, int code, String name) {
        public Detail {
            Objects.requireNonNull(iommu, "iommu");
            Objects.requireNonNull(name, "name");
        }

        /** "VT-d 0x6 READ_NOT_PERMITTED". */
        @Override
        public String toString() {
            return String.format("%s %#x %s", iommu, code, name);
        }
    }

    @Override
    public String toString() {
        if (interrupt()) {
            return String.format("IOMMU interrupt-remapping fault: %s interrupt index %#x, %s (%s) (unit %#x, t=%d ns)", device,
                    interruptIndex, kind, detail, unit, timeNs);
        }
        return String.format("IOMMU fault: %s %s IOVA page %#x, %s (%s) (unit %#x, t=%d ns)", device,
                read ? "read" : "write", iovaPage, kind, detail, unit, timeNs);
    }
}
