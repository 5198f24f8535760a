package org.jdma.kernel.pci;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdma.spec.pci.PciConfigLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * One PCI function as the kernel found it (Linux {@code struct pci_dev}): its identity read from
 * the configuration header, its BARs (address as firmware left it, size from the sizing protocol),
 * its capability list, and for a bridge the buses below it. Configuration reads and writes after
 * enumeration go through {@link #read32} and friends.
 *
 * <p>Probing ({@link #probe}) follows Linux's {@code pci_setup_device} and {@code __pci_read_base}:
 * BARs are sized with memory and I/O decoding turned off around it (so a BAR briefly holding all
 * ones decodes nowhere), then the original values and Command are written back. The capability
 * walk stops at a pointer outside 0x40..0xff, at a pointer seen before, or after 48 entries
 * (Linux {@code PCI_FIND_CAP_TTL}), and records why in {@link #problems()}.
 */
public final class PciDevice {

    /** Most capabilities a walk follows before it decides the list loops (Linux PCI_FIND_CAP_TTL). */
    static final int MAX_CAPABILITIES = 48;

    private final ConfigAccess config;
    private final RequesterId requester;
    private final int vendorId;
    private final int deviceId;
    private final int revision;
    private final int classCode;
    private final int headerType;
    private final boolean multiFunction;
    private final int secondaryBus;
    private final int subordinateBus;
    private final List<PciBar> bars;
    private final List<PciCapability> capabilities;
    private final List<String> problems;

    private PciDevice(ConfigAccess config, RequesterId requester, int idWord, int classWord, int headerByte,
                      List<PciBar> bars, List<PciCapability> capabilities, List<String> problems) {
        this.config = config;
        this.requester = requester;
        this.vendorId = idWord & 0xFFFF;
        this.deviceId = idWord >>> 16;
        this.revision = classWord & 0xFF;
        this.classCode = classWord >>> 8;
        this.headerType = headerByte & PciConfigLayout.HEADER_TYPE_LAYOUT_MASK;
        this.multiFunction = (headerByte & PciConfigLayout.HEADER_TYPE_MULTI_FUNCTION) != 0;
        boolean bridge = headerType == PciConfigLayout.HEADER_TYPE_BRIDGE;
        this.secondaryBus = bridge ? config.read8(requester, PciConfigLayout.SECONDARY_BUS) : 0;
        this.subordinateBus = bridge ? config.read8(requester, PciConfigLayout.SUBORDINATE_BUS) : 0;
        this.bars = List.copyOf(bars);
        this.capabilities = List.copyOf(capabilities);
        this.problems = List.copyOf(problems);
    }

    /**
     * Reads the header of the function at {@code requester}, sizes its BARs and walks its
     * capabilities. Returns empty when no function answers there (Vendor ID all ones).
     */
    static Optional<PciDevice> probe(ConfigAccess config, RequesterId requester) {
        int idWord = config.read32(requester, PciConfigLayout.VENDOR_ID);
        int vendor = idWord & 0xFFFF;
        if (vendor == PciConfigLayout.VENDOR_ID_ABSENT || vendor == 0) {
            return Optional.empty();
        }
        int classWord = config.read32(requester, PciConfigLayout.REVISION_ID);
        int headerByte = config.read8(requester, PciConfigLayout.HEADER_TYPE);
        int layout = headerByte & PciConfigLayout.HEADER_TYPE_LAYOUT_MASK;
        List<String> problems = new ArrayList<>();
        int barCount = switch (layout) {
            case PciConfigLayout.HEADER_TYPE_ENDPOINT -> PciConfigLayout.BAR_COUNT_TYPE0;
            case PciConfigLayout.HEADER_TYPE_BRIDGE -> PciConfigLayout.BAR_COUNT_TYPE1;
            default -> {
                problems.add(String.format("%s: header type %#x is neither 0 nor 1; its BARs are not read", requester, layout));
                yield 0;
            }
        };
        List<PciBar> bars = sizeBars(config, requester, barCount);
        List<PciCapability> caps = walkCapabilities(config, requester, problems);
        return Optional.of(new PciDevice(config, requester, idWord, classWord, headerByte, bars, caps, problems));
    }

    /** Sizes every BAR with decoding off, then restores BARs and Command. */
    private static List<PciBar> sizeBars(ConfigAccess config, RequesterId r, int count) {
        List<PciBar> bars = new ArrayList<>();
        if (count == 0) {
            return bars;
        }
        int command = config.read16(r, PciConfigLayout.COMMAND);
        int decode = PciConfigLayout.COMMAND_IO_SPACE | PciConfigLayout.COMMAND_MEMORY_SPACE;
        if ((command & decode) != 0) {
            config.write16(r, PciConfigLayout.COMMAND, command & ~decode);
        }
        for (int i = 0; i < count; i++) {
            int at = PciConfigLayout.bar(i);
            int original = config.read32(r, at);
            config.write32(r, at, -1);
            int mask = config.read32(r, at);
            config.write32(r, at, original);
            if (mask == 0) {
                continue; // no BAR here: an unimplemented BAR reads 0 after all ones (PCI 3.0 §6.2.5.1)
            }
            if ((original & PciConfigLayout.BAR_IO) != 0) {
                long size = (~(mask & ~PciConfigLayout.BAR_IO_FLAGS_MASK) + 1) & 0xFFFF_FFFFL;
                bars.add(new PciBar(i, original & ~PciConfigLayout.BAR_IO_FLAGS_MASK & 0xFFFF_FFFFL, size, true, false, false));
                continue;
            }
            boolean is64 = (original & PciConfigLayout.BAR_MEMORY_TYPE_MASK) == PciConfigLayout.BAR_MEMORY_TYPE_64 && i + 1 < count;
            long base = original & ~PciConfigLayout.BAR_MEMORY_FLAGS_MASK & 0xFFFF_FFFFL;
            long sizeMask = mask & ~PciConfigLayout.BAR_MEMORY_FLAGS_MASK & 0xFFFF_FFFFL;
            if (is64) {
                int upper = config.read32(r, at + 4);
                config.write32(r, at + 4, -1);
                long upperMask = config.read32(r, at + 4) & 0xFFFF_FFFFL;
                config.write32(r, at + 4, upper);
                base |= (upper & 0xFFFF_FFFFL) << 32;
                sizeMask |= upperMask << 32;
            } else {
                sizeMask |= 0xFFFF_FFFF_0000_0000L;
            }
            bars.add(new PciBar(i, base, -sizeMask, false, is64, (original & PciConfigLayout.BAR_PREFETCHABLE) != 0));
            if (is64) {
                i++;
            }
        }
        if ((command & decode) != 0) {
            config.write16(r, PciConfigLayout.COMMAND, command);
        }
        return bars;
    }

    private static List<PciCapability> walkCapabilities(ConfigAccess config, RequesterId r, List<String> problems) {
        List<PciCapability> caps = new ArrayList<>();
        if ((config.read16(r, PciConfigLayout.STATUS) & PciConfigLayout.STATUS_CAPABILITIES_LIST) == 0) {
            return caps;
        }
        Set<Integer> seen = new HashSet<>();
        int at = config.read8(r, PciConfigLayout.CAPABILITIES_POINTER) & PciConfigLayout.CAPABILITIES_POINTER_MASK;
        while (at != 0) {
            if (at < PciConfigLayout.FIRST_CAPABILITY || at >= PciConfigLayout.LEGACY_CONFIG_SPACE_SIZE) {
                problems.add(String.format("%s: capability pointer %#x is outside 0x40..0xff; the walk stops", r, at));
                break;
            }
            if (!seen.add(at) || caps.size() == MAX_CAPABILITIES) {
                problems.add(String.format("%s: the capability list loops back to %#x; the walk stops after %d entries",
                        r, at, caps.size()));
                break;
            }
            int header = config.read16(r, at);
            caps.add(new PciCapability(header & 0xFF, at));
            at = (header >>> 8) & PciConfigLayout.CAPABILITIES_POINTER_MASK;
        }
        return caps;
    }

    public RequesterId requester() { return requester; }
    public int vendorId() { return vendorId; }
    public int deviceId() { return deviceId; }
    public int revision() { return revision; }
    /** Class code: base class, subclass, programming interface. */
    public int classCode() { return classCode; }
    /** Header layout: 0 endpoint, 1 PCI-to-PCI bridge. */
    public int headerType() { return headerType; }
    public boolean multiFunction() { return multiFunction; }
    public boolean isBridge() { return headerType == PciConfigLayout.HEADER_TYPE_BRIDGE; }
    /** For a bridge, the bus directly below it; 0 otherwise. */
    public int secondaryBus() { return secondaryBus; }
    /** For a bridge, the highest bus below it; 0 otherwise. */
    public int subordinateBus() { return subordinateBus; }
    public List<PciBar> bars() { return bars; }
    public List<PciCapability> capabilities() { return capabilities; }
    /** What was odd about the function when it was probed (a looping capability list, ...). */
    public List<String> problems() { return problems; }

    /** Whether the function has {@code vendor}:{@code device} ids. */
    public boolean is(int vendor, int device) {
        return vendorId == vendor && deviceId == device;
    }

    public Optional<PciBar> bar(int index) {
        return bars.stream().filter(b -> b.index() == index).findFirst();
    }

    /** Offset of the first capability with {@code id}. */
    public Optional<Integer> capability(int id) {
        return capabilities.stream().filter(c -> c.id() == id).map(PciCapability::offset).findFirst();
    }

    public int read8(int register) { return config.read8(requester, register); }
    public int read16(int register) { return config.read16(requester, register); }
    public int read32(int register) { return config.read32(requester, register); }
    public void write8(int register, int value) { config.write8(requester, register, value); }
    public void write16(int register, int value) { config.write16(requester, register, value); }
    public void write32(int register, int value) { config.write32(requester, register, value); }

    public int command() {
        return read16(PciConfigLayout.COMMAND);
    }

    /** Sets Command.Memory Space Enable: the function's memory BARs decode (Linux pci_enable_device). */
    public void enableMemorySpace() {
        setCommand(PciConfigLayout.COMMAND_MEMORY_SPACE, true);
    }

    /** Sets Command.Bus Master Enable: the function may issue DMA and MSIs (Linux pci_set_master). */
    public void enableBusMaster() {
        setCommand(PciConfigLayout.COMMAND_BUS_MASTER, true);
    }

    /** Clears Command.Bus Master Enable (Linux pci_clear_master). */
    public void disableBusMaster() {
        setCommand(PciConfigLayout.COMMAND_BUS_MASTER, false);
    }

    private void setCommand(int bit, boolean on) {
        int c = command();
        int next = on ? c | bit : c & ~bit;
        if (next != c) {
            write16(PciConfigLayout.COMMAND, next);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PciDevice d && d.requester.equals(requester) && d.config == config;
    }

    @Override
    public int hashCode() {
        return Objects.hash(requester);
    }

    @Override
    public String toString() {
        return String.format("%s %04x:%04x class %06x%s", requester, vendorId, deviceId, classCode,
                isBridge() ? String.format(" bridge to buses %02x-%02x", secondaryBus, subordinateBus) : "");
    }
}
