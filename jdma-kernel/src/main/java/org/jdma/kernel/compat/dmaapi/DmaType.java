package org.jdma.kernel.compat.dmaapi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.jdma.platform.Cpu;

/**
 * How values of {@code T} sit in DMA memory: their {@link MemoryLayout} (size and natural
 * alignment) and how to read and write one at a CPU address. Stands in for Rust's {@code T: Sized}
 * bound of the {@code dma-api} crate: the containers ({@link DArray}, {@link DBox}, {@link SArrayPtr}) take a
 * {@code DmaType<T>}.
 *
 * <p>The primitives are built in, little-endian as the machine's memory is. A record (a
 * descriptor, a status block) is described once with a layout and two mapping functions:
 *
 * <pre>{@code
 * record Desc(long addr, int len, int flags) { }
 * static final StructLayout DESC = MemoryLayout.structLayout(
 *         JAVA_LONG.withName("addr"), JAVA_INT.withName("len"), JAVA_INT.withName("flags"));
 * static final DmaType<Desc> DESC_TYPE = DmaType.of(DESC,
 *         s -> new Desc(s.get(JAVA_LONG, 0), s.get(JAVA_INT, 8), s.get(JAVA_INT, 12)),
 *         (s, d) -> { s.set(JAVA_LONG, 0, d.addr()); s.set(JAVA_INT, 8, d.len()); s.set(JAVA_INT, 12, d.flags()); });
 * }</pre>
 *
 * The mapping functions see a heap segment of exactly {@code layout.byteSize()} bytes, aligned to 8
 * and zeroed before a write, so a writer that skips padding leaves zeros there; they must not keep
 * it. Element layouts are aligned to at most 8 bytes; a container can still be aligned further.
 */
public final class DmaType<T> {

    /** One element access at a CPU address; CPU accesses go through the machine's cache. */
    private interface Access<T> {
        T read(Cpu cpu, long address);

        void write(Cpu cpu, long address, T value);
    }

    public static final DmaType<Byte> BYTE = new DmaType<>("byte", ValueLayout.JAVA_BYTE, new Access<>() {
        public Byte read(Cpu cpu, long a) { return (byte) cpu.read8(a); }
        public void write(Cpu cpu, long a, Byte v) { cpu.write8(a, v); }
    });
    public static final DmaType<Short> SHORT = new DmaType<>("short", ValueLayout.JAVA_SHORT, new Access<>() {
        public Short read(Cpu cpu, long a) { return (short) cpu.read16(a); }
        public void write(Cpu cpu, long a, Short v) { cpu.write16(a, v); }
    });
    public static final DmaType<Integer> INT = new DmaType<>("int", ValueLayout.JAVA_INT, new Access<>() {
        public Integer read(Cpu cpu, long a) { return cpu.read32(a); }
        public void write(Cpu cpu, long a, Integer v) { cpu.write32(a, v); }
    });
    public static final DmaType<Long> LONG = new DmaType<>("long", ValueLayout.JAVA_LONG, new Access<>() {
        public Long read(Cpu cpu, long a) { return cpu.read64(a); }
        public void write(Cpu cpu, long a, Long v) { cpu.write64(a, v); }
    });
    public static final DmaType<Float> FLOAT = new DmaType<>("float", ValueLayout.JAVA_FLOAT, new Access<>() {
        public Float read(Cpu cpu, long a) { return Float.intBitsToFloat(cpu.read32(a)); }
        public void write(Cpu cpu, long a, Float v) { cpu.write32(a, Float.floatToRawIntBits(v)); }
    });
    public static final DmaType<Double> DOUBLE = new DmaType<>("double", ValueLayout.JAVA_DOUBLE, new Access<>() {
        public Double read(Cpu cpu, long a) { return Double.longBitsToDouble(cpu.read64(a)); }
        public void write(Cpu cpu, long a, Double v) { cpu.write64(a, Double.doubleToRawLongBits(v)); }
    });

    private final String name;
    private final MemoryLayout layout;
    private final Access<T> access;

    private DmaType(String name, MemoryLayout layout, Access<T> access) {
        this.name = name;
        this.layout = layout;
        this.access = access;
    }

    /**
     * A user type described by {@code layout} (usually a {@link StructLayout}).
     *
     * @param reader builds a value from a segment holding one element's bytes
     * @param writer stores a value's fields into a zeroed segment of one element's bytes
     * @throws IllegalArgumentException when the layout has no bytes, or its size is not a multiple
     *         of its alignment (array elements would then be misaligned: add trailing padding)
     */
    public static <T> DmaType<T> of(MemoryLayout layout, Function<MemorySegment, T> reader, BiConsumer<MemorySegment, T> writer) {
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(reader, "reader");
        Objects.requireNonNull(writer, "writer");
        long size = layout.byteSize();
        if (size == 0) {
            throw new IllegalArgumentException("layout " + layout + " has no bytes; a DMA element must have some");
        }
        if (size % layout.byteAlignment() != 0) {
            throw new IllegalArgumentException(String.format(
                    "layout %s is %d bytes, not a multiple of its alignment %d: add trailing padding so array elements stay aligned",
                    layout, size, layout.byteAlignment()));
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("layout " + layout + " is larger than 2 GiB");
        }
        if (layout.byteAlignment() > Long.BYTES) {
            throw new IllegalArgumentException("layout " + layout + " is aligned to " + layout.byteAlignment()
                    + " bytes; element layouts may be aligned to at most 8 (ask the container for more alignment instead)");
        }
        String name = layout.name().orElse(layout.toString());
        return new DmaType<>(name, layout, new Access<>() {
            @Override
            public T read(Cpu cpu, long address) {
                MemorySegment s = scratch(layout);
                cpu.read(address, s, 0, size);
                return Objects.requireNonNull(reader.apply(s), () -> "reader of " + name + " returned null");
            }

            @Override
            public void write(Cpu cpu, long address, T value) {
                MemorySegment s = scratch(layout);
                writer.accept(s, value);
                cpu.write(address, s, 0, size);
            }
        });
    }

    /**
     * A zeroed heap segment for one element, backed by a long[] so that aligned accesses (a
     * {@code JAVA_LONG} at offset 0) are allowed: a byte[] segment is only 1-byte aligned.
     */
    private static MemorySegment scratch(MemoryLayout layout) {
        long size = layout.byteSize();
        return MemorySegment.ofArray(new long[(int) ((size + Long.BYTES - 1) / Long.BYTES)]).asSlice(0, size);
    }

    public MemoryLayout layout() {
        return layout;
    }

    /** Bytes per element (the array stride). */
    public long byteSize() {
        return layout.byteSize();
    }

    /** Natural alignment of an element. */
    public long alignment() {
        return layout.byteAlignment();
    }

    T read(Cpu cpu, long address) {
        return access.read(cpu, address);
    }

    void write(Cpu cpu, long address, T value) {
        access.write(cpu, address, Objects.requireNonNull(value, "value"));
    }

    @Override
    public String toString() {
        return name;
    }
}
