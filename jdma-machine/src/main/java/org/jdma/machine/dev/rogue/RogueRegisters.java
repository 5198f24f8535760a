package org.jdma.machine.dev.rogue;

/**
 * The rogue device's MMIO register map (BAR0). Everything is read-only: the device takes no orders
 * from a driver. All registers are little-endian.
 *
 * <pre>
 * off    name                width access  bits
 * 0x000  ID                    32  RO      [15:0] vendor id, [31:16] device id
 * 0x008  ATTEMPTS              64  RO      DMA requests issued since the machine was built
 * 0x010  BLOCKED               64  RO      requests that ended in a fault
 * 0x018  LAST_FAULT_ADDRESS    64  RO      bus address of the first byte of the last fault
 * 0x020  LAST_FAULT            32  RO      [7:0] bus fault reason (FaultReason ordinal + 1; 0 none),
 *                                          [15:8] VT-d fault reason code, [16] the access was a write
 * </pre>
 *
 * The BAR is otherwise empty: reads return zero, writes are ignored.
 */
public final class RogueRegisters {
    private RogueRegisters() { }

    public static final int ID = 0x000;
    public static final int ATTEMPTS = 0x008;
    public static final int BLOCKED = 0x010;
    public static final int LAST_FAULT_ADDRESS = 0x018;
    public static final int LAST_FAULT = 0x020;

    public static final int ID_DEVICE_SHIFT = 16;
    public static final long LAST_FAULT_BUS_REASON_MASK = 0xFF;
    public static final int LAST_FAULT_VTD_REASON_SHIFT = 8;
    public static final long LAST_FAULT_VTD_REASON_MASK = 0xFFL << LAST_FAULT_VTD_REASON_SHIFT;
    public static final long LAST_FAULT_WRITE = 1L << 16;
}
