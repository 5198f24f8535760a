package org.jdma.machine.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jdma.machine.cache.CpuCache;
import org.jdma.machine.irq.InterruptTargets;
import org.jdma.machine.memory.IoPortSpace;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.time.EventKernel;

/**
 * The machine's CPUs: {@code count} {@link MachineCpu}s with indices {@code 0..count-1} and local
 * APIC ids equal to their indices (CPU 0 is the boot CPU), sharing one memory, one I/O port space
 * and one {@link CpuCache}, and which CPU each Java thread runs as.
 *
 * <p>A thread runs as the boot CPU until it enters another with {@link #runOn}; entering nests and
 * leaving restores the CPU the thread ran as before. Every load, store and port access is executed
 * by the CPU the calling thread runs as ({@link #current()}), whichever {@link MachineCpu} object
 * the call goes through: code that kept a CPU object from boot still counts its accesses on the
 * CPU it runs on now, as a real instruction stream does.
 *
 * <p>Also the interrupt controller's {@link InterruptTargets}: a destination APIC id names a CPU,
 * and a handler runs as that CPU.
 */
public final class MachineCpus implements InterruptTargets {

    /**
     * The most CPUs a machine has: an xAPIC id and an MSI's destination field are 8 bits, and
     * 0xFF is the broadcast destination (Intel SDM Vol. 3A §11.6.2.1, §11.11.1), so ids are 0..254.
     */
    public static final int MAX_CPUS = 255;

    final PhysicalMemory memory;
    final IoPortSpace ioPorts;
    final CpuCache cache;
    final EventKernel kernel;
    final long mmioAccessNs;
    final long ioPortAccessNs;
    /** Null while the CPUs own the memory bus alone (see {@link MemoryBusGate}). */
    MemoryBusGate memoryBusGate;
    private final MachineCpu[] cpus;
    private List<MachineCpu> list;
    /** Null while the thread runs as the boot CPU it never left. */
    private final ThreadLocal<MachineCpu> current = new ThreadLocal<>();
    /**
     * Threads now inside {@link #runOn} (nested entries counted each): while none is, every thread
     * runs as the boot CPU and {@link #current} needs no thread-local lookup (every MMIO access
     * asks it).
     */
    private final AtomicInteger entered = new AtomicInteger();

    /**
     * @param count          CPUs, 1..{@link #MAX_CPUS}
     * @param mmioAccessNs   stall of an uncached MMIO read, ns
     * @param ioPortAccessNs stall of each port I/O read or write, ns ({@link MachineCpu#DEFAULT_IO_PORT_ACCESS_NS})
     */
    public MachineCpus(PhysicalMemory memory, IoPortSpace ioPorts, CpuCache cache, EventKernel kernel, int count,
                       long mmioAccessNs, long ioPortAccessNs) {
        requireCount(count);
        if (mmioAccessNs < 0 || ioPortAccessNs < 0) {
            throw new IllegalArgumentException("CPU stalls must not be negative: mmioAccessNs " + mmioAccessNs
                    + ", ioPortAccessNs " + ioPortAccessNs);
        }
        this.memory = Objects.requireNonNull(memory, "memory");
        this.ioPorts = Objects.requireNonNull(ioPorts, "ioPorts");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.mmioAccessNs = mmioAccessNs;
        this.ioPortAccessNs = ioPortAccessNs;
        this.cpus = new MachineCpu[count];
        List<MachineCpu> l = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            cpus[i] = new MachineCpu(this, i, i);
            l.add(cpus[i]);
        }
        this.list = List.copyOf(l);
    }

    /**
     * Installs {@code gate} (null: none) as the memory bus's other owner: CPU RAM accesses wait
     * on it. The ISA DMA arbiter installs itself only while it holds the bus.
     */
    public void memoryBusGate(MemoryBusGate gate) {
        this.memoryBusGate = gate;
    }

    /** A one-CPU machine's CPU made on its own ({@link MachineCpu}'s public constructor) takes the place of CPU 0. */
    void replaceOnlyCpu(MachineCpu cpu) {
        if (cpus.length != 1) {
            throw new IllegalStateException("only a one-CPU set takes a CPU made outside it");
        }
        cpus[0] = cpu;
        list = List.of(cpu);
    }

    /** Checks a CPU count: 1..{@link #MAX_CPUS}. */
    public static int requireCount(int count) {
        if (count < 1 || count > MAX_CPUS) {
            throw new IllegalArgumentException("a machine has 1.." + MAX_CPUS + " CPUs, not " + count);
        }
        return count;
    }

    /** Every CPU, by index. */
    public List<MachineCpu> all() {
        return list;
    }

    @Override
    public int count() {
        return cpus.length;
    }

    /** CPU {@code index}. */
    public MachineCpu get(int index) {
        return cpus[check(index)];
    }

    /** The boot CPU (index 0). */
    public MachineCpu boot() {
        return cpus[0];
    }

    /** The CPU the calling thread runs as: the boot CPU unless it entered another. */
    public MachineCpu current() {
        if (cpus.length == 1 || entered.get() == 0) {
            return cpus[0];
        }
        MachineCpu c = current.get();
        return c == null ? cpus[0] : c;
    }

    @Override
    public int apicId(int index) {
        return cpus[check(index)].apicId();
    }

    @Override
    public int indexOfApicId(int apicId) {
        // APIC ids are the indices; a table would replace this if they ever differ.
        return apicId >= 0 && apicId < cpus.length ? apicId : -1;
    }

    /**
     * Runs {@code code} on the calling thread as CPU {@code index}, then returns to the CPU the
     * thread ran as before (also when {@code code} throws).
     *
     * @throws IllegalArgumentException naming the index when there is no such CPU
     */
    @Override
    public void runOn(int index, Runnable code) {
        Objects.requireNonNull(code, "code");
        MachineCpu target = cpus[check(index)];
        entered.incrementAndGet();
        MachineCpu before = current.get();
        current.set(target);
        try {
            code.run();
        } finally {
            // Set, not removed when null: the thread keeps its entry, so the next entry allocates none.
            current.set(before);
            entered.decrementAndGet();
        }
    }

    /** {@link #runOn} for code with a result. */
    public <T> T callOn(int index, Supplier<T> code) {
        Objects.requireNonNull(code, "code");
        Object[] result = new Object[1];
        runOn(index, () -> result[0] = code.get());
        @SuppressWarnings("unchecked")
        T t = (T) result[0];
        return t;
    }

    private int check(int index) {
        if (index < 0 || index >= cpus.length) {
            throw new IllegalArgumentException("CPU " + index + " does not exist (CPUs 0.." + (cpus.length - 1) + ")");
        }
        return index;
    }

    /** Bus errors of every CPU (holes in the address space and unclaimed I/O ports). */
    public long busErrors() {
        long n = 0;
        for (MachineCpu c : cpus) {
            n += c.busErrors();
        }
        return n;
    }

    /** MMIO reads of every CPU. */
    public long mmioReads() {
        long n = 0;
        for (MachineCpu c : cpus) {
            n += c.mmioReads();
        }
        return n;
    }

    /** MMIO writes of every CPU. */
    public long mmioWrites() {
        long n = 0;
        for (MachineCpu c : cpus) {
            n += c.mmioWrites();
        }
        return n;
    }
}
