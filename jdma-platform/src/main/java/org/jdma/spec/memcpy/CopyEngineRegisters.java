package org.jdma.spec.memcpy;

import org.jdma.spec.pci.MsixTableLayout;

/**
 * The copy engine's MMIO register map (BAR0, 64 KiB). Modeled on an I/OAT channel (Linux
 * drivers/dma/ioat/registers.h: CHANCTRL, CHANSTS, CHAINADDR, DMACOUNT, CHANERR) with the
 * descriptor ring of I/OAT v2+; the MSI-X table and PBA follow PCI Local Bus Spec 3.0 §6.8.2.
 * All registers are little-endian.
 *
 * <pre>
 * off    name           width access  bits
 * 0x000  VERSION          32  RO      [15:8] major, [7:0] minor
 * 0x004  CAP              32  RO      [4:0] max transfer shift, [12:8] address alignment shift,
 *                                     [20:16] max ring shift, [21] CHAIN (jdma extension),
 *                                     [22] BLOCK_ON_FAULT, [31:24] MSI-X table size - 1
 * 0x008  CONTROL          32  RW      [0] ENABLE, [1] RESET (self-clearing), [2] ERR_INT_EN
 * 0x00C  STATUS           32  RO      [1:0] state (0 disabled, 1 running, 2 halted), [8] IDLE,
 *                                     [9] FAULT_WAIT (a page request awaits its response)
 * 0x010  RING_BASE        64  RW      64-byte aligned physical/bus address of slot 0 ([5:0] reserved)
 * 0x018  RING_SIZE        32  RW      number of slots, a power of two 2..2^maxRingShift
 * 0x01C  ERROR            32  RW1C    [0] RING_CONFIG, [1] FETCH_FAULT, [2] COMPLETION_FAULT, [3] SUBMIT_RANGE,
 *                                     [4] PAGE_REQUEST (a page request was posted)
 * 0x020  FETCH_INDEX      32  RO      slot the engine fetches next (consumer index)
 * 0x024  SUBMIT_INDEX     32  RW      doorbell: slot after the last one submitted (producer index)
 * 0x028  ERROR_ADDRESS    64  RO      bus address of the access that set FETCH_FAULT/COMPLETION_FAULT
 * 0x030  COMPLETED        64  RO      descriptors completed since reset (success or error)
 * 0x038  ERR_INT_HANDLE   32  RW      [15:0] MSI-X entry raised when ERROR becomes non-zero and ERR_INT_EN
 * 0x040  PAGE_REQ_ADDRESS 64  RO      bus address whose fault blocks the engine (valid while PENDING)
 * 0x048  PAGE_REQ         32  RO      [0] PENDING, [1] WRITE (the faulting access was a write)
 * 0x04C  PAGE_RESPONSE    32  WO      [3:0] response code: 0 SUCCESS (retry), 1 INVALID_REQUEST,
 *                                     0xF RESPONSE_FAILURE (reads 0; ignored unless PENDING)
 * 0x1000 MSI-X table      16/entry    Message Address, Upper Address, Data, Vector Control([0] mask)
 *                                     at most 128 entries (CAP[31:24] + 1), all masked after reset
 * 0x1800 MSI-X PBA        64/64 entries  pending bits (read-only)
 * </pre>
 *
 * Ring rules: the driver owns slots [FETCH_INDEX .. SUBMIT_INDEX) until the engine fetches them;
 * the ring is empty when FETCH_INDEX == SUBMIT_INDEX. A SUBMIT_INDEX write outside [0, RING_SIZE)
 * sets SUBMIT_RANGE and is ignored. Changing RING_BASE/RING_SIZE while ENABLE is set has no effect
 * until the next enable.
 *
 * <p>Details the table leaves open, as this model implements them:
 * <ul>
 *   <li>Enable (ENABLE written 1 while STATUS.state is disabled) checks the ring: RING_SIZE a power
 *       of two in 2..2^CAP.maxRingShift, and RING_BASE written without any of its reserved bits
 *       [5:0] set (those bits read as zero, but a write that set one is remembered, so a misaligned
 *       base is refused rather than silently rounded down). A bad ring sets ERROR.RING_CONFIG,
 *       CONTROL.ENABLE reads back 0 and the state stays disabled. A good ring sets FETCH_INDEX and
 *       SUBMIT_INDEX to 0: the ring starts empty and no stale doorbell value is acted on.</li>
 *   <li>Clearing ENABLE stops fetching; a descriptor already fetched still completes (record and
 *       interrupt). HALTED (after a fetch fault) is left by clearing ENABLE and enabling again, or
 *       by RESET.</li>
 *   <li>RESET returns every register and every MSI-X entry to its reset value; a descriptor in
 *       flight is abandoned and writes no completion record.</li>
 *   <li>The error interrupt is raised each time a bit of ERROR goes from 0 to 1 while
 *       CONTROL.ERR_INT_EN is set, if ERR_INT_HANDLE names an existing MSI-X entry.</li>
 *   <li>A SUBMIT_INDEX write while disabled is checked against the RING_SIZE register.</li>
 *   <li>ERROR_ADDRESS after FETCH_FAULT is the first descriptor byte that could not be read; after
 *       COMPLETION_FAULT it is the completion record's address (the record is written as a body
 *       write of bytes 1..31 and then the status byte, so the faulting byte is not the useful one).</li>
 * </ul>
 *
 * <p><b>Block on fault</b> (descriptor flag BOF, CAP.BLOCK_ON_FAULT). On DSA a descriptor with
 * BOF set that meets a page fault makes the device send a PCIe page request (Page Request
 * Services, PCIe Base 4.0 §10.4) and wait for the page request group response. This model keeps
 * the handshake but carries it through the engine's own registers instead of the IOMMU's page
 * request queue: the engine stops with STATUS.FAULT_WAIT, PAGE_REQ and PAGE_REQ_ADDRESS naming
 * the access, and sets ERROR.PAGE_REQUEST (so the error interrupt tells software); software maps
 * the page and writes PAGE_RESPONSE with the PRG response code. SUCCESS retries the access and
 * the descriptor goes on from the byte that faulted; INVALID_REQUEST or RESPONSE_FAILURE ends it
 * with PAGE_FAULT_IR (bytes completed and the fault address in the record). No response within
 * the engine's fault-wait timeout (a named parameter of its configuration, in ns) counts as
 * RESPONSE_FAILURE, so a forgotten request never hangs the engine. Only ring descriptors block:
 * a batch member or chain link that faults ends with PAGE_FAULT_NOBOF whatever its BOF.
 */
public final class CopyEngineRegisters {

    /** PCI vendor id: Intel. */
    public static final int VENDOR_ID = 0x8086;
    /** PCI device id of this model. */
    public static final int DEVICE_ID = 0x0B25;
    /** PCI class code 0x088000: base class 08 (system peripheral), subclass 80 (other). */
    public static final int CLASS_CODE = 0x088000;

    private CopyEngineRegisters() { }

    public static final int VERSION = 0x000;
    public static final int CAP = 0x004;
    public static final int CONTROL = 0x008;
    public static final int STATUS = 0x00C;
    public static final int RING_BASE = 0x010;
    public static final int RING_SIZE = 0x018;
    public static final int ERROR = 0x01C;
    public static final int FETCH_INDEX = 0x020;
    public static final int SUBMIT_INDEX = 0x024;
    public static final int ERROR_ADDRESS = 0x028;
    public static final int COMPLETED = 0x030;
    public static final int ERR_INT_HANDLE = 0x038;
    public static final int PAGE_REQ_ADDRESS = 0x040;
    public static final int PAGE_REQ = 0x048;
    public static final int PAGE_RESPONSE = 0x04C;
    public static final int MSIX_TABLE = 0x1000;
    public static final int MSIX_PBA = 0x1800;

    public static final int VERSION_VALUE = 0x0100;
    public static final int VERSION_MASK = 0xFFFF;

    public static final int CAP_MAX_XFER_SHIFT_MASK = 0x1F;
    public static final int CAP_ALIGN_SHIFT_SHIFT = 8;
    public static final int CAP_ALIGN_SHIFT_MASK = 0x1F << CAP_ALIGN_SHIFT_SHIFT;
    public static final int CAP_MAX_RING_SHIFT_SHIFT = 16;
    public static final int CAP_MAX_RING_SHIFT_MASK = 0x1F << CAP_MAX_RING_SHIFT_SHIFT;
    /** The engine runs CHAIN descriptors (a jdma extension; see {@link CopyDescriptorLayout}). */
    public static final int CAP_CHAIN = 1 << 21;
    /** The engine honours the BOF descriptor flag (page requests through PAGE_REQ/PAGE_RESPONSE). */
    public static final int CAP_BLOCK_ON_FAULT = 1 << 22;
    public static final int CAP_MSIX_SIZE_SHIFT = 24;
    public static final int CAP_MSIX_SIZE_MASK = 0xFF << CAP_MSIX_SIZE_SHIFT;

    public static final int CONTROL_ENABLE = 1;
    public static final int CONTROL_RESET = 1 << 1;
    public static final int CONTROL_ERR_INT_EN = 1 << 2;

    public static final int STATUS_STATE_MASK = 0x3;
    public static final int STATE_DISABLED = 0;
    public static final int STATE_RUNNING = 1;
    public static final int STATE_HALTED = 2;
    public static final int STATUS_IDLE = 1 << 8;
    /** A page request awaits its response (block on fault). */
    public static final int STATUS_FAULT_WAIT = 1 << 9;

    public static final int ERROR_RING_CONFIG = 1;
    public static final int ERROR_FETCH_FAULT = 1 << 1;
    public static final int ERROR_COMPLETION_FAULT = 1 << 2;
    public static final int ERROR_SUBMIT_RANGE = 1 << 3;
    /** A page request was posted (block on fault); not a ring error, but it raises the error interrupt. */
    public static final int ERROR_PAGE_REQUEST = 1 << 4;

    public static final int PAGE_REQ_PENDING = 1;
    public static final int PAGE_REQ_WRITE = 1 << 1;
    public static final int PAGE_RESPONSE_CODE_MASK = 0xF;
    /** PRG response codes (PCIe Base 4.0 §10.4.2.1). */
    public static final int PAGE_RESPONSE_SUCCESS = 0x0;
    public static final int PAGE_RESPONSE_INVALID_REQUEST = 0x1;
    public static final int PAGE_RESPONSE_FAILURE = 0xF;

    public static final int RING_BASE_ALIGN = 64;

    public static final int ERR_INT_HANDLE_MASK = 0xFFFF;

    /** MSI-X table entry layout (PCI Local Bus Spec 3.0 §6.8.2.6-§6.8.2.9); see {@link MsixTableLayout}. */
    public static final int MSIX_ENTRY_SIZE = MsixTableLayout.ENTRY_SIZE;
    public static final int MSIX_ADDR_LO = MsixTableLayout.ADDR_LO;
    public static final int MSIX_ADDR_HI = MsixTableLayout.ADDR_HI;
    public static final int MSIX_DATA = MsixTableLayout.DATA;
    public static final int MSIX_VECTOR_CONTROL = MsixTableLayout.VECTOR_CONTROL;
    public static final int MSIX_VECTOR_MASKED = MsixTableLayout.VECTOR_MASKED;
}
