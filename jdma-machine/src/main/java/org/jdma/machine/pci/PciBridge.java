package org.jdma.machine.pci;

import org.jdma.spec.pci.PciConfigLayout;

/**
 * A PCI-to-PCI bridge's configuration space: the type 1 header (PCI-to-PCI Bridge Architecture
 * Specification 1.2 §3.2), presenting as QEMU's generic PCIe root port ({@link #VENDOR_ID}:{@link #DEVICE_ID},
 * class 06 04 00).
 *
 * <p>Access kinds, as modelled:
 * <pre>
 * Command                     I/O Space, Memory Space, Bus Master, Parity Error Response, SERR#,
 *                             Interrupt Disable RW (stored; see below)
 * BAR0, BAR1                  RO 0 (no registers of its own)
 * Primary/Secondary/Subordinate Bus Number   RW, reset to the configured numbers
 * Secondary Latency Timer     RO 0 (PCIe)
 * I/O Base, I/O Limit         [7:4] RW, [3:0] RO 0 (16-bit I/O addressing); upper 16 RO 0
 * Secondary Status            error bits [15:11], [8] RW1C
 * Memory Base, Memory Limit   [15:4] RW, [3:0] RO 0
 * Prefetchable Base/Limit     [15:4] RW, [3:0] RO 1 (64-bit); Upper 32 registers RW
 * Capabilities Pointer        RO 0 (no capabilities)
 * Bridge Control              Parity Error Response, SERR#, ISA, VGA, VGA 16-bit, Secondary Bus Reset RW
 * </pre>
 *
 * <p>Not modelled: forwarding. Configuration cycles reach functions behind the bridge by their
 * configured requester ids, whatever the bus-number registers now say (no bus renumbering at run
 * time); the memory and I/O windows and Command do not filter anything (a device below a bridge
 * reaches memory whatever the bridge's Bus Master Enable says); no PCI Express capability.
 */
public final class PciBridge extends PciFunction {

    /** Red Hat, Inc. (QEMU's emulated devices). */
    public static final int VENDOR_ID = 0x1B36;
    /** QEMU "pcie-root-port". */
    public static final int DEVICE_ID = 0x000C;

    private static final int COMMAND_WRITABLE = PciConfigLayout.COMMAND_IO_SPACE | PciConfigLayout.COMMAND_MEMORY_SPACE
            | PciConfigLayout.COMMAND_BUS_MASTER | PciConfigLayout.COMMAND_PARITY_ERROR_RESPONSE
            | PciConfigLayout.COMMAND_SERR_ENABLE | PciConfigLayout.COMMAND_INTX_DISABLE;
    /** Bridge Control bits 0-4 and 6 (§3.2.5.18). */
    private static final int BRIDGE_CONTROL_WRITABLE = 0x1F | 1 << 6;
    /** Prefetchable Base/Limit [3:0] = 1: 64-bit addressing (§3.2.5.10). */
    private static final int PREFETCHABLE_64BIT = 0x1;

    private final BridgeSpec spec;

    public PciBridge(BridgeSpec spec) {
        super(spec.name(), spec.requester(), PciIds.of(VENDOR_ID, DEVICE_ID, PciConfigLayout.CLASS_PCI_BRIDGE),
                PciConfigLayout.HEADER_TYPE_BRIDGE, COMMAND_WRITABLE);
        this.spec = spec;
        ConfigSpace c = configSpace();
        c.readOnly(PciConfigLayout.bar(0), 4, 0);
        c.readOnly(PciConfigLayout.bar(1), 4, 0);
        c.readWrite(PciConfigLayout.PRIMARY_BUS, 1, spec.requester().bus(), 0xFF);
        c.readWrite(PciConfigLayout.SECONDARY_BUS, 1, spec.secondaryBus(), 0xFF);
        c.readWrite(PciConfigLayout.SUBORDINATE_BUS, 1, spec.subordinateBus(), 0xFF);
        c.readOnly(PciConfigLayout.SECONDARY_LATENCY_TIMER, 1, 0);
        c.readWrite(PciConfigLayout.IO_BASE, 1, 0, 0xF0);
        c.readWrite(PciConfigLayout.IO_LIMIT, 1, 0, 0xF0);
        c.readOnly(PciConfigLayout.SECONDARY_STATUS, 2, 0);
        c.writeOneToClear(PciConfigLayout.SECONDARY_STATUS, 2, PciConfigLayout.STATUS_ERROR_BITS);
        c.readWrite(PciConfigLayout.MEMORY_BASE, 2, 0, 0xFFF0);
        c.readWrite(PciConfigLayout.MEMORY_LIMIT, 2, 0, 0xFFF0);
        c.readWrite(PciConfigLayout.PREF_MEMORY_BASE, 2, PREFETCHABLE_64BIT, 0xFFF0);
        c.readWrite(PciConfigLayout.PREF_MEMORY_LIMIT, 2, PREFETCHABLE_64BIT, 0xFFF0);
        c.readWrite(PciConfigLayout.PREF_BASE_UPPER32, 4, 0, 0xFFFF_FFFFL);
        c.readWrite(PciConfigLayout.PREF_LIMIT_UPPER32, 4, 0, 0xFFFF_FFFFL);
        c.readOnly(PciConfigLayout.IO_BASE_UPPER16, 2, 0);
        c.readOnly(PciConfigLayout.IO_LIMIT_UPPER16, 2, 0);
        c.readOnly(PciConfigLayout.INTERRUPT_PIN, 1, 0);
        c.readWrite(PciConfigLayout.BRIDGE_CONTROL, 2, 0, BRIDGE_CONTROL_WRITABLE);
    }

    /** What the configuration says of this bridge (its bus numbers as the firmware set them). */
    public BridgeSpec spec() {
        return spec;
    }

    public int secondaryBus() {
        return (int) configSpace().get(PciConfigLayout.SECONDARY_BUS, 1);
    }

    public int subordinateBus() {
        return (int) configSpace().get(PciConfigLayout.SUBORDINATE_BUS, 1);
    }

    /** Conventional reset: every register back to its reset value (the configured bus numbers). */
    public void reset() {
        resetConfig();
    }
}
