package org.jdma.cli;

import org.jdma.machine.dev.memcpy.CopyEngine;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.jdma.cli.trace.TraceDigestOption;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.driver.InterruptAssignment;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.drivers.memcpy.CompletedDescriptor;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.StreamingMapping;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.iommu.vtd.VtdDomain;
import org.jdma.kernel.mm.FrameStats;
import org.jdma.kernel.mm.Zone;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.cpu.MachineCpu;
import org.jdma.machine.iommu.vtd.VtdUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import org.jdma.kernel.mm.DmaMemory;

/**
 * {@code jdma tour}: what exists, shown on the default machine. Builds the machine, boots the
 * kernel side on it with the IOMMU on (strict), and pushes a few descriptors through the copy
 * engine's ring, through its DMA domain — some of them deliberately bad — printing what the OS sees
 * at each step, the IOMMU's fault records included. The bytes are moved by code running on CPU 1
 * while the engine's completion vector is sent to CPU 2, and the totals show what each CPU did;
 * before them, two engines copy at once on channels from the kernel's DMA channel allocator
 * ({@link TourEngines}).
 */
@Command(name = "tour", mixinStandardHelpOptions = true, description = "A short tour of the default machine (what `jdma` runs).")
public final class TourCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the machine's random source. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Mixin
    TraceDigestOption traceDigest = new TraceDigestOption();

    PrintWriter out;

    @Override
    public Integer call() {
        if (out == null) {
            out = spec.commandLine().getOut();
        }
        try (Machine machine = traceDigest.watch(new Machine(MachineConfig.defaults().withSeed(seed)))) {
            out.printf("jdma: a tour of the default machine (seed %d)%n%n", seed);
            out.println("== 1. The machine, as an OS discovers it");
            MachineSummary.print(machine, out);
            IommuSummary.print(machine, out);

            out.println();
            out.println("== 2. The kernel boots, with the IOMMU on (strict: every unmap is invalidated before it returns)");
            Tour tour = new Tour(machine, Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT)));
            tour.boot();
            tour.onSubmitCpu(tour::moveBytes);
            tour.onSubmitCpu(tour::driverBugs);
            tour.onSubmitCpu(tour::batch);
            TourEngines.show(out, seed, traceDigest);
            tour.totals();
            tour.close();
            traceDigest.print(out);
            out.flush();
            return 0;
        }
    }

    /** The booted kernel, its copy engine driver and the two buffers the tour moves bytes between. */
    private final class Tour {
        private static final int BUFFER = 64 * 1024;
        /** The CPU sections 3 to 5 run on, and the one the completion vector is sent to. */
        private static final int SUBMIT_CPU = 1;
        private static final int COMPLETION_CPU = 2;

        private final Machine machine;
        private final Kernel kernel;
        private final CopyEngineDriver driver;
        private final List<IommuFault> faults = new ArrayList<>();
        private final VtdUnit unit;
        private Optional<VtdDomain> domain;
        private DmaBuffer low;
        private DmaBuffer high;
        private StreamingMapping lowMapping;
        private StreamingMapping highMapping;
        private long lowDevice;
        private long highDevice;

        Tour(Machine machine, Kernel kernel) {
            this.machine = machine;
            this.kernel = kernel;
            kernel.iommu().addFaultListener(faults::add);
            this.driver = kernel.copyEngine();
            this.unit = machine.remappingUnits().getFirst();
        }

        /** Runs a section as {@link #SUBMIT_CPU}: its MMIO (doorbells) is counted there. */
        void onSubmitCpu(Runnable section) {
            machine.runOn(SUBMIT_CPU, section);
        }

        /** Section 2: what boot did (frames, the VT-d bring-up in order, the driver's ring). */
        void boot() {
            FrameStats fs = kernel.frames().stats();
            out.printf("  frame allocator: %,d frames of 4 KiB under management, %,d of them below 4 GiB (zones DMA and DMA32)%n",
                    fs.managedFrames(), kernel.frames().managedFrames(Zone.DMA) + kernel.frames().managedFrames(Zone.DMA32));
            out.println("  VT-d bring-up, in order (root table, invalidation queue, domains and RMRR identity maps; only then TE):");
            kernel.iommu().bootLog().forEach(l -> out.println("    " + l));
            if (kernel.iommu().bootLog().stream().noneMatch(l -> l.contains("RMRR"))) {
                out.println("    (this DMAR has no RMRR, so no identity map had to be in place before translation)");
            }
            kernel.iommu().problems().forEach(p -> out.println("    problem: " + p));
            domain = VtdDomain.of(kernel.iommu(), driver.requester());
            out.printf("  %s driver: %d-slot descriptor ring at physical %#x, mapped for the device at IOVA %#x%n"
                            + "    (64-byte DSA descriptors + 32-byte completion records), completion interrupts on MSI-X entry %d -> vector %d%n",
                    driver.name(), driver.ring().capacity(), driver.ring().ringBase(),
                    driver.ring().ringDeviceBase(), CopyEngineDriver.COMPLETION_ENTRY, driver.completionVector());
            int vector = driver.completionVector();
            kernel.drivers().setIrqAffinity(vector, COMPLETION_CPU);
            out.printf("  %d CPUs (local APIC ids 0..%d), one cache they share; the tour runs on CPU 0 and moves bytes from CPU %d%n",
                    machine.cpus().size(), machine.cpus().size() - 1, SUBMIT_CPU);
            out.printf("  interrupt affinity: vector %d -> CPU %d (what writing /proc/irq/%d/smp_affinity_list does): MSI-X entry %d"
                    + " now names APIC id %d%n", vector, COMPLETION_CPU, vector, CopyEngineDriver.COMPLETION_ENTRY,
                    machine.cpus().get(COMPLETION_CPU).apicId());
        }

        /** Section 3: two buffers mapped once through the DMA API, then copy, compare and fill through the ring. */
        void moveBytes() {
            out.println();
            out.println("== 3. Moving bytes through the ring (each call: descriptor -> doorbell -> device -> IOMMU -> memory,"
                    + " then completion record -> MSI)");
            low = kernel.memory().allocate(BUFFER, 4096, DmaMemory.LIMIT_4GIB);
            high = kernel.memory().allocate(BUFFER, 4096, DmaMemory.NO_LIMIT);
            // Mapped once for the device through its DMA API, as dmatest does: the descriptors below carry these IOVAs.
            lowMapping = driver.dma().mapStreaming(low, low.length(), DmaDirection.BIDIRECTIONAL);
            highMapping = driver.dma().mapStreaming(high, high.length(), DmaDirection.BIDIRECTIONAL);
            lowDevice = lowMapping.dmaAddress();
            highDevice = highMapping.dmaAddress();
            domain.ifPresent(d -> out.printf("  %s is in %s domain %d on unit %#x: the device sees only what the driver maps there%n",
                    driver.name(), d.type(), d.id(), d.unit().registerBase()));
            out.printf("  buffer A: %s -> device address (IOVA) %#x%n  buffer B: %s -> device address (IOVA) %#x%n",
                    low, lowDevice, high, highDevice);
            byte[] text = "Direct memory access: the device moves the bytes, the CPU only describes them. ".repeat(840)
                    .getBytes(StandardCharsets.US_ASCII);
            low.write(0, Arrays.copyOf(text, BUFFER));

            VtdUnit.Counters before = unit.counters();
            step(machine, "MEMMOVE 64 KiB A -> B", () -> driver.execute(Descriptor.memmove(lowDevice, highDevice, BUFFER)));
            out.printf("      B now starts with \"%s...\" (read back by the CPU)%n",
                    new String(Arrays.copyOf(high.toByteArray(), 40), StandardCharsets.US_ASCII));
            step(machine, "COMPARE A with B", () -> driver.execute(Descriptor.compare(lowDevice, highDevice, BUFFER)));
            high.writeByte(12_345, 'X');
            out.println("      (the CPU now changes byte 12345 of B)");
            step(machine, "COMPARE A with B", () -> driver.execute(Descriptor.compare(lowDevice, highDevice, BUFFER)));
            step(machine, "MEMFILL 4 KiB of B with 0x5a",
                    () -> driver.execute(Descriptor.memfill(highDevice, 4096, 0x5A5A5A5A5A5A5A5AL)));
            VtdUnit.Counters after = unit.counters();
            out.printf("  %s translated %,d requests for them: IOTLB %,d hits, %,d misses; %,d page walks (%,d table reads)%n",
                    unit.name(), after.translations() - before.translations(), after.iotlbHits() - before.iotlbHits(),
                    after.iotlbMisses() - before.iotlbMisses(), after.pageWalks() - before.pageWalks(),
                    after.walkSteps() - before.walkSteps());
        }

        /** Section 4: addresses nobody mapped reach the IOMMU, which faults them; the device reports and goes on. */
        void driverBugs() {
            out.println();
            out.println("== 4. Driver bugs: the device is given addresses nobody mapped for it");
            long unmapped = high.physicalAddress();
            out.printf("  a) B's physical address %#x instead of its IOVA (a driver that forgot dma_map):%s%n", unmapped,
                    domain.isPresent() && domain.get().translate(unmapped).isEmpty() ? " nothing is mapped there" : "");
            refused(driver, Descriptor.memmove(unmapped, lowDevice, 4096));
            int seen = faults.size();
            step(machine, String.format("MEMMOVE 4 KiB %#x -> A", unmapped),
                    () -> driver.executeUnchecked(Descriptor.memmove(unmapped, lowDevice, 4096)));
            printFaults(machine, faults, seen);
            out.println("  b) the PCI hole at 0x80000000: without an IOMMU this write reaches the bus and finds no RAM there;");
            out.println("     now 0x80000000 is an IOVA, nothing is mapped at it, and the write never gets past the IOMMU");
            seen = faults.size();
            step(machine, "MEMMOVE 4 KiB A -> 0x80000000",
                    () -> driver.executeUnchecked(Descriptor.memmove(lowDevice, 0x8000_0000L, 4096)));
            printFaults(machine, faults, seen);
            out.println("  The device reports each fault in its completion record and keeps running:");
            step(machine, "MEMMOVE 4 KiB A -> B", () -> driver.copy(low, high, 4096));
            step(machine, "MEMMOVE of 0 bytes", () -> driver.copy(low, high, 0));
        }

        /** Section 5: eight descriptors, one doorbell, drained in order. */
        void batch() {
            out.println();
            out.println("== 5. A batch: 8 descriptors submitted at once, one doorbell, drained in order");
            Descriptor[] batch = new Descriptor[8];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = Descriptor.memmove(lowDevice + i * 8192L, highDevice + i * 8192L, 8192)
                        .withFlags(Descriptor.VALID | (i == batch.length - 1 ? Descriptor.INTERRUPT : 0));
            }
            long t0 = machine.clock().now();
            int accepted = driver.submit(batch);
            machine.clock().runUntilIdle();
            CompletedDescriptor[] done = new CompletedDescriptor[16];
            int n = driver.drain(done);
            out.printf("  submitted %d, drained %d after %,d ns simulated:", accepted, n, machine.clock().now() - t0);
            for (int i = 0; i < n; i++) {
                out.printf(" #%d %s", done[i].sequence(), done[i].status());
            }
            out.println();
        }

        /** Section 6: the device's and the unit's counters, and where to go next. */
        void totals() {
            out.println();
            out.println("== 7. Totals");
            out.printf("  %d descriptors completed, %d completion interrupts, %d error interrupts, simulated time %,d ns%n",
                    machine.devices(CopyEngine.class).getFirst().descriptorsCompleted(), driver.completionInterrupts(),
                    driver.errorInterrupts(), machine.clock().now());
            VtdUnit.Counters c = unit.counters();
            out.printf("  %s: %,d translations, IOTLB %,d hits / %,d misses, %,d page walks, %d faults recorded,"
                            + " %,d IOTLB invalidations (global/domain/page %s)%n",
                    unit.name(), c.translations(), c.iotlbHits(), c.iotlbMisses(), c.pageWalks(), c.faultsRecorded(),
                    c.iotlbInvalidations().stream().mapToLong(Long::longValue).sum(), c.iotlbInvalidations());
            perCpu();
            out.println();
            out.println("Next:");
            out.println("  ./jdma run memcpy --size 64M --trace memcpy.trace.json   dmatest's byte-exact check, and a Perfetto timeline");
            out.println("  ./jdma run memcpy --iommu lazy                             the same with batched IOTLB invalidation (or off, identity)");
            out.println("  ./jdma run memcpy --polled                                 the same without interrupts");
            out.println("  ./jdma run memcpy --engines 4 --cpus 4                     the same on four engines at once, each on its own CPU");
            out.println("  ./jdma run attack                                          a malicious device against each IOMMU mode");
            out.println("  ./jdma run coherency                                       DMA on a non-coherent cache: what goes stale, what catches it");
            out.println("  ./jdma --help");
        }

        /** What each CPU did: the drivers' vectors as Linux's /proc/interrupts shows them, and each CPU's MMIO. */
        void perCpu() {
            int n = machine.cpus().size();
            out.println("  interrupts by CPU (as /proc/interrupts shows them):");
            StringBuilder head = new StringBuilder("    %-10s".formatted(""));
            for (int c = 0; c < n; c++) {
                head.append("%8s".formatted("CPU" + c));
            }
            out.println(head);
            for (InterruptAssignment a : kernel.drivers().interrupts()) {
                StringBuilder row = new StringBuilder("    %-10s".formatted("vector " + a.vector()));
                a.perCpu().forEach(count -> row.append("%8d".formatted(count)));
                out.println(row.append("   ").append(a.owner()).append(' ').append(a.source()));
            }
            StringBuilder all = new StringBuilder("    %-10s".formatted("all"));
            for (int c = 0; c < n; c++) {
                all.append("%8d".formatted(machine.interrupts().dispatchedOn(c)));
            }
            out.println(all.append("   (the VT-d fault event goes to the boot CPU)"));
            for (MachineCpu cpu : machine.cpus()) {
                out.printf("  CPU %d: %,d MMIO reads, %,d MMIO writes, %,d interrupts handled%n", cpu.index(), cpu.mmioReads(),
                        cpu.mmioWrites(), machine.interrupts().dispatchedOn(cpu.index()));
            }
        }

        void close() {
            lowMapping.close();
            highMapping.close();
            low.close();
            high.close();
            kernel.close();
        }
    }

    /** Runs the machine until the fault interrupt has been handled, then prints what the handler read. */
    private void printFaults(Machine machine, List<IommuFault> faults, int from) {
        machine.clock().runUntilIdle();
        if (faults.size() == from) {
            out.println("      (no IOMMU fault was reported)");
        }
        for (IommuFault f : faults.subList(from, faults.size())) {
            out.printf("      IOMMU fault record, read by the kernel's fault handler: device %s %s page %#x, reason %s%n",
                    f.device(), f.read() ? "R" : "W", f.iovaPage(),
                    String.format("%#x %s", f.detail().code(), f.detail().name()));
        }
    }

    /**
     * The kernel's own check comes first: submit refuses a descriptor naming memory not mapped for
     * the device (map only while in use). The tour then injects it past that check, as a buggy
     * driver writing its own ring would, to show what the IOMMU does with it.
     */
    private void refused(CopyEngineDriver driver, Descriptor d) {
        try {
            driver.execute(d);
            out.println("     (the kernel let it through: nothing checks addresses on this machine)");
        } catch (org.jdma.kernel.dma.DmaException e) {
            out.println("     the kernel refuses it at submit: " + e.getMessage());
            out.println("     injected past that check (executeUnchecked), the device tries anyway:");
        }
    }

    private void step(Machine machine, String what, Supplier<OpResult> operation) {
        long t0 = machine.clock().now();
        OpResult r = operation.get();
        long dt = machine.clock().now() - t0;
        String detail = switch (r) {
            case OpResult.Completed c when c.completion().descriptor().opcode() == org.jdma.spec.memcpy.Opcode.COMPARE
                    && c.completion().isSuccess() -> c.completion().differs()
                    ? "SUCCESS: buffers differ at byte " + c.completion().bytesCompleted()
                    : "SUCCESS: buffers are equal";
            case OpResult.Completed c -> MemcpyCommand.describe(r) + ", " + c.completion().bytesCompleted() + " bytes";
            default -> MemcpyCommand.describe(r);
        };
        out.printf("  %-34s -> %-48s %,8d ns%n", what, detail, dt);
    }
}
