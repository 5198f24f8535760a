package org.jdma.kernel.pci;

import org.jdma.machine.dev.DeviceContext;
import org.jdma.machine.dev.DeviceKind;
import org.jdma.machine.dev.DeviceSpec;
import org.jdma.machine.mmio.MmioHandler;
import org.jdma.machine.pci.Bar;
import org.jdma.machine.pci.PciEndpoint;
import org.jdma.machine.pci.PciIds;
import org.jdma.spec.pci.PciConfigLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * A machine-side PCI device for the enumeration tests: BAR0 32-bit 4 KiB, BAR2 64-bit prefetchable
 * 16 KiB, MSI-X with 8 entries whose table is in BAR2 at 0x2000 and whose PBA is in BAR0 at 0x800
 * (so the driver side must follow each BIR), and an MSI capability after it.
 */
final class ProbeEndpoint extends PciEndpoint {

    static final int VENDOR = 0x1B36;
    static final int DEVICE = 0x7E58;
    static final int CLASS = 0x08_80_00;
    static final long TABLE = 0x2000;
    static final long PBA = 0x800;
    static final int ENTRIES = 8;

    /** Option: whether its capability list loops back on itself (broken firmware or hardware). */
    static final DeviceKind<Boolean> KIND = DeviceKind.pci("probe", (loop, ctx) -> new ProbeEndpoint(ctx, loop));

    static DeviceSpec<Boolean> spec(String name, RequesterId slot, boolean loopingCapabilities) {
        return DeviceSpec.pci(name, KIND, loopingCapabilities, slot);
    }

    private static final MmioHandler EMPTY = new MmioHandler() {
        @Override public long read(long offset, int size) {
            return 0;
        }

        @Override public void write(long offset, int size, long value) {
        }
    };

    ProbeEndpoint(DeviceContext.Pci ctx, boolean loop) {
        super(ctx, PciIds.of(VENDOR, DEVICE, CLASS));
        declareBar(Bar.memory32(0, 0x1000), EMPTY);
        declareBar(Bar.memory64(2, 0x4000, true), EMPTY);
        declareMsix(ENTRIES, 2, TABLE, 0, PBA);
        declareMsi(0, false);
        if (loop) {
            configSpace().set(capabilityOffsets().getLast() + PciConfigLayout.CAP_NEXT, 1, capabilityOffsets().getFirst());
        }
    }

    /** The device's side: raise MSI-X entry {@code entry}. */
    boolean raise(int entry) {
        return signalMsix(entry);
    }

    @Override
    protected void resetFunction() {
    }
}
