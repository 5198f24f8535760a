package org.jdma.machine.pci;

import java.util.Arrays;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.jdma.spec.pci.MsixTableLayout;

/**
 * A function's MSI-X table and Pending Bit Array (PCI Local Bus Specification 3.0 §6.8.2; layout in
 * {@link MsixTableLayout}). {@link PciEndpoint} places both in a BAR at the offsets its MSI-X
 * capability declares and routes MMIO accesses of those ranges to {@link #readTable}/{@link #writeTable}
 * and {@link #readPba}/{@link #writePba}; the capability's Message Control sets MSI-X Enable and
 * Function Mask here ({@link #control}); the device raises interrupts with {@link #signal}.
 *
 * <p>Behaviour (as QEMU's hw/pci/msix.c): an entry is masked when its Mask Bit or the Function
 * Mask is set (§6.8.2.3); signalling a masked entry sets its pending bit instead of sending;
 * when an entry stops being masked (its Mask Bit or the Function Mask cleared) and its pending bit
 * is set, the bit is cleared and the message sent, with the address and data the entry holds at
 * that moment. While MSI-X Enable is clear the function may not send MSI-X messages at all
 * (§6.8.2.3: it uses INTx, which is not modelled): a signal then is dropped and counted in
 * {@link #suppressed()}, and sets no pending bit. Every entry resets masked, with address and data
 * zero. A message goes out through the device's {@link DmaPort} as the 32-bit write it is on the
 * bus; an address outside the interrupt range is just a memory write, which the bus carries out
 * or faults, exactly as real hardware would.
 *
 * <p>Not modeled: TPH steering tags in Vector Control.
 *
 * <p>Thread use: MMIO and Message Control come from the thread that owns the machine's event
 * kernel; {@link #signal} may also come from the device's own thread (a copy engine in threaded
 * mode). The table's state is kept under its lock, so a signal and an unmask of the same entry
 * never both send its message, or both leave it pending. A message is written on the thread that
 * sends it: a signal's on the signalling thread, once it has let go of the lock; an unmask's (a
 * pending message) on the CPU thread; the interrupt controller hands one that arrives from a
 * device thread to the machine thread.
 * Accesses of the wrong size or alignment read as zero, are dropped on write and are counted in
 * {@link #unclaimedAccesses()}; nothing throws.
 */
public final class MsixTable {

    private final int entries;
    private final DmaPort port;
    private final int[] addrLo;
    private final int[] addrHi;
    private final int[] data;
    private final int[] control;
    private final long[] pending;

    /** MSI-X Enable and Function Mask of the capability's Message Control (§6.8.2.3). */
    private volatile boolean enabled;
    private volatile boolean functionMasked;

    private long sent;
    private long pended;
    private long suppressed;
    private long sendFaults;
    private long unclaimedAccesses;

    /**
     * @param entries number of table entries, 1..{@link MsixTableLayout#MAX_ENTRIES}
     * @param port    the device's path to the bus, through which messages are written
     */
    public MsixTable(int entries, DmaPort port) {
        if (entries < 1 || entries > MsixTableLayout.MAX_ENTRIES) {
            throw new IllegalArgumentException("MSI-X table size must be 1.." + MsixTableLayout.MAX_ENTRIES + ", was " + entries);
        }
        this.entries = entries;
        this.port = port;
        this.addrLo = new int[entries];
        this.addrHi = new int[entries];
        this.data = new int[entries];
        this.control = new int[entries];
        this.pending = new long[(int) (MsixTableLayout.pbaSize(entries) / MsixTableLayout.PBA_WORD_SIZE)];
        reset();
    }

    public int entries() { return entries; }

    /** Bytes the table occupies in the BAR. */
    public long tableSize() { return MsixTableLayout.tableSize(entries); }

    /** Bytes the PBA occupies in the BAR. */
    public long pbaSize() { return MsixTableLayout.pbaSize(entries); }

    /** Messages written to the bus (whether or not the bus accepted them). */
    public synchronized long sent() { return sent; }

    /** Signals that found their entry masked and set its pending bit. */
    public synchronized long pended() { return pended; }

    /** Messages the bus refused (address not in RAM or the interrupt range, bus mastering off). */
    public synchronized long sendFaults() { return sendFaults; }

    public synchronized long unclaimedAccesses() { return unclaimedAccesses; }

    /** Signals dropped because MSI-X Enable was clear. */
    public synchronized long suppressed() { return suppressed; }

    public boolean enabled() { return enabled; }

    public boolean functionMasked() { return functionMasked; }

    /**
     * Applies the capability's MSI-X Enable and Function Mask. Entries that stop being masked
     * with their pending bit set send now (§6.8.2.3, "Function Mask ... pending messages").
     */
    public synchronized void control(boolean enable, boolean functionMask) {
        boolean wasOff = !enabled || functionMasked;
        enabled = enable;
        functionMasked = functionMask;
        if (wasOff && enable && !functionMask) {
            for (int e = 0; e < entries; e++) {
                if (pending(e) && !masked(e)) {
                    pending[e / MsixTableLayout.PBA_ENTRIES_PER_WORD] &= ~bit(e);
                    send(e);
                }
            }
        }
    }

    /**
     * Returns every entry to its reset state: masked, address and data zero, not pending. MSI-X
     * Enable and Function Mask belong to configuration space and are left as they are.
     */
    public synchronized void reset() {
        for (int i = 0; i < entries; i++) {
            addrLo[i] = 0;
            addrHi[i] = 0;
            data[i] = 0;
            control[i] = MsixTableLayout.VECTOR_MASKED;
        }
        Arrays.fill(pending, 0);
    }

    public synchronized boolean masked(int entry) {
        return (control[entry] & MsixTableLayout.VECTOR_MASKED) != 0;
    }

    public synchronized boolean pending(int entry) {
        return (pending[entry / MsixTableLayout.PBA_ENTRIES_PER_WORD] & bit(entry)) != 0;
    }

    /** The message address entry {@code entry} holds. */
    public synchronized long address(int entry) {
        return ((long) addrHi[entry] << 32) | (addrLo[entry] & 0xFFFF_FFFFL);
    }

    public synchronized int data(int entry) {
        return data[entry];
    }

    /**
     * Raises the interrupt of {@code entry}: sends its message now, or sets its pending bit when
     * the entry or the function is masked. An entry number outside the table is ignored (the
     * device validates handles before it signals) and returns false; so is every signal while
     * MSI-X is disabled.
     *
     * @return true when a message was written to the bus now
     */
    public boolean signal(int entry) {
        long address;
        int message;
        synchronized (this) {
            if (entry < 0 || entry >= entries) {
                return false;
            }
            if (!enabled) {
                suppressed++;
                return false;
            }
            if (masked(entry) || functionMasked) {
                pending[entry / MsixTableLayout.PBA_ENTRIES_PER_WORD] |= bit(entry);
                pended++;
                return false;
            }
            sent++;
            address = address(entry);
            message = data[entry];
        }
        // Written after letting go of the lock: a device thread must not hold it while the bus takes
        // the IOMMU's (interrupt remapping), whose listeners may reach this table from the CPU thread.
        if (!port.signalMsi(address, message).isOk()) {
            synchronized (this) {
                sendFaults++;
            }
        }
        return true;
    }

    private void send(int entry) {
        sent++;
        DmaResult r = port.signalMsi(address(entry), data[entry]);
        if (!r.isOk()) {
            sendFaults++;
        }
    }

    private static long bit(int entry) {
        return 1L << (entry % MsixTableLayout.PBA_ENTRIES_PER_WORD);
    }

    private boolean claims(long offset, int size, long regionSize) {
        if ((size != 4 && size != 8) || offset < 0 || offset % size != 0 || offset + size > regionSize) {
            unclaimedAccesses++;
            return false;
        }
        return true;
    }

    /** An aligned 4- or 8-byte read at {@code offset} from the table's start. */
    public synchronized long readTable(long offset, int size) {
        if (!claims(offset, size, tableSize())) {
            return 0;
        }
        long lo = readDword(offset) & 0xFFFF_FFFFL;
        return size == 4 ? lo : lo | (readDword(offset + 4) << 32);
    }

    /** An aligned 4- or 8-byte write at {@code offset} from the table's start. */
    public synchronized void writeTable(long offset, int size, long value) {
        if (!claims(offset, size, tableSize())) {
            return;
        }
        // Low DWORD first: for a QWORD write of Data + Vector Control, an unmask sends the new data.
        writeDword(offset, (int) value);
        if (size == 8) {
            writeDword(offset + 4, (int) (value >>> 32));
        }
    }

    private long readDword(long offset) {
        int entry = (int) (offset / MsixTableLayout.ENTRY_SIZE);
        return switch ((int) (offset % MsixTableLayout.ENTRY_SIZE)) {
            case MsixTableLayout.ADDR_LO -> addrLo[entry];
            case MsixTableLayout.ADDR_HI -> addrHi[entry];
            case MsixTableLayout.DATA -> data[entry];
            default -> control[entry];
        };
    }

    private void writeDword(long offset, int value) {
        int entry = (int) (offset / MsixTableLayout.ENTRY_SIZE);
        switch ((int) (offset % MsixTableLayout.ENTRY_SIZE)) {
            case MsixTableLayout.ADDR_LO -> addrLo[entry] = value & ~MsixTableLayout.ADDR_LO_RESERVED_MASK;
            case MsixTableLayout.ADDR_HI -> addrHi[entry] = value;
            case MsixTableLayout.DATA -> data[entry] = value;
            default -> {
                boolean wasMasked = masked(entry);
                control[entry] = value & MsixTableLayout.VECTOR_CONTROL_MASK;
                if (wasMasked && !masked(entry) && pending(entry) && enabled && !functionMasked) {
                    pending[entry / MsixTableLayout.PBA_ENTRIES_PER_WORD] &= ~bit(entry);
                    send(entry);
                }
            }
        }
    }

    /** An aligned 4- or 8-byte read at {@code offset} from the PBA's start. */
    public synchronized long readPba(long offset, int size) {
        if (!claims(offset, size, pbaSize())) {
            return 0;
        }
        long word = pending[(int) (offset / MsixTableLayout.PBA_WORD_SIZE)];
        if (size == 8) {
            return word;
        }
        return (word >>> ((offset % MsixTableLayout.PBA_WORD_SIZE) * 8)) & 0xFFFF_FFFFL;
    }

    /** Pending bits are read-only (§6.8.2.10): a write is dropped. */
    public synchronized void writePba(long offset, int size, long value) {
        claims(offset, size, pbaSize());
    }
}
