package org.jdma.spec.pci;

/**
 * The first 64 bytes of a PCI function's configuration space: the header common to every
 * function, the type 0 header of an endpoint (PCI Local Bus Specification 3.0 §6.1, Figure 6-1;
 * §6.2 for the registers) and the type 1 header of a PCI-to-PCI bridge (PCI-to-PCI Bridge
 * Architecture Specification 1.2 §3.2, Figure 3-2). Bytes 0x40..0xFF hold capabilities (§6.7);
 * a PCI Express function has 4 KiB of configuration space, 0x100..0xFFF for extended capabilities
 * (PCI Express Base Specification 4.0 §7.2.2). All fields are little-endian.
 *
 * <pre>
 * common  0x00 Vendor ID u16          | 0x02 Device ID u16
 *         0x04 Command u16            | 0x06 Status u16
 *         0x08 Revision ID u8 | 0x09 Class Code u24 (0x09 prog-if, 0x0A subclass, 0x0B base class)
 *         0x0C Cache Line Size u8 | 0x0D Latency Timer u8 | 0x0E Header Type u8 | 0x0F BIST u8
 * type 0  0x10..0x27 Base Address Registers 0..5 (u32 each)
 *         0x28 CardBus CIS Pointer u32
 *         0x2C Subsystem Vendor ID u16    | 0x2E Subsystem ID u16
 *         0x30 Expansion ROM Base Address u32
 *         0x34 Capabilities Pointer u8 | 0x35..0x3B reserved
 *         0x3C Interrupt Line u8 | 0x3D Interrupt Pin u8 | 0x3E Min_Gnt u8 | 0x3F Max_Lat u8
 * type 1  0x10, 0x14 Base Address Registers 0..1
 *         0x18 Primary Bus u8 | 0x19 Secondary Bus u8 | 0x1A Subordinate Bus u8 | 0x1B Secondary Latency Timer u8
 *         0x1C I/O Base u8 | 0x1D I/O Limit u8 | 0x1E Secondary Status u16
 *         0x20 Memory Base u16 | 0x22 Memory Limit u16
 *         0x24 Prefetchable Memory Base u16 | 0x26 Prefetchable Memory Limit u16
 *         0x28 Prefetchable Base Upper 32 u32 | 0x2C Prefetchable Limit Upper 32 u32
 *         0x30 I/O Base Upper 16 u16 | 0x32 I/O Limit Upper 16 u16
 *         0x34 Capabilities Pointer u8 | 0x38 Expansion ROM Base Address u32
 *         0x3C Interrupt Line u8 | 0x3D Interrupt Pin u8 | 0x3E Bridge Control u16
 *
 * Command (§6.2.2)                              Status (§6.2.3)
 *   bit 0  I/O Space Enable                       bit 3  Interrupt Status (RO)
 *   bit 1  Memory Space Enable                    bit 4  Capabilities List (RO)
 *   bit 2  Bus Master Enable                      bit 8  Master Data Parity Error (RW1C)
 *   bit 6  Parity Error Response                  bit 11 Signaled Target Abort (RW1C)
 *   bit 8  SERR# Enable                           bit 12 Received Target Abort (RW1C)
 *   bit 10 Interrupt Disable                      bit 13 Received Master Abort (RW1C)
 *   (3, 4, 5, 7, 9 are hard-wired 0 in PCIe)      bit 14 Signaled System Error (RW1C)
 *                                                 bit 15 Detected Parity Error (RW1C)
 *
 * Memory BAR (§6.2.5.1)                  31                         4   3    2 1   0
 *                                       | base address (size-aligned) | P | type | 0 |
 *   type 00: 32-bit, anywhere below 4 GiB; 10: 64-bit, the next BAR holds bits 63:32; P prefetchable.
 *   I/O BAR: bit 0 = 1, bits 31:2 base. Sizing: write all ones, read back; the bits that stay 0
 *   above the type bits give the size (size = ~(value &amp; ~0xF) + 1 over the BAR's width).
 * </pre>
 */
public final class PciConfigLayout {
    private PciConfigLayout() { }

    /** Bytes of configuration space of a PCI Express function (PCIe Base 4.0 §7.2.2). */
    public static final int CONFIG_SPACE_SIZE = 4096;
    /** Bytes of the conventional PCI configuration space; capabilities live in [0x40, 0x100). */
    public static final int LEGACY_CONFIG_SPACE_SIZE = 256;
    /** Bytes of the predefined header. */
    public static final int HEADER_SIZE = 0x40;

    public static final int VENDOR_ID = 0x00;
    public static final int DEVICE_ID = 0x02;
    public static final int COMMAND = 0x04;
    public static final int STATUS = 0x06;
    public static final int REVISION_ID = 0x08;
    /** Class code: programming interface at 0x09, subclass at 0x0A, base class at 0x0B. */
    public static final int CLASS_CODE = 0x09;
    public static final int CLASS_CODE_SIZE = 3;
    public static final int CACHE_LINE_SIZE = 0x0C;
    public static final int LATENCY_TIMER = 0x0D;
    public static final int HEADER_TYPE = 0x0E;
    public static final int BIST = 0x0F;
    /** BAR n of a type 0 header is at BAR0 + 4n (n = 0..5); a type 1 header has BAR0 and BAR1. */
    public static final int BAR0 = 0x10;
    public static final int BAR_COUNT_TYPE0 = 6;
    public static final int BAR_COUNT_TYPE1 = 2;
    public static final int CARDBUS_CIS = 0x28;
    public static final int SUBSYSTEM_VENDOR_ID = 0x2C;
    public static final int SUBSYSTEM_ID = 0x2E;
    public static final int EXPANSION_ROM_TYPE0 = 0x30;
    public static final int CAPABILITIES_POINTER = 0x34;
    public static final int INTERRUPT_LINE = 0x3C;
    public static final int INTERRUPT_PIN = 0x3D;
    public static final int MIN_GNT = 0x3E;
    public static final int MAX_LAT = 0x3F;

    // Type 1 (PCI-to-PCI bridge) fields, PCI-to-PCI Bridge Architecture Specification 1.2 §3.2.5.
    public static final int PRIMARY_BUS = 0x18;
    public static final int SECONDARY_BUS = 0x19;
    public static final int SUBORDINATE_BUS = 0x1A;
    public static final int SECONDARY_LATENCY_TIMER = 0x1B;
    public static final int IO_BASE = 0x1C;
    public static final int IO_LIMIT = 0x1D;
    public static final int SECONDARY_STATUS = 0x1E;
    public static final int MEMORY_BASE = 0x20;
    public static final int MEMORY_LIMIT = 0x22;
    public static final int PREF_MEMORY_BASE = 0x24;
    public static final int PREF_MEMORY_LIMIT = 0x26;
    public static final int PREF_BASE_UPPER32 = 0x28;
    public static final int PREF_LIMIT_UPPER32 = 0x2C;
    public static final int IO_BASE_UPPER16 = 0x30;
    public static final int IO_LIMIT_UPPER16 = 0x32;
    public static final int EXPANSION_ROM_TYPE1 = 0x38;
    public static final int BRIDGE_CONTROL = 0x3E;

    // Command register bits (§6.2.2).
    public static final int COMMAND_IO_SPACE = 1;
    public static final int COMMAND_MEMORY_SPACE = 1 << 1;
    public static final int COMMAND_BUS_MASTER = 1 << 2;
    public static final int COMMAND_PARITY_ERROR_RESPONSE = 1 << 6;
    public static final int COMMAND_SERR_ENABLE = 1 << 8;
    public static final int COMMAND_INTX_DISABLE = 1 << 10;

    // Status register bits (§6.2.3).
    public static final int STATUS_INTERRUPT = 1 << 3;
    public static final int STATUS_CAPABILITIES_LIST = 1 << 4;
    public static final int STATUS_MASTER_DATA_PARITY_ERROR = 1 << 8;
    public static final int STATUS_SIGNALED_TARGET_ABORT = 1 << 11;
    public static final int STATUS_RECEIVED_TARGET_ABORT = 1 << 12;
    public static final int STATUS_RECEIVED_MASTER_ABORT = 1 << 13;
    public static final int STATUS_SIGNALED_SYSTEM_ERROR = 1 << 14;
    public static final int STATUS_DETECTED_PARITY_ERROR = 1 << 15;
    /** The error bits of Status: write 1 to clear. */
    public static final int STATUS_ERROR_BITS = STATUS_MASTER_DATA_PARITY_ERROR | STATUS_SIGNALED_TARGET_ABORT
            | STATUS_RECEIVED_TARGET_ABORT | STATUS_RECEIVED_MASTER_ABORT | STATUS_SIGNALED_SYSTEM_ERROR
            | STATUS_DETECTED_PARITY_ERROR;

    // Header Type (§6.2.1).
    public static final int HEADER_TYPE_LAYOUT_MASK = 0x7F;
    public static final int HEADER_TYPE_ENDPOINT = 0;
    public static final int HEADER_TYPE_BRIDGE = 1;
    public static final int HEADER_TYPE_MULTI_FUNCTION = 0x80;

    // Base Address Register bits (§6.2.5.1).
    public static final int BAR_IO = 1;
    public static final int BAR_MEMORY_TYPE_MASK = 0x6;
    public static final int BAR_MEMORY_TYPE_32 = 0x0;
    public static final int BAR_MEMORY_TYPE_64 = 0x4;
    public static final int BAR_PREFETCHABLE = 0x8;
    /** Bits of a memory BAR that are not address: space, type and prefetchable. */
    public static final int BAR_MEMORY_FLAGS_MASK = 0xF;
    /** Bits of an I/O BAR that are not address. */
    public static final int BAR_IO_FLAGS_MASK = 0x3;
    /** The smallest memory BAR the specification allows, bytes (§6.2.5.1). */
    public static final long BAR_MIN_MEMORY_SIZE = 16;

    /** Capabilities Pointer bits [1:0] are reserved: capabilities are DWORD aligned (§6.7). */
    public static final int CAPABILITIES_POINTER_MASK = 0xFC;
    /** Every capability starts with Capability ID at +0 and Next Capability Pointer at +1 (§6.7). */
    public static final int CAP_ID = 0x0;
    public static final int CAP_NEXT = 0x1;
    /** The first byte after the header where a capability may start. */
    public static final int FIRST_CAPABILITY = HEADER_SIZE;

    /** Class code of a PCI-to-PCI bridge: base class 06 (bridge), subclass 04, interface 00. */
    public static final int CLASS_PCI_BRIDGE = 0x06_04_00;
    /**
     * Class code of an ISA bridge (an LPC interface bridge presents as one): base class 06
     * (bridge), subclass 01 (ISA), interface 00 (PCI Code and ID Assignment Specification 1.11 §1.7).
     */
    public static final int CLASS_ISA_BRIDGE = 0x06_01_00;
    /** Vendor ID an absent function reads as (all ones: the access ends in a master abort). */
    public static final int VENDOR_ID_ABSENT = 0xFFFF;

    /** Offset of BAR {@code index} (0..5). */
    public static int bar(int index) {
        return BAR0 + 4 * index;
    }
}
