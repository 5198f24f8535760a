package org.jdma.machine.pci;

import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.dev.DeviceContext;
import org.jdma.machine.dev.DeviceKind;
import org.jdma.machine.dev.DeviceSpec;
import org.jdma.machine.mmio.MmioHandler;
import org.jdma.spec.pci.RequesterId;

/**
 * A small PCI device for the endpoint tests: BAR0 (32-bit, 4 KiB) holds one scratch register at 0
 * and the MSI-X table (4 entries) at 0x800 and PBA at 0xC00; BAR2 is 64-bit prefetchable, 1 MiB,
 * and reads its offset back; an MSI capability (4 vectors, per-vector masking) follows MSI-X.
 * Everything it does is what {@link PciEndpoint} does for it.
 */
final class TestEndpoint extends PciEndpoint {

    static final int VENDOR = 0x1B36;
    static final int DEVICE = 0x7E57;
    static final int CLASS = 0xFF_00_00;
    static final long BAR0_SIZE = 0x1000;
    static final long BAR2_SIZE = 1L << 20;
    static final long MSIX_TABLE = 0x800;
    static final long MSIX_PBA = 0xC00;
    static final int MSIX_ENTRIES = 4;

    /** The kind; its option is whether the device declares MSI too. */
    static final DeviceKind<Boolean> KIND = DeviceKind.pci("test", (withMsi, ctx) -> new TestEndpoint(ctx, withMsi));

    static DeviceSpec<Boolean> spec(String name, RequesterId slot) {
        return DeviceSpec.pci(name, KIND, true, slot);
    }

    long scratch;
    int resets;
    final List<String> accesses = new ArrayList<>();

    TestEndpoint(DeviceContext.Pci ctx, boolean withMsi) {
        super(ctx, new PciIds(VENDOR, DEVICE, CLASS, 0x02, 0x1AF4, 0x1100));
        declareBar(Bar.memory32(0, BAR0_SIZE), new MmioHandler() {
            @Override public long read(long offset, int size) {
                accesses.add("r " + offset);
                return offset == 0 ? scratch : 0;
            }

            @Override public void write(long offset, int size, long value) {
                accesses.add("w " + offset);
                if (offset == 0) {
                    scratch = value;
                }
            }
        });
        declareBar(Bar.memory64(2, BAR2_SIZE, true), new MmioHandler() {
            @Override public long read(long offset, int size) {
                return offset;
            }

            @Override public void write(long offset, int size, long value) {
            }
        });
        declareMsix(MSIX_ENTRIES, 0, MSIX_TABLE, 0, MSIX_PBA);
        if (withMsi) {
            declareMsi(2, true);
        }
    }

    /** What the device's logic would do: raise interrupt {@code vector} as software set it up. */
    boolean raise(int vector) {
        return signalInterrupt(vector);
    }

    /** A request of its own ended in an Unsupported Request: Received Master Abort. */
    void sawMasterAbort() {
        signalStatus(org.jdma.spec.pci.PciConfigLayout.STATUS_RECEIVED_MASTER_ABORT);
    }

    /** Breaks its own capability list into a loop (for the kernel's walk guard). */
    void loopCapabilities() {
        List<Integer> caps = capabilityOffsets();
        configSpace().set(caps.getLast() + org.jdma.spec.pci.PciConfigLayout.CAP_NEXT, 1, caps.getFirst());
    }

    @Override
    protected void resetFunction() {
        scratch = 0;
        resets++;
    }
}
