package org.jdma.machine.pci;

import org.jdma.spec.pci.PciConfigLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * The chipset's LPC interface bridge (Intel "LPC Interface Bridge, D31:F0") as configuration
 * cycles see it: the PCI function behind which the legacy bus sits, so that enumeration shows
 * where legacy DMA comes from (it carries this function's requester id, see
 * {@link org.jdma.machine.bus.DmaOrigin.LegacyChannel}). It presents as the ICH9 LPC controller
 * of QEMU's q35 machine, whose ECAM window and VT-d register base this machine shares: Intel
 * 8086:2918 (82801IB ICH9 LPC Interface Controller; the id SeaBIOS's
 * {@code q35.h} names {@code PCI_DEVICE_ID_INTEL_ICH9_LPC}), revision 02 (the A2
 * stepping QEMU reports), class 06 01 00 (ISA bridge).
 *
 * <p>Access kinds, as modelled (a type 0 header, PCI Local Bus Specification 3.0 §6.1):
 * <pre>
 * Vendor ID, Device ID, Revision ID, Class Code, Header Type    RO
 * Command        I/O Space, Memory Space, Bus Master Enable     RO 1 (the LPC interface always
 *                                                               decodes, and its DMA is gated by the
 *                                                               DMA controller, not by this bit)
 *                Parity Error Response, SERR# Enable            RW
 * Status         error bits RW1C; no capabilities
 * BAR0..BAR5                                                    RO 0 (no BARs)
 * Subsystem Vendor ID, Subsystem ID                             RO (QEMU's defaults, 1af4:1100)
 * Interrupt Pin                                                 RO 0
 * </pre>
 *
 * <p>Not modelled: the chipset registers above the header (PMBASE, ACPI and GPIO control, PIRQ
 * routing, the LPC I/O decode ranges: every legacy port a device claims is decoded), the other
 * functions of device 31 (SATA, SMBus), so the Multi-Function bit stays clear.
 */
public final class LpcBridge extends PciFunction {

    /** Intel. */
    public static final int VENDOR_ID = 0x8086;
    /** 82801IB (ICH9) LPC Interface Controller. */
    public static final int DEVICE_ID = 0x2918;
    /** Revision ID as QEMU's ICH9 LPC model reports it (A2 stepping). */
    public static final int REVISION = 0x02;
    /** Red Hat, Inc. / Qumranet: the subsystem ids QEMU gives every emulated function. */
    public static final int SUBSYSTEM_VENDOR_ID = 0x1AF4;
    public static final int SUBSYSTEM_ID = 0x1100;
    /** Command bits that read 1 whatever is written. */
    public static final int COMMAND_HARDWIRED = PciConfigLayout.COMMAND_IO_SPACE | PciConfigLayout.COMMAND_MEMORY_SPACE
            | PciConfigLayout.COMMAND_BUS_MASTER;
    private static final int COMMAND_WRITABLE = PciConfigLayout.COMMAND_PARITY_ERROR_RESPONSE | PciConfigLayout.COMMAND_SERR_ENABLE;

    /**
     * @param name      its instance name in reports
     * @param requester where it sits: 00:1f.0 on Intel chipsets
     */
    public LpcBridge(String name, RequesterId requester) {
        super(name, requester, new PciIds(VENDOR_ID, DEVICE_ID, PciConfigLayout.CLASS_ISA_BRIDGE, REVISION,
                SUBSYSTEM_VENDOR_ID, SUBSYSTEM_ID), PciConfigLayout.HEADER_TYPE_ENDPOINT, COMMAND_WRITABLE);
        ConfigSpace c = configSpace();
        c.readWrite(PciConfigLayout.COMMAND, 2, COMMAND_HARDWIRED, COMMAND_WRITABLE);
        for (int i = 0; i < PciConfigLayout.BAR_COUNT_TYPE0; i++) {
            c.readOnly(PciConfigLayout.bar(i), 4, 0);
        }
        c.readOnly(PciConfigLayout.SUBSYSTEM_VENDOR_ID, 2, SUBSYSTEM_VENDOR_ID);
        c.readOnly(PciConfigLayout.SUBSYSTEM_ID, 2, SUBSYSTEM_ID);
        c.readOnly(PciConfigLayout.INTERRUPT_PIN, 1, 0);
    }

    /** Conventional reset: every register back to its reset value. */
    public void reset() {
        resetConfig();
    }
}
