package org.jdma.kernel.pci;

import java.util.Optional;
import org.jdma.platform.Cpu;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.pci.MsixCapabilityLayout;
import org.jdma.spec.pci.MsixTableLayout;

/**
 * A function's MSI-X, as a driver programs it (PCI Local Bus Specification 3.0 §6.8.2; Linux
 * {@code msix_capability_init}, {@code pci_msix_write_vector_ctrl}): the capability says how many
 * entries the table has and where the table and the Pending Bit Array are (BAR Indicator and
 * offset); the table is then reached with MMIO through that BAR.
 *
 * <p>An entry is programmed masked: set its Mask Bit, write Message Address, Upper Address and
 * Data, then clear the Mask Bit (§6.8.2.9: software must not change an unmasked entry). Linux's
 * order for turning MSI-X on is followed by {@link #enableMasked()}: Enable and Function Mask
 * together, entries programmed, then {@link #functionMask(boolean) functionMask(false)}.
 */
public final class PciMsix {

    private final PciDevice device;
    private final Cpu cpu;
    private final int capability;
    private final int entries;
    private final long table;
    private final long pba;

    private PciMsix(PciDevice device, Cpu cpu, int capability, int entries, long table, long pba) {
        this.device = device;
        this.cpu = cpu;
        this.capability = capability;
        this.entries = entries;
        this.table = table;
        this.pba = pba;
    }

    /**
     * The MSI-X of {@code device}: empty when it has no MSI-X capability.
     *
     * @throws IllegalStateException when the capability points into a BAR the function does not
     *                               have, or past its end
     */
    public static Optional<PciMsix> of(PciDevice device, Cpu cpu) {
        Optional<Integer> cap = device.capability(MsixCapabilityLayout.ID);
        if (cap.isEmpty()) {
            return Optional.empty();
        }
        int at = cap.get();
        int entries = MsixCapabilityLayout.entries(device.read16(at + MsixCapabilityLayout.MESSAGE_CONTROL));
        long table = locate(device, at + MsixCapabilityLayout.TABLE, "table", MsixTableLayout.tableSize(entries));
        long pba = locate(device, at + MsixCapabilityLayout.PBA, "PBA", MsixTableLayout.pbaSize(entries));
        return Optional.of(new PciMsix(device, cpu, at, entries, table, pba));
    }

    private static long locate(PciDevice device, int register, String what, long size) {
        int value = device.read32(register);
        int bir = value & MsixCapabilityLayout.BIR_MASK;
        long offset = value & MsixCapabilityLayout.OFFSET_MASK & 0xFFFF_FFFFL;
        PciBar bar = device.bar(bir).filter(b -> !b.io()).orElseThrow(() -> new IllegalStateException(String.format(
                "%s: MSI-X %s is in BAR%d (capability register %#x = %#010x), which is no memory BAR of the function",
                device.requester(), what, bir, register, value)));
        if (!bar.contains(bar.base() + offset, size)) {
            throw new IllegalStateException(String.format("%s: MSI-X %s [%#x, +%#x) runs past %s",
                    device.requester(), what, offset, size, bar));
        }
        return bar.base() + offset;
    }

    public PciDevice device() { return device; }

    /** Table Size: entries in the table. */
    public int tableSize() { return entries; }

    /** Bus address of the table. */
    public long tableAddress() { return table; }

    /** Bus address of the Pending Bit Array. */
    public long pbaAddress() { return pba; }

    private long entry(int index) {
        if (index < 0 || index >= entries) {
            throw new IllegalArgumentException(String.format("%s: MSI-X entry %d outside 0..%d", device.requester(), index, entries - 1));
        }
        return table + (long) index * MsixTableLayout.ENTRY_SIZE;
    }

    /** Programs entry {@code index} with {@code message}: masked, address and data, unmasked. */
    public void program(int index, MsiMessage message) {
        long e = entry(index);
        mask(index);
        cpu.write32(e + MsixTableLayout.ADDR_LO, (int) message.address());
        cpu.write32(e + MsixTableLayout.ADDR_HI, (int) (message.address() >>> 32));
        cpu.write32(e + MsixTableLayout.DATA, message.data());
        unmask(index);
    }

    public void mask(int index) {
        cpu.write32(entry(index) + MsixTableLayout.VECTOR_CONTROL, MsixTableLayout.VECTOR_MASKED);
    }

    public void unmask(int index) {
        cpu.write32(entry(index) + MsixTableLayout.VECTOR_CONTROL, 0);
    }

    public boolean masked(int index) {
        return (cpu.read32(entry(index) + MsixTableLayout.VECTOR_CONTROL) & MsixTableLayout.VECTOR_MASKED) != 0;
    }

    /** Whether entry {@code index}'s Pending Bit is set. */
    public boolean pending(int index) {
        entry(index);
        long word = cpu.read64(pba + (long) (index / MsixTableLayout.PBA_ENTRIES_PER_WORD) * MsixTableLayout.PBA_WORD_SIZE);
        return (word >>> (index % MsixTableLayout.PBA_ENTRIES_PER_WORD) & 1) != 0;
    }

    private int control() {
        return device.read16(capability + MsixCapabilityLayout.MESSAGE_CONTROL);
    }

    private void control(int bits, boolean on) {
        int c = control();
        device.write16(capability + MsixCapabilityLayout.MESSAGE_CONTROL, on ? c | bits : c & ~bits);
    }

    /** Sets MSI-X Enable with the Function Mask set, so nothing is sent before the entries are programmed. */
    public void enableMasked() {
        control(MsixCapabilityLayout.CONTROL_ENABLE | MsixCapabilityLayout.CONTROL_FUNCTION_MASK, true);
    }

    /** Sets MSI-X Enable and clears the Function Mask. */
    public void enable() {
        int c = control();
        device.write16(capability + MsixCapabilityLayout.MESSAGE_CONTROL,
                (c | MsixCapabilityLayout.CONTROL_ENABLE) & ~MsixCapabilityLayout.CONTROL_FUNCTION_MASK);
    }

    /** Clears MSI-X Enable (the function then sends no MSI-X message). */
    public void disable() {
        control(MsixCapabilityLayout.CONTROL_ENABLE, false);
    }

    public boolean enabled() {
        return (control() & MsixCapabilityLayout.CONTROL_ENABLE) != 0;
    }

    /** Sets or clears the Function Mask: every entry masked at once. */
    public void functionMask(boolean on) {
        control(MsixCapabilityLayout.CONTROL_FUNCTION_MASK, on);
    }

    public boolean functionMasked() {
        return (control() & MsixCapabilityLayout.CONTROL_FUNCTION_MASK) != 0;
    }
}
