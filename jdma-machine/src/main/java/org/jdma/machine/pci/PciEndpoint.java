package org.jdma.machine.pci;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.dev.Device;
import org.jdma.machine.dev.DeviceContext;
import org.jdma.machine.memory.MmioSpace;
import org.jdma.machine.memory.MmioWindow;
import org.jdma.machine.mmio.MmioHandler;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.pci.MsixCapabilityLayout;
import org.jdma.spec.pci.MsixTableLayout;
import org.jdma.spec.pci.PciConfigLayout;

/**
 * The base every PCI device extends: a type 0 function (PCI Local Bus Specification 3.0 §6.1)
 * that does, once for every device, what the bus asks of it. A device only says which BARs it
 * has and what answers in them ({@link #declareBar}), which interrupt capabilities it has
 * ({@link #declareMsix}, {@link #declareMsi}), and what it does; this class does the rest:
 *
 * <ul>
 *   <li><b>Configuration space</b>: ids and class code (RO), Command (Memory Space, Bus Master,
 *       Parity Error Response, SERR# Enable and Interrupt Disable RW; I/O Space RO 0: no I/O BARs),
 *       Status (Capabilities List RO, error bits RW1C), subsystem ids (RO), Interrupt Pin RO 0 (no
 *       INTx), the capability list. See {@link PciFunction}.</li>
 *   <li><b>BARs</b>: address bits below the size read 0 whatever is written, so writing all
 *       ones and reading back gives the size (§6.2.5.1); unimplemented BARs read 0. A BAR decodes
 *       (its window answers CPU accesses) exactly while Command.Memory Space is set, at the
 *       address it holds; a write to the BAR or to Command moves or removes the window at once.
 *       An address whose window would overlap RAM, another window or the interrupt range does not
 *       decode (counted in {@link #barConflicts()}); nothing throws.</li>
 *   <li><b>MSI-X</b>: the capability (Table Size RO, Function Mask and Enable RW, table and PBA
 *       location RO) and the {@link MsixTable} answering at its offsets in its BAR(s); the rest of
 *       the BAR goes to the device's handler.</li>
 *   <li><b>MSI</b>: {@link MsiCapability}, when the device declares it.</li>
 *   <li><b>Bus mastering</b>: Command.Bus Master Enable gates the device's {@link DmaPort}: while it
 *       is clear every DMA and every MSI/MSI-X message is refused (§6.2.2). It is clear after
 *       reset, so a driver must set it before the device can reach memory.</li>
 *   <li><b>Reset</b>: {@link #reset()} is a conventional reset: configuration space back to reset
 *       values (BARs 0, decoding and bus mastering off, MSI/MSI-X disabled, table entries masked),
 *       then {@link #resetFunction()} for the device's own state.</li>
 * </ul>
 *
 * <p>Declarations are made in the device's constructor; the machine assigns BAR addresses after
 * every device is made, as firmware does.
 */
public abstract class PciEndpoint extends PciFunction implements Device {

    /** Command bits every endpoint implements (Memory Space is added with the first BAR). */
    private static final int COMMAND_WRITABLE = PciConfigLayout.COMMAND_BUS_MASTER | PciConfigLayout.COMMAND_PARITY_ERROR_RESPONSE
            | PciConfigLayout.COMMAND_SERR_ENABLE | PciConfigLayout.COMMAND_INTX_DISABLE;

    private final DeviceContext.Pci context;
    private final DmaPort port;
    private final MmioSpace mmio;
    private final Bar[] bars = new Bar[PciConfigLayout.BAR_COUNT_TYPE0];
    private final MmioHandler[] handlers = new MmioHandler[PciConfigLayout.BAR_COUNT_TYPE0];
    private final MmioWindow[] decoded = new MmioWindow[PciConfigLayout.BAR_COUNT_TYPE0];
    private MsixTable msix;
    private int msixCapability;
    private MsiCapability msi;
    private boolean ignoresBusMasterEnable;
    private long barConflicts;
    private long interruptsSuppressed;

    protected PciEndpoint(DeviceContext.Pci context, PciIds ids) {
        super(context.name(), context.requester(), ids, PciConfigLayout.HEADER_TYPE_ENDPOINT, COMMAND_WRITABLE);
        this.context = context;
        this.port = Objects.requireNonNull(context.port(), "port");
        this.mmio = Objects.requireNonNull(context.mmio(), "mmio");
        ConfigSpace c = configSpace();
        for (int i = 0; i < PciConfigLayout.BAR_COUNT_TYPE0; i++) {
            c.readOnly(PciConfigLayout.bar(i), 4, 0);
        }
        c.readOnly(PciConfigLayout.SUBSYSTEM_VENDOR_ID, 2, ids.subsystemVendorId());
        c.readOnly(PciConfigLayout.SUBSYSTEM_ID, 2, ids.subsystemId());
        c.readOnly(PciConfigLayout.INTERRUPT_PIN, 1, 0);
        onWrite(PciConfigLayout.BAR0, 4 * PciConfigLayout.BAR_COUNT_TYPE0, this::updateDecoding);
        port.busMasterEnabled(false);
        port.onMasterAbort(() -> signalStatus(PciConfigLayout.STATUS_RECEIVED_MASTER_ABORT));
    }

    // ---------------------------------------------------------------- declarations (constructor time)

    /**
     * Declares {@code bar}, answered by {@code handler} at offsets from the BAR's base. The BAR
     * reads 0 until firmware or software assigns an address.
     *
     * @throws IllegalArgumentException when the BAR (or the upper half of a 64-bit one) is taken
     */
    protected final void declareBar(Bar bar, MmioHandler handler) {
        Objects.requireNonNull(handler, "handler");
        for (int i = 0; i < bars.length; i++) {
            Bar b = bars[i];
            boolean clash = b != null && (i == bar.index() || (b.is64Bit() && i + 1 == bar.index())
                    || (bar.is64Bit() && bar.index() + 1 == i));
            if (clash) {
                throw new IllegalArgumentException(String.format("%s: BAR%d overlaps BAR%d, declared before", name(), bar.index(), i));
            }
        }
        bars[bar.index()] = bar;
        handlers[bar.index()] = handler;
        ConfigSpace c = configSpace();
        c.readWrite(PciConfigLayout.bar(bar.index()), 4, bar.flags(), bar.lowWritableMask());
        if (bar.is64Bit()) {
            c.readWrite(PciConfigLayout.bar(bar.index() + 1), 4, 0, bar.highWritableMask());
        }
        c.readWrite(PciConfigLayout.COMMAND, 2, 0, c.writableMask(PciConfigLayout.COMMAND, 2) | PciConfigLayout.COMMAND_MEMORY_SPACE);
    }

    /**
     * Declares an MSI-X capability with {@code entries} entries, its table at {@code tableOffset}
     * of BAR {@code tableBar} and its PBA at {@code pbaOffset} of BAR {@code pbaBar} (both QWORD
     * aligned, inside declared BARs, not overlapping). Accesses there go to the table, not to the
     * BAR's handler.
     */
    protected final MsixTable declareMsix(int entries, int tableBar, long tableOffset, int pbaBar, long pbaOffset) {
        if (msix != null) {
            throw new IllegalStateException(name() + ": MSI-X is declared already");
        }
        MsixTable table = new MsixTable(entries, port);
        requireInside("MSI-X table", tableBar, tableOffset, table.tableSize());
        requireInside("MSI-X PBA", pbaBar, pbaOffset, table.pbaSize());
        if (tableBar == pbaBar && tableOffset < pbaOffset + table.pbaSize() && pbaOffset < tableOffset + table.tableSize()) {
            throw new IllegalArgumentException(String.format("%s: MSI-X table [%#x, +%#x) and PBA [%#x, +%#x) of BAR%d overlap",
                    name(), tableOffset, table.tableSize(), pbaOffset, table.pbaSize(), tableBar));
        }
        int at = addCapability(MsixCapabilityLayout.ID, MsixCapabilityLayout.SIZE);
        ConfigSpace c = configSpace();
        c.readWrite(at + MsixCapabilityLayout.MESSAGE_CONTROL, 2, MsixCapabilityLayout.tableSizeField(entries),
                MsixCapabilityLayout.CONTROL_ENABLE | MsixCapabilityLayout.CONTROL_FUNCTION_MASK);
        c.readOnly(at + MsixCapabilityLayout.TABLE, 4, MsixCapabilityLayout.offsetAndBir(tableOffset, tableBar));
        c.readOnly(at + MsixCapabilityLayout.PBA, 4, MsixCapabilityLayout.offsetAndBir(pbaOffset, pbaBar));
        onWrite(at + MsixCapabilityLayout.MESSAGE_CONTROL, 2, this::msixControlWritten);
        msix = table;
        msixCapability = at;
        handlers[tableBar] = new MsixRouting(handlers[tableBar], table, tableOffset, tableBar == pbaBar ? pbaOffset : -1);
        if (pbaBar != tableBar) {
            handlers[pbaBar] = new MsixRouting(handlers[pbaBar], table, -1, pbaOffset);
        }
        return table;
    }

    private void requireInside(String what, int barIndex, long offset, long size) {
        Bar bar = barIndex >= 0 && barIndex < bars.length ? bars[barIndex] : null;
        if (bar == null) {
            throw new IllegalArgumentException(String.format("%s: %s is in BAR%d, which is not declared", name(), what, barIndex));
        }
        if (offset < 0 || offset % MsixTableLayout.PBA_WORD_SIZE != 0 || offset + size > bar.size()) {
            throw new IllegalArgumentException(String.format("%s: %s [%#x, +%#x) must be QWORD aligned inside BAR%d (%#x bytes)",
                    name(), what, offset, size, barIndex, bar.size()));
        }
    }

    /** Declares an MSI capability (64-bit address) for 2^{@code log2Vectors} vectors. */
    protected final void declareMsi(int log2Vectors, boolean perVectorMasking) {
        if (msi != null) {
            throw new IllegalStateException(name() + ": MSI is declared already");
        }
        msi = new MsiCapability(this, port, log2Vectors, perVectorMasking);
    }

    /** Lets this device reach memory whatever Command.Bus Master Enable says: a hostile device does not honour it. */
    protected final void ignoreBusMasterEnable() {
        ignoresBusMasterEnable = true;
        port.busMasterEnabled(true);
    }

    // ---------------------------------------------------------------- what the device uses

    public final DmaPort port() {
        return port;
    }

    protected final EventKernel eventKernel() {
        return context.kernel();
    }

    /** The MSI-X table; throws when the device declared none. */
    public final MsixTable msix() {
        if (msix == null) {
            throw new IllegalStateException(name() + " has no MSI-X capability");
        }
        return msix;
    }

    /** Offset of the MSI-X capability in configuration space; empty when there is none. */
    public final Optional<Integer> msixCapabilityOffset() {
        return msix == null ? Optional.empty() : Optional.of(msixCapability);
    }

    /** Offset of the MSI capability; empty when there is none. */
    public final Optional<Integer> msiCapabilityOffset() {
        return msi == null ? Optional.empty() : Optional.of(msi.offset());
    }

    /** Raises MSI-X entry {@code entry} (see {@link MsixTable#signal}); false when no message went out now. */
    protected final boolean signalMsix(int entry) {
        return msix != null && msix.signal(entry);
    }

    /**
     * Raises interrupt {@code vector} the way software set the function up: MSI-X entry
     * {@code vector} when MSI-X is enabled, else MSI vector {@code vector} when MSI is enabled;
     * with neither, the function would assert INTx, which is not modelled: the interrupt is
     * counted in {@link #interruptsSuppressed()}.
     */
    protected final boolean signalInterrupt(int vector) {
        if (msix != null && msix.enabled()) {
            return msix.signal(vector);
        }
        if (msi != null && msi.enabled()) {
            return msi.signal(vector);
        }
        interruptsSuppressed++;
        return false;
    }

    /** MSI messages sent (through the MSI capability, not MSI-X). */
    public final long msiSent() {
        return msi == null ? 0 : msi.sent();
    }

    /** MSI signals that found their vector masked and set its Pending bit. */
    public final long msiPended() {
        return msi == null ? 0 : msi.pended();
    }

    public final long interruptsSuppressed() {
        return interruptsSuppressed + (msi == null ? 0 : msi.suppressed());
    }

    // ---------------------------------------------------------------- BARs

    /** The declared BARs, by index. */
    public final List<Bar> bars() {
        List<Bar> l = new ArrayList<>();
        for (Bar b : bars) {
            if (b != null) {
                l.add(b);
            }
        }
        return List.copyOf(l);
    }

    /** The declared BAR {@code index}; empty when there is none. */
    public final Optional<Bar> bar(int index) {
        return index >= 0 && index < bars.length ? Optional.ofNullable(bars[index]) : Optional.empty();
    }

    /** The address BAR {@code index} holds (whether or not it decodes). */
    public final long barAddress(int index) {
        Bar b = bar(index).orElseThrow(() -> new IllegalArgumentException(name() + " has no BAR" + index));
        ConfigSpace c = configSpace();
        long low = c.get(PciConfigLayout.bar(index), 4) & ~(long) PciConfigLayout.BAR_MEMORY_FLAGS_MASK;
        return b.is64Bit() ? low | c.get(PciConfigLayout.bar(index + 1), 4) << 32 : low;
    }

    /** The window BAR {@code index} decodes now; empty while decoding is off or the address conflicts. */
    public final Optional<MmioWindow> barWindow(int index) {
        return index >= 0 && index < decoded.length ? Optional.ofNullable(decoded[index]) : Optional.empty();
    }

    /** BAR placements that did not decode because the window would have overlapped something. */
    public final long barConflicts() {
        return barConflicts;
    }

    /** Brings every BAR's window in line with its address and Command.Memory Space. */
    private void updateDecoding() {
        boolean on = memorySpaceEnabled();
        for (int i = 0; i < bars.length; i++) {
            Bar b = bars[i];
            if (b == null) {
                continue;
            }
            long base = barAddress(i);
            MmioWindow now = decoded[i];
            if (now != null && on && now.base() == base) {
                continue;
            }
            if (now != null) {
                mmio.unmap(now);
                decoded[i] = null;
            }
            if (on) {
                String window = i == 0 ? name() : name() + "/BAR" + i;
                decoded[i] = mmio.tryMap(window, base, b.size(), handlers[i]).orElse(null);
                if (decoded[i] == null) {
                    barConflicts++;
                }
            }
        }
    }

    @Override
    protected final void commandWritten() {
        updateDecoding();
        port.busMasterEnabled(ignoresBusMasterEnable || busMasterEnabled());
    }

    private void msixControlWritten() {
        int control = (int) configSpace().get(msixCapability + MsixCapabilityLayout.MESSAGE_CONTROL, 2);
        msix.control((control & MsixCapabilityLayout.CONTROL_ENABLE) != 0, (control & MsixCapabilityLayout.CONTROL_FUNCTION_MASK) != 0);
    }

    // ---------------------------------------------------------------- reset

    /**
     * Conventional reset: configuration space to its reset values (BARs unassigned, decoding,
     * bus mastering, MSI and MSI-X off), MSI-X entries masked, then the device's own state.
     */
    @Override
    public final void reset() {
        resetConfig();
        if (msix != null) {
            msix.reset();
            msixControlWritten();
        }
        resetFunction();
    }

    /** Returns the device's own state (registers, engines) to power-on values. */
    protected abstract void resetFunction();

    /** Routes a BAR's accesses: the MSI-X table and PBA ranges to the table, the rest to the device. */
    private record MsixRouting(MmioHandler device, MsixTable table, long tableOffset, long pbaOffset) implements MmioHandler {
        @Override
        public long read(long offset, int size) {
            if (tableOffset >= 0 && offset >= tableOffset && offset < tableOffset + table.tableSize()) {
                return table.readTable(offset - tableOffset, size);
            }
            if (pbaOffset >= 0 && offset >= pbaOffset && offset < pbaOffset + table.pbaSize()) {
                return table.readPba(offset - pbaOffset, size);
            }
            return device.read(offset, size);
        }

        @Override
        public void write(long offset, int size, long value) {
            if (tableOffset >= 0 && offset >= tableOffset && offset < tableOffset + table.tableSize()) {
                table.writeTable(offset - tableOffset, size, value);
            } else if (pbaOffset >= 0 && offset >= pbaOffset && offset < pbaOffset + table.pbaSize()) {
                table.writePba(offset - pbaOffset, size, value);
            } else {
                device.write(offset, size, value);
            }
        }
    }
}
