package org.jdma.spec.isablock;

/**
 * A floppy-like block device on the ISA bus: 512-byte sectors moved by the 8237A in single mode,
 * one byte per DREQ at the medium's data rate (as a PC floppy controller in DMA mode), ending on
 * the channel's terminal count. Eight one-byte ports from a base the board gives it.
 *
 * <pre>
 * port      name      access  bits
 * base + 0  SECTOR_LO RW      first sector, low byte
 * base + 1  SECTOR_HI RW      first sector, high byte
 * base + 2  COUNT     RW      sectors to move, 1..255 (0 is refused)
 * base + 3  COMMAND   WO      {@link #CMD_READ} medium to memory, {@link #CMD_WRITE} memory to
 *                             medium, {@link #CMD_ACK} clears DONE and ERROR; reads 0xFF
 * base + 4  STATUS    RO      [0] BUSY, [1] DONE, [2] ERROR
 * base + 5  ERROR     RO      why ERROR is set: {@link #ERR_RANGE}, {@link #ERR_EARLY_TC},
 *                             {@link #ERR_OVERRUN}, {@link #ERR_BAD_COMMAND}, {@link #ERR_UNDERRUN}
 * base + 6  BURST     RW      reads only: 0 (the floppy's way) one byte at a time; n = 1..255 the
 *                             device reads up to n sectors ahead into its buffer and raises DREQ
 *                             once n sectors (or the rest of the command) wait, holding it until
 *                             the buffer is empty (a jdma extension, for block and demand mode)
 * base + 7                    reads 0xFF, writes ignored
 * </pre>
 *
 * <p>Behaviour: a command while BUSY is refused (ERROR, ERR_BAD_COMMAND). READ streams the sectors'
 * bytes, asserting DREQ while one is waiting; a range running past the medium's end moves the
 * sectors that exist and then sets ERROR with ERR_RANGE (the channel's residue says how much did
 * not move). WRITE asks for a byte with DREQ each time the medium can take one. Terminal count
 * before the last byte sets ERROR with ERR_EARLY_TC. A byte the medium delivers while the previous
 * one still waits is lost: ERROR with ERR_OVERRUN. With BURST set, the medium waits while the
 * buffer is full, and a DACK that finds the buffer empty (block mode started before the data was
 * there) sets ERROR with ERR_UNDERRUN. The end of a command (DONE, or ERROR) sends
 * one edge on the device's IRQ.
 */
public final class IsaBlockPorts {

    private IsaBlockPorts() { }

    public static final int PORT_COUNT = 8;
    public static final int SECTOR_BYTES = 512;

    public static final int SECTOR_LO = 0;
    public static final int SECTOR_HI = 1;
    public static final int COUNT = 2;
    public static final int COMMAND = 3;
    public static final int STATUS = 4;
    public static final int ERROR = 5;
    public static final int BURST = 6;

    public static final int CMD_READ = 1;
    public static final int CMD_WRITE = 2;
    public static final int CMD_ACK = 3;

    public static final int STATUS_BUSY = 1;
    public static final int STATUS_DONE = 1 << 1;
    public static final int STATUS_ERROR = 1 << 2;

    public static final int ERR_NONE = 0;
    public static final int ERR_RANGE = 1;
    public static final int ERR_EARLY_TC = 2;
    public static final int ERR_OVERRUN = 3;
    public static final int ERR_BAD_COMMAND = 4;
    public static final int ERR_UNDERRUN = 5;
}
