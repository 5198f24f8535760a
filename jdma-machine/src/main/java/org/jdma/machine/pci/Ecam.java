package org.jdma.machine.pci;

import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.mmio.MmioHandler;
import org.jdma.spec.pci.EcamLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * The memory-mapped configuration window of one PCI segment (ECAM, PCI Express Base Specification
 * 4.0 §7.2.2; layout in {@link EcamLayout}): bus:device.function and register come from the
 * offset; the access goes to that function's {@link PciFunction#configRead}/{@link PciFunction#configWrite}.
 *
 * <p>A function that is not there answers as real hardware does when a configuration request
 * ends in an Unsupported Request: a read returns all ones (so Vendor ID reads 0xFFFF, which
 * enumeration takes as "no function"), a write is dropped. Accesses ECAM does not define (8 bytes,
 * or not naturally aligned) read all ones and are dropped on write, and are counted in
 * {@link #unsupportedAccesses()}. Nothing throws.
 *
 * <p>Offsets are from the window's base, which is the address of bus 0 (as the MCFG table states
 * it); the window covers buses [0, endBus].
 */
public final class Ecam implements MmioHandler {

    private static final int FUNCTIONS_PER_BUS = 256;

    private final int segment;
    private final int endBus;
    private final PciFunction[] functions;
    private long unsupportedAccesses;
    private long absentAccesses;

    /**
     * @param segment the PCI segment group the window serves
     * @param endBus  the last bus it covers, 0..255
     */
    public Ecam(int segment, int endBus) {
        if (endBus < 0 || endBus > EcamLayout.BUS_MASK) {
            throw new IllegalArgumentException("ECAM end bus must be 0..ff, was " + endBus);
        }
        this.segment = segment;
        this.endBus = endBus;
        this.functions = new PciFunction[(endBus + 1) * FUNCTIONS_PER_BUS];
    }

    public int segment() {
        return segment;
    }

    public int endBus() {
        return endBus;
    }

    /** Bytes of address space the window takes: 1 MiB per bus. */
    public long size() {
        return EcamLayout.regionEnd(endBus);
    }

    /**
     * Makes {@code f} answer at its requester id.
     *
     * @throws IllegalArgumentException when it is in another segment, on a bus beyond the window,
     *                                  or where another function already answers
     */
    public void add(PciFunction f) {
        RequesterId r = f.requester();
        if (r.segment() != segment) {
            throw new IllegalArgumentException(String.format("%s at %s: this machine's ECAM covers segment %04x only",
                    f.name(), r, segment));
        }
        if (r.bus() > endBus) {
            throw new IllegalArgumentException(String.format("%s at %s: bus %02x is beyond the ECAM window's buses 00-%02x",
                    f.name(), r, r.bus(), endBus));
        }
        int i = index(r.bus(), r.device(), r.function());
        if (functions[i] != null) {
            throw new IllegalArgumentException(functions[i].name() + " and " + f.name() + " both sit at " + r);
        }
        functions[i] = f;
    }

    /** The function at {@code r}, or null. */
    public PciFunction at(RequesterId r) {
        if (r.segment() != segment || r.bus() > endBus) {
            return null;
        }
        return functions[index(r.bus(), r.device(), r.function())];
    }

    /** Every function, by requester id. */
    public List<PciFunction> functions() {
        List<PciFunction> l = new ArrayList<>();
        for (PciFunction f : functions) {
            if (f != null) {
                l.add(f);
            }
        }
        return List.copyOf(l);
    }

    /** Accesses of a size or alignment ECAM does not define. */
    public long unsupportedAccesses() {
        return unsupportedAccesses;
    }

    /** Accesses to functions that are not there (reads answered with all ones, writes dropped). */
    public long absentAccesses() {
        return absentAccesses;
    }

    private static int index(int bus, int device, int function) {
        return bus * FUNCTIONS_PER_BUS + (device << 3 | function);
    }

    private PciFunction target(long offset, int size) {
        if (size < 1 || size > EcamLayout.MAX_ACCESS_SIZE || Integer.bitCount(size) != 1 || offset < 0
                || offset % size != 0 || offset >= size()) {
            unsupportedAccesses++;
            return null;
        }
        PciFunction f = functions[index(EcamLayout.bus(offset), EcamLayout.device(offset), EcamLayout.function(offset))];
        if (f == null) {
            absentAccesses++;
        }
        return f;
    }

    @Override
    public long read(long offset, int size) {
        PciFunction f = target(offset, size);
        if (f == null) {
            return size >= 8 ? -1L : (1L << (8 * size)) - 1;
        }
        return f.configRead(EcamLayout.register(offset), size);
    }

    @Override
    public void write(long offset, int size, long value) {
        PciFunction f = target(offset, size);
        if (f != null) {
            f.configWrite(EcamLayout.register(offset), size, value);
        }
    }
}
