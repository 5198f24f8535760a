package org.jdma.cli;

import org.jdma.cli.trace.TraceDigestOption;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.StreamingMapping;
import org.jdma.kernel.dmaengine.DmaCapabilities;
import org.jdma.kernel.dmaengine.DmaCapability;
import org.jdma.kernel.dmaengine.DmaChannel;
import org.jdma.kernel.dmaengine.DmaCookie;
import org.jdma.kernel.dmaengine.DmaTransfer;
import org.jdma.kernel.dmaengine.DmaTxResult;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.memcpy.CopyEngine;

/**
 * The tour's step with two copy engines at once: the default machine with a second copy engine,
 * both engines' channels taken from the kernel's DMA channel allocator, each copying its own text
 * through its own IOMMU domain, all copies submitted before any is waited for. Engine {@code e} is
 * driven from CPU {@code e + 1} and its completion vector is routed there, so the step also shows
 * two CPUs each driving and taking the interrupts of its own engine.
 */
final class TourEngines {

    private static final int ENGINES = 2;
    private static final int PIECES = 4;
    private static final int PIECE = 16 * 1024;
    private static final int BUFFER = PIECES * PIECE;

    private TourEngines() { }

    /** One engine's channel and buffers. */
    private record Lane(int cpu, DmaChannel channel, CopyEngineDriver driver, DmaBuffer src, DmaBuffer dst, StreamingMapping srcMap,
                        StreamingMapping dstMap, List<DmaCookie> cookies) {
        void close() {
            srcMap.close();
            dstMap.close();
            channel.close();
            src.close();
            dst.close();
        }
    }

    static void show(PrintWriter out, long seed, TraceDigestOption traceDigest) {
        out.println();
        out.println("== 6. Two copy engines at once: the default machine with a second engine, a channel on each from the");
        out.println("      kernel's DMA channel allocator (Linux dmaengine), each engine copying through its own IOMMU domain,");
        out.println("      each driven from its own CPU, which also takes its completion interrupts");
        try (Machine machine = traceDigest.watch(new Machine(MachineConfig.defaults().withSeed(seed).withDevice(CopyEngine.spec(1))));
             Kernel kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT))) {
            List<Lane> lanes = lanes(out, machine, kernel);
            if (lanes.get(0).srcMap().dmaAddress() == lanes.get(1).srcMap().dmaAddress()) {
                out.println("  the same IOVAs on both engines: each domain sends them to its own engine's buffers");
            }
            long t0 = machine.clock().now();
            for (int p = 0; p < PIECES; p++) {
                for (Lane l : lanes) {
                    long off = (long) p * PIECE;
                    machine.runOn(l.cpu(), () -> l.cookies().add(l.channel().submit(new DmaTransfer.Memcpy(l.dstMap().dmaAddress() + off,
                            l.srcMap().dmaAddress() + off, PIECE))));
                }
            }
            lanes.forEach(l -> machine.runOn(l.cpu(), l.channel()::issuePending));
            out.printf("  %d copies of %d KiB submitted, %d per engine interleaved, before waiting for any%n",
                    PIECES * ENGINES, PIECE / 1024, PIECES);
            int failed = 0;
            for (Lane l : lanes) {
                for (DmaCookie c : l.cookies()) {
                    DmaTxResult r = machine.callOn(l.cpu(), () -> l.channel().syncWait(c));
                    failed += r.isSuccess() ? 0 : 1;
                }
            }
            long elapsed = machine.clock().now() - t0;
            machine.clock().runUntilIdle();
            long busy = 0;
            for (Lane l : lanes) {
                CopyEngine device = machine.devices(CopyEngine.class).stream()
                        .filter(d -> d.requester().equals(l.driver().requester())).findFirst().orElseThrow();
                busy += device.busyTimeNs();
                boolean own = Arrays.equals(l.src().toByteArray(), l.dst().toByteArray());
                out.printf("  %s: %d descriptors, %d interrupts (%d of them on CPU %d), busy %,d ns; its destination reads \"%s...\" (%s)%n",
                        l.driver().name(), device.descriptorsCompleted(), l.driver().completionInterrupts(),
                        machine.interrupts().dispatched(l.driver().completionVector(), l.cpu()), l.cpu(), device.busyTimeNs(),
                        new String(Arrays.copyOf(l.dst().toByteArray(), 24), StandardCharsets.US_ASCII),
                        own ? "every byte its own engine's" : "NOT its own engine's bytes");
            }
            out.printf("  both done after %,d ns of simulated time, %,d ns of engine work: they ran at once; %d failed%n",
                    elapsed, busy, failed);
            lanes.forEach(Lane::close);
        }
    }

    /** Per engine: a channel, its buffers mapped in its domain, its CPU (engine e on CPU e + 1, its vector routed there). */
    private static List<Lane> lanes(PrintWriter out, Machine machine, Kernel kernel) {
        List<Lane> lanes = new ArrayList<>();
        for (int e = 0; e < ENGINES; e++) {
            DmaChannel ch = kernel.dmaChannels().request(DmaCapabilities.of(DmaCapability.MEMCPY), "tour" + e);
            CopyEngineDriver driver = kernel.copyEngines().get(e);
            int cpu = (e + 1) % machine.cpus().size();
            kernel.drivers().setIrqAffinity(driver.completionVector(), cpu);
            DmaBuffer src = kernel.memory().allocate(BUFFER, 4096);
            DmaBuffer dst = kernel.memory().allocate(BUFFER, 4096);
            byte[] text = ("engine " + e + " copied this. ").repeat(BUFFER / 10).getBytes(StandardCharsets.US_ASCII);
            src.write(0, Arrays.copyOf(text, BUFFER));
            lanes.add(new Lane(cpu, ch, driver, src, dst, ch.dma().mapStreaming(src, BUFFER, DmaDirection.TO_DEVICE),
                    ch.dma().mapStreaming(dst, BUFFER, DmaDirection.FROM_DEVICE), new ArrayList<>()));
            String domain = kernel.iommu().domainOf(driver.requester()).map(d -> d.type() + " domain " + d.id()).orElse("no domain");
            out.printf("  %s %s, held by %s: %s, %s, MSI-X vector %d -> CPU %d, driven from CPU %d%n", ch.name(),
                    ch.capabilities(), ch.client(), driver.requester(), domain, driver.completionVector(), cpu, cpu);
            out.printf("      its source at IOVA %#x, its destination at IOVA %#x%n", lanes.getLast().srcMap().dmaAddress(),
                    lanes.getLast().dstMap().dmaAddress());
        }
        return lanes;
    }
}
