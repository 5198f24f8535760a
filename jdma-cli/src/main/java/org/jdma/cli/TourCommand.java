package org.jdma.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.engine.CompletedDescriptor;
import org.jdma.kernel.engine.Descriptor;
import org.jdma.kernel.engine.DmaBuffer;
import org.jdma.kernel.engine.DmaMask;
import org.jdma.kernel.mm.FrameStats;
import org.jdma.kernel.mm.Zone;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jdma tour}: what exists, shown on the default machine. Builds the machine, boots the
 * kernel side on it, and pushes a few descriptors through the copy engine's ring — one of them
 * deliberately bad — printing what the OS sees at each step.
 */
@Command(name = "tour", mixinStandardHelpOptions = true, description = "A short tour of the default machine (what `jdma` runs).")
public final class TourCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the machine's random source. Default: ${DEFAULT-VALUE}.")
    long seed;

    PrintWriter out;

    @Override
    public Integer call() {
        if (out == null) {
            out = spec.commandLine().getOut();
        }
        try (Machine machine = new Machine(MachineConfig.defaults().withSeed(seed))) {
            out.printf("jdma: a tour of the default machine (seed %d)%n%n", seed);
            out.println("== 1. The machine, as an OS discovers it");
            MachineSummary.print(machine, out);

            out.println();
            out.println("== 2. The kernel boots");
            Kernel kernel = Kernel.boot(machine);
            CopyEngineDriver driver = kernel.copyEngine();
            FrameStats fs = kernel.frames().stats();
            out.printf("  frame allocator: %,d frames of 4 KiB under management, %,d of them below 4 GiB (zone DMA32)%n",
                    fs.managedFrames(), kernel.frames().managedFrames(Zone.DMA32));
            out.printf("  %s driver: %d-slot descriptor ring at physical %#x (64-byte DSA descriptors + 32-byte completion records),%n"
                            + "    completion interrupts on MSI-X entry %d -> vector %d%n",
                    driver.function().name(), driver.engine().capacity(), driver.engine().ringBase(),
                    CopyEngineDriver.COMPLETION_ENTRY, driver.completionVector());

            out.println();
            out.println("== 3. Moving bytes through the ring (each call: descriptor -> doorbell -> device -> completion record -> MSI)");
            DmaBuffer low = kernel.memory().allocate(64 * 1024, 4096, DmaMask.BITS_32);
            DmaBuffer high = kernel.memory().allocate(64 * 1024, 4096, DmaMask.BITS_64);
            out.printf("  buffer A: %s%n  buffer B: %s%n", low, high);
            byte[] text = "Direct memory access: the device moves the bytes, the CPU only describes them. ".repeat(840)
                    .getBytes(StandardCharsets.US_ASCII);
            low.write(0, java.util.Arrays.copyOf(text, 64 * 1024));

            step(machine, "MEMMOVE 64 KiB A -> B", () -> driver.copy(low, high, 64 * 1024));
            out.printf("      B now starts with \"%s...\" (read back by the CPU)%n",
                    new String(java.util.Arrays.copyOf(high.toByteArray(), 40), StandardCharsets.US_ASCII));
            step(machine, "COMPARE A with B", () -> driver.compare(low, high, 64 * 1024));
            high.writeByte(12_345, 'X');
            out.println("      (the CPU now changes byte 12345 of B)");
            step(machine, "COMPARE A with B", () -> driver.compare(low, high, 64 * 1024));
            step(machine, "MEMFILL 4 KiB of B with 0x5a", () -> driver.fill(high, 4096, 0x5A5A5A5A5A5A5A5AL));

            out.println();
            out.println("== 4. A driver bug: the device is told to write into the PCI hole (no RAM at 0x80000000)");
            // A raw descriptor, as a buggy driver would write it: no mapping stands behind 0x80000000.
            long lowDevice = driver.engine().addressing().map(low, 0);
            step(machine, "MEMMOVE 4 KiB A -> 0x80000000",
                    () -> driver.execute(Descriptor.memmove(lowDevice, 0x8000_0000L, 4096)));
            out.println("      The device reports the fault in the completion record and keeps running:");
            step(machine, "MEMMOVE 4 KiB A -> B", () -> driver.copy(low, high, 4096));
            step(machine, "MEMMOVE of 0 bytes", () -> driver.copy(low, high, 0));

            out.println();
            out.println("== 5. A batch: 8 descriptors submitted at once, one doorbell, drained in order");
            long highDevice = driver.engine().addressing().map(high, 0);
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

            out.println();
            out.println("== 6. Totals");
            out.printf("  %d descriptors completed, %d completion interrupts, %d error interrupts, simulated time %,d ns%n",
                    machine.copyEngines().getFirst().descriptorsCompleted(), driver.completionInterrupts(),
                    driver.errorInterrupts(), machine.clock().now());
            out.println();
            out.println("Next:");
            out.println("  ./jdma run memcpy --size 64M --trace memcpy.trace.json   dmatest's byte-exact check, and a Perfetto timeline");
            out.println("  ./jdma run memcpy --polled                                 the same without interrupts");
            out.println("  ./jdma --help");
            driver.engine().addressing().unmap(lowDevice);
            driver.engine().addressing().unmap(highDevice);
            low.close();
            high.close();
            kernel.close();
            out.flush();
            return 0;
        }
    }

    private void step(Machine machine, String what, Supplier<OpResult> operation) {
        long t0 = machine.clock().now();
        OpResult r = operation.get();
        long dt = machine.clock().now() - t0;
        String detail = switch (r) {
            case OpResult.Completed c when c.completion().descriptor().opcode() == org.jdma.machine.dev.memcpy.Opcode.COMPARE
                    && c.completion().isSuccess() -> c.completion().differs()
                    ? "SUCCESS: buffers differ at byte " + c.completion().bytesCompleted()
                    : "SUCCESS: buffers are equal";
            case OpResult.Completed c -> MemcpyCommand.describe(r) + ", " + c.completion().bytesCompleted() + " bytes";
            default -> MemcpyCommand.describe(r);
        };
        out.printf("  %-34s -> %-48s %,8d ns%n", what, detail, dt);
    }
}
