package org.jdma.kernel.driver;

import org.jdma.machine.dev.DeviceContext;
import org.jdma.machine.dev.DeviceKind;
import org.jdma.machine.dev.DeviceSpec;
import org.jdma.machine.mmio.MmioHandler;
import org.jdma.machine.pci.Bar;
import org.jdma.machine.pci.PciEndpoint;
import org.jdma.machine.pci.PciIds;
import org.jdma.spec.pci.RequesterId;

/**
 * A machine-side PCI device for the driver-model tests: one 4 KiB BAR and an MSI capability with
 * per-vector masking, no MSI-X. Writing anything to BAR0 offset {@value #RAISE} raises its
 * interrupt 0 the way software set it up.
 */
final class MsiOnlyEndpoint extends PciEndpoint {

    static final int VENDOR = 0x1B36;
    static final int DEVICE = 0x7E59;
    static final int CLASS = 0x08_80_00;
    /** Register that raises interrupt 0 when written. */
    static final int RAISE = 0x10;

    static final DeviceKind<Boolean> KIND = DeviceKind.pci("msi-only", (unused, ctx) -> new MsiOnlyEndpoint(ctx));

    static DeviceSpec<Boolean> spec(String name, RequesterId slot) {
        return DeviceSpec.pci(name, KIND, Boolean.TRUE, slot);
    }

    MsiOnlyEndpoint(DeviceContext.Pci ctx) {
        super(ctx, PciIds.of(VENDOR, DEVICE, CLASS));
        declareBar(Bar.memory32(0, 0x1000), new MmioHandler() {
            @Override
            public long read(long offset, int size) {
                return 0;
            }

            @Override
            public void write(long offset, int size, long value) {
                if (offset == RAISE) {
                    signalInterrupt(0);
                }
            }
        });
        declareMsi(0, true);
    }

    @Override
    protected void resetFunction() {
    }
}
