package org.jdma.spec.crc32;

import java.util.zip.CRC32;
import org.jdma.spec.pci.MsixTableLayout;

/**
 * The CRC-32 offload engine: one operation, "checksum LENGTH bytes at SRC_ADDR and write the
 * result to RESULT_ADDR", done by bus-master DMA and signalled on MSI-X entry 0. BAR0 is a 4 KiB,
 * 32-bit, non-prefetchable memory BAR holding the registers, the MSI-X table and the PBA (PCI
 * Local Bus Specification 3.0 §6.8.2). All registers are little-endian.
 *
 * <pre>
 * off    name          width access  bits
 * 0x000  VERSION         32  RO      [15:8] major, [7:0] minor (1.0)
 * 0x008  SRC_ADDR        64  RW      bus address of the first input byte
 * 0x010  LENGTH          32  RW      input bytes, 1..{@link #MAX_LENGTH}
 * 0x014  CONTROL         32  RW      [0] START (write 1 to start; reads 0), [1] IRQ_EN
 * 0x018  RESULT_ADDR     64  RW      bus address the 4-byte little-endian result is written to
 * 0x020  STATUS          32  RW1C    [0] BUSY (read-only), [1] DONE, [2] READ_FAULT,
 *                                    [3] WRITE_FAULT, [4] BAD_LENGTH
 * 0x028  FAULT_ADDR      64  RO      bus address of the first byte a faulted DMA could not move
 * 0x030  RESULT          32  RO      checksum of the last operation that ended without error
 * 0x800  MSI-X table     16 bytes    one entry (Message Address, Upper Address, Data, Vector
 *                                    Control [0] mask), masked after reset
 * 0xC00  MSI-X PBA        8 bytes    pending bit of entry 0 (read-only)
 * </pre>
 *
 * <p>The operation, as this model implements it:
 * <ul>
 *   <li>Writing CONTROL with START set while STATUS.BUSY is clear starts an operation: STATUS
 *       becomes BUSY alone (DONE and the error bits clear), FAULT_ADDR reads 0, and SRC_ADDR, LENGTH
 *       and RESULT_ADDR are latched: writing them while BUSY changes nothing until the next
 *       START. START while BUSY is ignored. IRQ_EN is stored; START is not.</li>
 *   <li>A LENGTH of 0 or above {@link #MAX_LENGTH} ends the operation with BAD_LENGTH and no DMA.</li>
 *   <li>The input is read by DMA in requests of at most the device's chunk size; each chunk is
 *       folded into the checksum as it arrives. A read that faults ends the operation with
 *       READ_FAULT, FAULT_ADDR = the first byte that could not be read, and no result write.</li>
 *   <li>Then the 4-byte result is written by DMA to RESULT_ADDR (no alignment required). A write
 *       that faults ends the operation with WRITE_FAULT and FAULT_ADDR = the first byte that could
 *       not be written; RESULT keeps its old value. Otherwise RESULT takes the checksum.</li>
 *   <li>Every operation ends the same way, in this order: STATUS.BUSY clears and DONE is set
 *       (with the error bit, if any); then, if CONTROL.IRQ_EN is set, MSI-X entry 0 is raised. A
 *       driver that sees the interrupt therefore sees the result in memory and DONE in STATUS.</li>
 *   <li>Like any PCI function the engine reaches memory only while Command.Bus Master Enable is
 *       set; with it clear, the first read faults (READ_FAULT, FAULT_ADDR = SRC_ADDR) and no MSI-X
 *       message leaves the device.</li>
 *   <li>A conventional reset (or function reset) abandons an operation in flight: it writes no
 *       result and raises no interrupt, and every register returns to its reset value (0, VERSION
 *       excepted).</li>
 * </ul>
 *
 * <p>The checksum is the CRC-32 of IEEE 802.3 §3.2.9 (the Ethernet frame check sequence, called
 * CRC-32/ISO-HDLC in the Rocksoft catalogue): polynomial 0x04C11DB7 reflected (0xEDB88320),
 * initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF; {@link #CHECK_VALUE} is its value over the nine
 * ASCII bytes "123456789". {@link CRC32} computes exactly this.
 */
public final class Crc32Registers {

    private Crc32Registers() { }

    /** PCI vendor id: Red Hat, Inc. (QEMU's emulated devices), as QEMU's test devices use. */
    public static final int VENDOR_ID = 0x1B36;
    /** Our model's own device id (no real device has it). */
    public static final int DEVICE_ID = 0x00C5;
    /**
     * PCI class code 0x120000: base class 12h, processing accelerator (PCI Code and ID Assignment
     * Specification; Linux {@code PCI_CLASS_ACCELERATOR_PROCESSING}).
     */
    public static final int CLASS_CODE = 0x12_00_00;
    /** BAR0 bytes: registers, MSI-X table and PBA. */
    public static final long BAR_SIZE = 0x1000;

    public static final int VERSION = 0x000;
    public static final int SRC_ADDR = 0x008;
    public static final int LENGTH = 0x010;
    public static final int CONTROL = 0x014;
    public static final int RESULT_ADDR = 0x018;
    public static final int STATUS = 0x020;
    public static final int FAULT_ADDR = 0x028;
    public static final int RESULT = 0x030;
    public static final int MSIX_TABLE = 0x800;
    public static final int MSIX_PBA = 0xC00;
    /** MSI-X table entries: one, entry 0, raised when an operation ends. */
    public static final int MSIX_ENTRIES = 1;
    /** The MSI-X entry an ending operation raises. */
    public static final int MSIX_DONE_ENTRY = 0;

    public static final int VERSION_VALUE = 0x0100;
    public static final int VERSION_MASK = 0xFFFF;

    /** The largest LENGTH an operation accepts: 16 MiB. */
    public static final long MAX_LENGTH = 1L << 24;
    /** Bytes of the result the engine writes to RESULT_ADDR. */
    public static final int RESULT_SIZE = 4;

    public static final int CONTROL_START = 1;
    public static final int CONTROL_IRQ_EN = 1 << 1;
    public static final int CONTROL_MASK = CONTROL_START | CONTROL_IRQ_EN;

    public static final int STATUS_BUSY = 1;
    public static final int STATUS_DONE = 1 << 1;
    public static final int STATUS_READ_FAULT = 1 << 2;
    public static final int STATUS_WRITE_FAULT = 1 << 3;
    public static final int STATUS_BAD_LENGTH = 1 << 4;
    /** Every error bit: an operation that ended with none of them succeeded. */
    public static final int STATUS_ERRORS = STATUS_READ_FAULT | STATUS_WRITE_FAULT | STATUS_BAD_LENGTH;
    public static final int STATUS_MASK = STATUS_BUSY | STATUS_DONE | STATUS_ERRORS;

    /** CRC-32 of the ASCII bytes "123456789" (the catalogue's check value). */
    public static final int CHECK_VALUE = 0xCBF4_3926;

    /** MSI-X table entry layout; see {@link MsixTableLayout}. */
    public static final int MSIX_ENTRY_SIZE = MsixTableLayout.ENTRY_SIZE;

    /** Whether {@code length} is a LENGTH an operation accepts. */
    public static boolean validLength(long length) {
        return length >= 1 && length <= MAX_LENGTH;
    }

    /** The checksum the engine computes over {@code data} (what a driver may check the result against). */
    public static int checksum(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return (int) crc.getValue();
    }
}
