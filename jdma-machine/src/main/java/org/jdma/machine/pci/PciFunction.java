package org.jdma.machine.pci;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jdma.spec.pci.PciConfigLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * One PCI function as configuration cycles see it: its requester id and its 4 KiB
 * {@link ConfigSpace}, with the header every function has (PCI Local Bus Specification 3.0
 * §6.2.1-§6.2.4) and the capability list (§6.7). Endpoints ({@link PciEndpoint}, header type 0)
 * and bridges ({@link PciBridge}, header type 1) add their own header fields.
 *
 * <p>Access kinds of the common header, as modelled (a PCI Express function, PCIe Base 4.0 §7.5.1):
 * <pre>
 * Vendor ID, Device ID, Revision ID, Class Code, Header Type, BIST,
 * Capabilities Pointer, Interrupt Pin                      RO
 * Command                                                  RW for the bits the function implements
 *                                                          (its subclass says which), RO 0 otherwise
 * Status                                                   Capabilities List RO; error bits RW1C; rest RO 0
 * Cache Line Size, Interrupt Line                          RW (storage for software, no effect)
 * Latency Timer                                            RO 0 (PCIe)
 * </pre>
 *
 * <p>{@link #configRead} and {@link #configWrite} are what the ECAM window calls; they never
 * throw, whatever software writes. A write runs the hooks of the fields it touched (Command,
 * BARs, capability registers) after it is applied.
 */
public abstract class PciFunction {

    /** A reaction to a software write of configuration bytes [offset, offset + length). */
    private record WriteHook(int offset, int length, Runnable action) { }

    private final String name;
    private final RequesterId requester;
    private final ConfigSpace config = new ConfigSpace();
    private final List<WriteHook> hooks = new ArrayList<>();
    private final List<Integer> capabilities = new ArrayList<>();
    private int nextCapability = PciConfigLayout.FIRST_CAPABILITY;
    private long configReads;
    private long configWrites;

    PciFunction(String name, RequesterId requester, PciIds ids, int headerType, int commandWritable) {
        this.name = Objects.requireNonNull(name, "name");
        this.requester = Objects.requireNonNull(requester, "requester");
        config.readOnly(PciConfigLayout.VENDOR_ID, 2, ids.vendorId());
        config.readOnly(PciConfigLayout.DEVICE_ID, 2, ids.deviceId());
        config.readWrite(PciConfigLayout.COMMAND, 2, 0, commandWritable);
        config.readOnly(PciConfigLayout.STATUS, 2, 0);
        config.writeOneToClear(PciConfigLayout.STATUS, 2, PciConfigLayout.STATUS_ERROR_BITS);
        config.readOnly(PciConfigLayout.REVISION_ID, 1, ids.revision());
        config.readOnly(PciConfigLayout.CLASS_CODE, PciConfigLayout.CLASS_CODE_SIZE, ids.classCode());
        config.readWrite(PciConfigLayout.CACHE_LINE_SIZE, 1, 0, 0xFF);
        config.readOnly(PciConfigLayout.HEADER_TYPE, 1, headerType);
        config.readWrite(PciConfigLayout.INTERRUPT_LINE, 1, 0, 0xFF);
        onWrite(PciConfigLayout.COMMAND, 2, this::commandWritten);
    }

    public final String name() {
        return name;
    }

    public final RequesterId requester() {
        return requester;
    }

    public final int vendorId() {
        return (int) config.get(PciConfigLayout.VENDOR_ID, 2);
    }

    public final int deviceId() {
        return (int) config.get(PciConfigLayout.DEVICE_ID, 2);
    }

    public final int classCode() {
        return (int) config.get(PciConfigLayout.CLASS_CODE, PciConfigLayout.CLASS_CODE_SIZE);
    }

    public final int headerType() {
        return (int) config.get(PciConfigLayout.HEADER_TYPE, 1) & PciConfigLayout.HEADER_TYPE_LAYOUT_MASK;
    }

    public final boolean isBridge() {
        return headerType() == PciConfigLayout.HEADER_TYPE_BRIDGE;
    }

    public final int command() {
        return (int) config.get(PciConfigLayout.COMMAND, 2);
    }

    public final int status() {
        return (int) config.get(PciConfigLayout.STATUS, 2);
    }

    public final boolean memorySpaceEnabled() {
        return (command() & PciConfigLayout.COMMAND_MEMORY_SPACE) != 0;
    }

    public final boolean busMasterEnabled() {
        return (command() & PciConfigLayout.COMMAND_BUS_MASTER) != 0;
    }

    /** Configuration reads and writes this function has answered (for reports). */
    public final long configReads() {
        return configReads;
    }

    public final long configWrites() {
        return configWrites;
    }

    /** Offsets of the capabilities, in list order. */
    public final List<Integer> capabilityOffsets() {
        return List.copyOf(capabilities);
    }

    /**
     * A configuration read of {@code size} (1, 2 or 4) bytes at {@code offset}, naturally aligned
     * inside the 4 KiB; anything else reads all ones (the ECAM window filters such accesses first).
     */
    public final long configRead(int offset, int size) {
        if (!validAccess(offset, size)) {
            return size >= 8 ? -1L : (1L << (8 * size)) - 1;
        }
        configReads++;
        return config.read(offset, size);
    }

    /** A configuration write; an access {@link #configRead} would refuse is dropped. */
    public final void configWrite(int offset, int size, long value) {
        if (!validAccess(offset, size)) {
            return;
        }
        configWrites++;
        config.write(offset, size, value);
        for (WriteHook h : hooks) {
            if (offset < h.offset() + h.length() && h.offset() < offset + size) {
                h.action().run();
            }
        }
    }

    private static boolean validAccess(int offset, int size) {
        return (size == 1 || size == 2 || size == 4) && offset >= 0 && offset % size == 0
                && offset + size <= org.jdma.spec.pci.PciConfigLayout.CONFIG_SPACE_SIZE;
    }

    /** The configuration space, for the function's own field declarations and updates. */
    protected final ConfigSpace configSpace() {
        return config;
    }

    /** Runs {@code action} after every software write that touches [offset, offset + length). */
    protected final void onWrite(int offset, int length, Runnable action) {
        hooks.add(new WriteHook(offset, length, action));
    }

    /**
     * Reserves {@code size} bytes for a capability with id {@code id}, links it at the end of the
     * list (Capabilities Pointer or the previous capability's Next pointer) and sets
     * Status.Capabilities List. Returns its offset.
     *
     * @throws IllegalStateException when the capability does not fit below 0x100 (§6.7)
     */
    protected final int addCapability(int id, int size) {
        int at = nextCapability;
        if (at + size > PciConfigLayout.LEGACY_CONFIG_SPACE_SIZE) {
            throw new IllegalStateException(String.format("%s: capability %#04x of %d bytes does not fit at %#x (the list ends at 0xff)",
                    name, id, size, at));
        }
        config.readOnly(at + PciConfigLayout.CAP_ID, 1, id);
        config.readOnly(at + PciConfigLayout.CAP_NEXT, 1, 0);
        if (capabilities.isEmpty()) {
            config.readOnly(PciConfigLayout.CAPABILITIES_POINTER, 1, at);
            config.redeclareValue(PciConfigLayout.STATUS, 2,
                    config.resetValue(PciConfigLayout.STATUS, 2) | PciConfigLayout.STATUS_CAPABILITIES_LIST);
        } else {
            config.readOnly(capabilities.getLast() + PciConfigLayout.CAP_NEXT, 1, at);
        }
        capabilities.add(at);
        nextCapability = (at + size + 3) & ~3;
        return at;
    }

    /** Sets the Multi-Function bit of Header Type (function 0 of a device with more functions). */
    final void multiFunction(boolean on) {
        long type = config.resetValue(PciConfigLayout.HEADER_TYPE, 1) & PciConfigLayout.HEADER_TYPE_LAYOUT_MASK;
        config.redeclareValue(PciConfigLayout.HEADER_TYPE, 1, on ? type | PciConfigLayout.HEADER_TYPE_MULTI_FUNCTION : type);
    }

    /**
     * Records an error the function saw, in Status (for example Received Master Abort when a
     * request of its own ended in an Unsupported Request); software clears it by writing 1.
     */
    protected final void signalStatus(int statusBits) {
        config.setBits(PciConfigLayout.STATUS, 2, statusBits & PciConfigLayout.STATUS_ERROR_BITS);
    }

    /** Conventional reset of the configuration space: every field back to its reset value. */
    protected void resetConfig() {
        config.reset();
        commandWritten();
    }

    /** Runs after a write of Command (and after reset); subclasses apply decode and bus-master changes. */
    protected void commandWritten() {
    }

    @Override
    public String toString() {
        return String.format("%s %s %04x:%04x", requester, name, vendorId(), deviceId());
    }
}
