package org.jdma.cli.nvme;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;
import org.HdrHistogram.Histogram;
import org.jdma.cli.options.IommuModeNames;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.block.BlockOp;
import org.jdma.kernel.block.BlockRequest;
import org.jdma.kernel.block.BlockStatus;
import org.jdma.kernel.drivers.nvme.NvmeDriver;
import org.jdma.kernel.drivers.nvme.NvmeOptions;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.nvme.NamespaceSpec;
import org.jdma.machine.dev.nvme.NvmeConfig;
import org.jdma.machine.dev.nvme.NvmeController;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.jdma.spec.pci.RequesterId;

/**
 * Runs an {@link NvmeJob} on a machine with one NVMe controller and its driver: each job keeps
 * {@code iodepth} requests in flight on its own queue, each completion (in the driver's callback,
 * on the queue's CPU) records its latency and starts the next I/O until the runtime has passed.
 */
public final class NvmeBench {

    static final RequesterId SLOT = RequesterId.of(0, 8, 0);
    private static final int BLOCK = 512;

    private NvmeBench() { }

    /** Runs {@code job}; {@code progress} is told the modeled ns done so far, now and then. */
    public static NvmeJobResult run(NvmeJob job, LongConsumer progress) {
        return run(job, progress, m -> m);
    }

    /**
     * Runs {@code job}; {@code progress} is told the modeled ns done so far, now and then, and
     * {@code watch} sees the machine before it boots (the {@code --trace-digest} recorder).
     */
    public static NvmeJobResult run(NvmeJob job, LongConsumer progress, UnaryOperator<Machine> watch) {
        NvmeConfig device = NvmeConfig.DEFAULT.withNamespaces(NamespaceSpec.memory(BLOCK, job.size() / BLOCK))
                .withIoQueuePairs(Math.max(job.numjobs(), 1));
        MachineConfig config = MachineConfig.defaults().withSeed(job.seed()).withCpus(Math.max(job.numjobs(), 1))
                .withDevice(NvmeController.spec("nvme0", SLOT, device));
        try (Machine machine = watch.apply(new Machine(config))) {
            Kernel kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(IommuModeNames.parse(job.iommu()))
                    .withDriver(NvmeDriver.driver(NvmeOptions.DEFAULTS.withIoQueues(job.numjobs())
                            .withQueueDepth(Integer.highestOneBit(job.iodepth()) * 2).withTimeoutNs(10_000_000_000L))));
            try {
                NvmeDriver nvme = kernel.driver(NvmeDriver.class);
                return new Run(job, kernel, nvme, progress, () -> iotlbMisses(machine)).go();
            } finally {
                kernel.close();
            }
        }
    }

    /** Queue depths 1, 2, 4 ... 128, one run each. */
    public static List<NvmeJobResult> sweep(NvmeJob job) {
        return sweep(job, m -> m);
    }

    /** Queue depths 1, 2, 4 ... 128, one run each; {@code watch} sees each machine before it boots. */
    public static List<NvmeJobResult> sweep(NvmeJob job, UnaryOperator<Machine> watch) {
        List<NvmeJobResult> results = new ArrayList<>();
        for (int d = 1; d <= 128; d *= 2) {
            results.add(run(job.withIodepth(d), ns -> { }, watch));
        }
        return results;
    }

    /** IOTLB misses of every remapping unit so far (read from the model: no modeled time passes). */
    private static long iotlbMisses(Machine machine) {
        long misses = 0;
        for (VtdUnit u : machine.remappingUnits()) {
            misses += u.counters().iotlbMisses();
        }
        return misses;
    }

    /** The state of one run. */
    private static final class Run {
        final NvmeJob job;
        final Kernel kernel;
        final NvmeDriver nvme;
        final LongConsumer progress;
        final LongSupplier iotlbMisses;
        final Histogram latency = new Histogram(3_600_000_000_000L, 3);
        final SplittableRandom random;
        final long slots;
        final long[] nextSequential;
        final Map<Long, Long> written = new HashMap<>();
        final List<DmaBuffer> buffers = new ArrayList<>();
        long ios;
        long errors;
        long endNs;
        int outstanding;

        Run(NvmeJob job, Kernel kernel, NvmeDriver nvme, LongConsumer progress, LongSupplier iotlbMisses) {
            this.job = job;
            this.iotlbMisses = iotlbMisses;
            this.kernel = kernel;
            this.nvme = nvme;
            this.progress = progress;
            this.random = new SplittableRandom(job.seed());
            this.slots = job.size() / job.bs();
            this.nextSequential = new long[job.numjobs()];
            for (int j = 0; j < job.numjobs(); j++) {
                nextSequential[j] = slots * j / job.numjobs();
            }
        }

        NvmeJobResult go() {
            long wall0 = System.nanoTime();
            long start = kernel.platform().clock().now();
            long misses0 = iotlbMisses.getAsLong();
            endNs = start + job.runtimeNs();
            for (int j = 0; j < job.numjobs(); j++) {
                for (int d = 0; d < job.iodepth(); d++) {
                    DmaBuffer b = kernel.memory().allocate(job.bs(), 4096);
                    buffers.add(b);
                    start(j, b);
                }
            }
            long step = Math.max(job.runtimeNs() / 100, 1);
            while (outstanding > 0) {
                long now = kernel.platform().clock().now();
                kernel.platform().clock().runUntil(() -> outstanding == 0, Math.min(step, endNs + 1_000_000_000L - now + 1));
                progress.accept(Math.min(kernel.platform().clock().now() - start, job.runtimeNs()));
            }
            long modeled = kernel.platform().clock().now() - start;
            long misses = iotlbMisses.getAsLong() - misses0;
            long wall = System.nanoTime() - wall0;
            long interrupts = 0;
            for (int q = 0; q < nvme.queues(); q++) {
                interrupts += nvme.interrupts(q);
            }
            long[] check = job.verify() ? verify() : new long[2];
            buffers.forEach(DmaBuffer::close);
            return new NvmeJobResult(job, ios, errors, modeled, latency, interrupts, misses, wall, check[0], check[1], nvme.smartLog());
        }

        private boolean isWrite() {
            return switch (job.rw()) {
                case "write", "randwrite" -> true;
                case "randrw" -> random.nextBoolean();
                default -> false;
            };
        }

        private long nextSlot(int j) {
            if (job.random()) {
                return random.nextLong(slots);
            }
            long s = nextSequential[j];
            nextSequential[j] = (s + 1) % slots;
            return s;
        }

        private void start(int j, DmaBuffer b) {
            boolean write = isWrite();
            long slot = nextSlot(j);
            int blocks = job.bs() / BLOCK;
            long crc = 0;
            if (write) {
                byte[] data = new byte[job.bs()];
                random.nextBytes(data);
                b.write(0, data);
                crc = crc(data);
            }
            long lba = slot * blocks;
            long sum = crc;
            BlockRequest r = BlockRequest.of(write ? BlockOp.WRITE : BlockOp.READ, lba, blocks, BLOCK, b, done -> {
                outstanding--;
                ios++;
                if (done.status() != BlockStatus.OK) {
                    errors++;
                } else if (write && job.verify()) {
                    written.put(lba, sum);
                }
                latency.recordValue(Math.max(done.latencyNs(), 1));
                if (kernel.platform().clock().now() < endNs) {
                    start(j, b);
                }
            });
            outstanding++;
            if (!nvme.submit(j, r)) {
                throw new IllegalStateException("queue " + j + " refused a request with " + nvme.outstanding(j) + " outstanding");
            }
        }

        /** Reads back every block written last and compares checksums: {checked, mismatches}. */
        private long[] verify() {
            long mismatches = 0;
            DmaBuffer b = buffers.getFirst();
            for (Map.Entry<Long, Long> e : written.entrySet()) {
                BlockRequest r = BlockRequest.of(BlockOp.READ, e.getKey(), job.bs() / BLOCK, BLOCK, b, null);
                nvme.submit(0, r);
                kernel.platform().clock().runUntil(r::isDone, 10_000_000_000L);
                byte[] got = new byte[job.bs()];
                b.read(0, got);
                if (r.status() != BlockStatus.OK || crc(got) != e.getValue()) {
                    mismatches++;
                }
            }
            return new long[] {written.size(), mismatches};
        }

        private static long crc(byte[] data) {
            CRC32 c = new CRC32();
            c.update(data);
            return c.getValue();
        }
    }
}
