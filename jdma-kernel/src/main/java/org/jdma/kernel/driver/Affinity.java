package org.jdma.kernel.driver;

import java.util.Arrays;

/**
 * Which CPU each of a device's interrupt vectors goes to when the kernel allocates them (Linux
 * {@code pci_alloc_irq_vectors_affinity} and {@code struct irq_affinity}). Vector {@code i}'s MSI-X
 * entry (or its MSI capability) is programmed with that CPU's APIC id as the destination, and its
 * handler runs as that CPU. CPUs are indices of {@code Platform.cpus()}.
 */
public sealed interface Affinity {

    /** Every vector on the boot CPU (CPU 0): what {@code allocateVectors(count)} gives. */
    static Affinity bootCpu() {
        return new BootCpu();
    }

    /**
     * The vectors spread evenly over the platform's CPUs, in order (Linux {@code PCI_IRQ_AFFINITY}):
     * vector {@code i} of {@code count} goes to CPU {@code i * cpus / count}. With as many vectors
     * as CPUs that is one vector per CPU; with fewer, each vector takes the first CPU of an even
     * share; with more, neighbouring vectors share a CPU.
     */
    static Affinity spreadOverCpus() {
        return new Spread();
    }

    /** Vector {@code i} on CPU {@code cpus[i]}; as many CPUs as vectors are asked for. */
    static Affinity cpus(int... cpus) {
        return new Fixed(cpus.clone());
    }

    /** The CPU of vector {@code index} of {@code count}, on a platform with {@code cpuCount} CPUs. */
    int cpuFor(int index, int count, int cpuCount);

    /** See {@link Affinity#bootCpu()}. */
    record BootCpu() implements Affinity {
        @Override
        public int cpuFor(int index, int count, int cpuCount) {
            return 0;
        }
    }

    /** See {@link Affinity#spreadOverCpus()}. */
    record Spread() implements Affinity {
        @Override
        public int cpuFor(int index, int count, int cpuCount) {
            return (int) ((long) index * cpuCount / count);
        }
    }

    /** See {@link Affinity#cpus(int...)}. */
    record Fixed(int[] cpus) implements Affinity {
        @Override
        public int[] cpus() {
            return cpus.clone();
        }

        @Override
        public int cpuFor(int index, int count, int cpuCount) {
            if (cpus.length != count) {
                throw new IllegalArgumentException(String.format("%d CPUs %s given for %d vectors", cpus.length,
                        Arrays.toString(cpus), count));
            }
            int cpu = cpus[index];
            if (cpu < 0 || cpu >= cpuCount) {
                throw new IllegalArgumentException(String.format("vector %d: CPU %d does not exist (CPUs 0..%d)", index, cpu, cpuCount - 1));
            }
            return cpu;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Fixed f && Arrays.equals(cpus, f.cpus);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(cpus);
        }

        @Override
        public String toString() {
            return "Fixed" + Arrays.toString(cpus);
        }
    }
}
