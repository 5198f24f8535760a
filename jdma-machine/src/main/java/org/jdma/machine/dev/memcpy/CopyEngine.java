package org.jdma.machine.dev.memcpy;

import org.jdma.machine.dev.Device;
import org.jdma.machine.dev.DeviceContext;
import org.jdma.machine.mmio.MmioHandler;
import org.jdma.machine.mmio.RegisterFile;
import org.jdma.machine.pci.PciFunction;

/** The copy engine device. See the package documentation and {@link CopyEngineRegisters}. */
public final class CopyEngine implements Device {

    /** PCI ids: Intel's vendor id; device id of our model; class 0x088000 (system peripheral, other). */
    public static final int VENDOR_ID = 0x8086;
    public static final int DEVICE_ID = 0x0B25;
    public static final int CLASS_CODE = 0x088000;

    private final CopyEngineConfig config;
    private final DeviceContext ctx;
    private final RegisterFile registers;

    public CopyEngine(CopyEngineConfig config, DeviceContext ctx) {
        this.config = config;
        this.ctx = ctx;
        this.registers = new RegisterFile(ctx.name());
    }

    @Override public String name() { return ctx.name(); }

    @Override
    public PciFunction pciFunction() {
        return new PciFunction(ctx.name(), ctx.requester(), VENDOR_ID, DEVICE_ID, CLASS_CODE, ctx.barBase(), ctx.barSize());
    }

    @Override public MmioHandler registers() { return registers; }

    @Override public void reset() { registers.reset(); }

    public CopyEngineConfig config() { return config; }
}
