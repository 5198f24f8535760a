package org.jdma.machine.firmware.acpi;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import org.jdma.spec.acpi.McfgLayout;

/**
 * Writes an MCFG table (PCI Firmware Specification 3.2 §4.1.2; layout in {@link McfgLayout}): the
 * ACPI header with Signature "MCFG" and Revision 1, 8 reserved zero bytes, then one allocation
 * structure per ECAM region, reserved bytes zero, and the checksum that makes the table's bytes
 * sum to zero (ACPI 6.5 §5.2.6). It is how an OS learns where configuration space is.
 *
 * <p>Rejects, naming the allocation (its index, from 0) and the field: no allocation; a segment
 * above 0xffff; a bus above 0xff or a start bus above the end bus; a base address that is not
 * 1 MiB aligned or whose region (from bus 0 up to the end bus) wraps past 2^64; two allocations
 * for overlapping buses of one segment.
 */
public final class McfgTableBuilder {

    private McfgTableBuilder() { }

    /**
     * One ECAM region.
     *
     * @param baseAddress the address of bus 0's configuration space in the region
     * @param segment     PCI segment group, u16
     * @param startBus    first bus decoded, u8
     * @param endBus      last bus decoded, u8
     */
    public record Allocation(long baseAddress, int segment, int startBus, int endBus) { }

    private static final long MIB = 1L << 20;

    /** The machine firmware's MCFG for {@code allocations}, with the ids the DMAR also carries. */
    public static byte[] build(AcpiTableIds ids, List<Allocation> allocations) {
        Objects.requireNonNull(ids, "ids");
        check(allocations);
        int length = McfgLayout.length(allocations.size());
        ByteBuffer t = AcpiTableWriter.start(McfgLayout.SIGNATURE, length, ids);
        for (int i = 0; i < allocations.size(); i++) {
            Allocation a = allocations.get(i);
            int at = McfgLayout.ALLOCATIONS + i * McfgLayout.ALLOCATION_SIZE;
            t.putLong(at + McfgLayout.BASE_ADDRESS, a.baseAddress());
            t.putShort(at + McfgLayout.SEGMENT, (short) a.segment());
            t.put(at + McfgLayout.START_BUS, (byte) a.startBus());
            t.put(at + McfgLayout.END_BUS, (byte) a.endBus());
        }
        return AcpiTableWriter.finish(t);
    }

    private static void check(List<Allocation> allocations) {
        if (allocations.isEmpty()) {
            throw new IllegalArgumentException("MCFG: at least one allocation structure is needed");
        }
        for (int i = 0; i < allocations.size(); i++) {
            Allocation a = allocations.get(i);
            if (a.segment() < 0 || a.segment() > 0xFFFF) {
                throw fail(i, "PCI Segment Group", "%#x is not a u16", a.segment());
            }
            if (a.startBus() < 0 || a.startBus() > 0xFF || a.endBus() < 0 || a.endBus() > 0xFF || a.startBus() > a.endBus()) {
                throw fail(i, "Start/End Bus Number", "%#x..%#x: need 0 <= start <= end <= 0xff", a.startBus(), a.endBus());
            }
            long end = a.baseAddress() + ((long) (a.endBus() + 1) << 20);
            if (a.baseAddress() % MIB != 0 || Long.compareUnsigned(end, a.baseAddress()) <= 0 && end != 0) {
                throw fail(i, "Base Address", "%#x must be 1 MiB aligned and its buses must not wrap past 2^64", a.baseAddress());
            }
            for (int j = 0; j < i; j++) {
                Allocation b = allocations.get(j);
                if (b.segment() == a.segment() && a.startBus() <= b.endBus() && b.startBus() <= a.endBus()) {
                    throw fail(i, "Start/End Bus Number", "buses %02x-%02x of segment %04x are also in allocation %d",
                            a.startBus(), a.endBus(), a.segment(), j);
                }
            }
        }
    }

    private static IllegalArgumentException fail(int index, String field, String format, Object... args) {
        return new IllegalArgumentException(String.format("MCFG allocation %d, %s: %s", index, field, String.format(format, args)));
    }
}
