package org.jdma.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.block.BlockOp;
import org.jdma.kernel.block.BlockRequest;
import org.jdma.kernel.block.BlockStatus;
import org.jdma.kernel.drivers.nvme.NvmeDriver;
import org.jdma.kernel.drivers.nvme.NvmeOptions;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.nvme.NamespaceSpec;
import org.jdma.machine.dev.nvme.NvmeConfig;
import org.jdma.machine.dev.nvme.NvmeController;
import org.jdma.spec.pci.RequesterId;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Simulation speed of the NVMe path (issue 15, Performance): 4 KiB random reads at queue depth 32
 * on one I/O queue of the emulated controller, data really moved into the buffers, the driver's
 * interrupts and reaps in modeled time, the IOMMU off or strict. Each invocation lets the machine
 * run {@link #SLICE_NS} of modeled time; the auxiliary counter {@code ios} gives the completed
 * modeled I/Os per wall second (targets: >= 1 M off, >= 0.5 M strict).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// The JVM as ./jdma runs it: the simulation's speed is what `jdma run` gives (under G1 the NIC
// forwarding runs about 10% slower on JDK 25; docs/BENCHMARKS.md, section N).
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC"})
public class NvmeBenchmark {

    /** Modeled time one invocation runs, ns. */
    static final long SLICE_NS = 200_000;
    static final int DEPTH = 32;
    static final int BLOCK = 512;
    static final int IO_BYTES = 4096;
    /** Namespace size in blocks: 64 MiB. */
    static final long BLOCKS = 128 * 1024;

    @State(Scope.Thread)
    public static class Rig {
        /** off or strict. */
        @Param({"off", "strict"})
        public String iommu;

        Machine machine;
        Kernel kernel;
        NvmeDriver nvme;
        final List<DmaBuffer> buffers = new ArrayList<>();
        final SplittableRandom random = new SplittableRandom(15);
        long completed;
        long errors;
        /** Set at teardown: the driver's removal fails what is outstanding, and nothing new starts. */
        boolean stopping;

        @Setup(Level.Trial)
        public void boot() {
            NvmeConfig device = NvmeConfig.DEFAULT.withNamespaces(NamespaceSpec.memory(BLOCK, BLOCKS)).withIoQueuePairs(1);
            machine = new Machine(MachineConfig.defaults().withCpus(1).withDevice(NvmeController.spec("nvme0", RequesterId.of(0, 8, 0), device)));
            IommuMode mode = "strict".equals(iommu) ? IommuMode.STRICT : IommuMode.OFF;
            kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(mode)
                    .withDriver(NvmeDriver.driver(NvmeOptions.DEFAULTS.withIoQueues(1).withQueueDepth(2 * DEPTH))));
            nvme = kernel.driver(NvmeDriver.class);
            for (int i = 0; i < DEPTH; i++) {
                buffers.add(kernel.memory().allocate(IO_BYTES, 4096));
            }
            writeEveryBlock();
            for (DmaBuffer b : buffers) {
                submit(b);
            }
            machine.eventKernel().runFor(1_000_000); // steady state
        }

        /**
         * Writes every block once, DEPTH at a time. A memory namespace is backed by the host only
         * where it was written, and a block never written reads the host's one zero page, which
         * stays in the cache: the reads below copy from RAM, as a namespace in use does.
         */
        void writeEveryBlock() {
            int[] pending = {0};
            long lba = 0;
            while (lba < BLOCKS) {
                for (DmaBuffer b : buffers) {
                    if (lba >= BLOCKS) {
                        break;
                    }
                    BlockRequest w = BlockRequest.of(BlockOp.WRITE, lba, IO_BYTES / BLOCK, BLOCK, b, done -> {
                        if (done.status() != BlockStatus.OK) {
                            throw new IllegalStateException("prefill write failed: " + done.status());
                        }
                        pending[0]--;
                    });
                    if (!nvme.submit(0, w)) {
                        throw new IllegalStateException("queue full during prefill");
                    }
                    pending[0]++;
                    lba += IO_BYTES / BLOCK;
                }
                machine.eventKernel().runUntil(() -> pending[0] == 0);
            }
        }

        /** A random 4 KiB read into {@code b}; its completion starts the next one. */
        void submit(DmaBuffer b) {
            long lba = random.nextLong(BLOCKS / (IO_BYTES / BLOCK)) * (IO_BYTES / BLOCK);
            BlockRequest r = BlockRequest.of(BlockOp.READ, lba, IO_BYTES / BLOCK, BLOCK, b, done -> {
                if (stopping) {
                    return;
                }
                completed++;
                if (done.status() != BlockStatus.OK) {
                    errors++;
                }
                submit(b);
            });
            if (!nvme.submit(0, r)) {
                throw new IllegalStateException("queue full with " + nvme.outstanding(0) + " outstanding");
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            if (errors != 0) {
                throw new IllegalStateException(errors + " reads failed");
            }
            stopping = true;
            kernel.close();
            machine.close();
        }
    }

    /** What one invocation completed, summed by JMH per wall second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Moved {
        public long ios;
    }

    @Benchmark
    public long jdmaNvmeRandomRead(Rig rig, Moved moved) {
        long before = rig.completed;
        rig.machine.eventKernel().runFor(SLICE_NS);
        long n = rig.completed - before;
        moved.ios += n;
        return n;
    }
}
