package org.jdma.cli.nic;

import org.jdma.spec.ixgbe.IxgbeRegisters;

import java.nio.file.Path;
import java.util.Objects;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.net.app.CpuCostModel;
import org.jdma.machine.net.PcapReplayer;

/**
 * One run of {@code jdma run nic}.
 *
 * @param mode          what runs
 * @param frameBytes    frame size with FCS, 64..1518 (the wire carries it without FCS, plus 4)
 * @param lineFraction  offered load as a share of line rate, (0, 1]
 * @param count         frames each generator sends (0: until the duration ends)
 * @param durationNs    modeled time to run, ns
 * @param intervalNs    report interval, ns of modeled time
 * @param queues        queue pairs per port
 * @param cpus          CPUs of the machine
 * @param iommu         how the kernel uses the IOMMU
 * @param seed          the machine's seed
 * @param nonCoherent   a CPU cache DMA does not snoop
 * @param bidirectional fwd: a generator on both sides, frames forwarded both ways
 * @param pcapIn        pcap: the file to replay
 * @param pcapOut       pcap: the capture to write (may be null)
 * @param pacing        pcap: file timestamps or line rate
 * @param cost          the CPU cost model
 * @param flows         fwd: IPv4/UDP flows the generators send, for RSS to spread over the queues (0: plain frames)
 * @param rxPath        how the applications receive: polling the rings or through NAPI
 * @param itrUs         napi: interrupt moderation interval of each queue vector, us (0: none), rounded to the
 *                      card's 2.048 us EITR steps
 */
public record NicScenario(NicMode mode, int frameBytes, double lineFraction, long count, long durationNs, long intervalNs,
                          int queues, int cpus, IommuMode iommu, long seed, boolean nonCoherent, boolean bidirectional,
                          Path pcapIn, Path pcapOut, PcapReplayer.Pacing pacing, CpuCostModel cost,
                          int flows, NicRxPath rxPath, int itrUs) {

    public static final int MIN_FRAME = 64;
    public static final int MAX_FRAME = 1518;
    public static final int FCS_BYTES = 4;
    /** The longest EITR interval: 511 steps of 2.048 us. */
    public static final int MAX_ITR_US = (int) (511 * IxgbeRegisters.EITR_INTERVAL_UNIT_NS / 1000);
    /** ixy's default moderation, EITR 0x028 (5 steps, 10.24 us), in whole us. */
    public static final int DEFAULT_ITR_US = 10;

    public NicScenario {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(iommu, "iommu");
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(rxPath, "rxPath");
        if (itrUs < 0 || itrUs > MAX_ITR_US) {
            throw new IllegalArgumentException("--itr must be 0.." + MAX_ITR_US + " us (EITR holds at most 511 steps of 2.048 us), was "
                    + itrUs);
        }
        if (frameBytes < MIN_FRAME || frameBytes > MAX_FRAME) {
            throw new IllegalArgumentException("--size must be " + MIN_FRAME + ".." + MAX_FRAME + " bytes (FCS included), was " + frameBytes);
        }
        if (!(lineFraction > 0 && lineFraction <= 1)) {
            throw new IllegalArgumentException("--rate must be a share of line rate in (0%, 100%], was " + lineFraction * 100 + "%");
        }
        if (count < 0 || durationNs <= 0 || intervalNs <= 0) {
            throw new IllegalArgumentException("--count must be >= 0 and --duration and --interval positive");
        }
        if (queues < 1 || queues > 16 || cpus < 1) {
            throw new IllegalArgumentException("--queues must be 1..16 and --cpus >= 1, were " + queues + ", " + cpus);
        }
        if (flows < 0 || flows > org.jdma.machine.net.GeneratorFrameLayout.MAX_FLOWS) {
            throw new IllegalArgumentException("--flows must be 0.." + org.jdma.machine.net.GeneratorFrameLayout.MAX_FLOWS + ", was " + flows);
        }
        if (mode == NicMode.PCAP && pcapIn == null) {
            throw new IllegalArgumentException("mode pcap needs --pcap-in FILE");
        }
    }

    /** Frame length the generator sends (without FCS). */
    public int wireFrameBytes() {
        return frameBytes - FCS_BYTES;
    }

    public NicScenario with(IommuMode mode, int size) {
        return new NicScenario(this.mode, size, lineFraction, count, durationNs, intervalNs, queues, cpus, mode, seed, nonCoherent,
                bidirectional, pcapIn, pcapOut, pacing, cost, flows, rxPath, itrUs);
    }

    /** The same run, receiving by {@code path}. */
    public NicScenario with(NicRxPath path) {
        return new NicScenario(mode, frameBytes, lineFraction, count, durationNs, intervalNs, queues, cpus, iommu, seed, nonCoherent,
                bidirectional, pcapIn, pcapOut, pacing, cost, flows, path, itrUs);
    }

    /** The EITR interval field for {@link #itrUs}: the nearest whole number of steps, at least one unless 0. */
    public int eitrField() {
        if (itrUs == 0) {
            return 0;
        }
        long steps = Math.max(1, Math.round(itrUs * 1000.0 / IxgbeRegisters.EITR_INTERVAL_UNIT_NS));
        return (int) Math.min(511, steps) << IxgbeRegisters.EITR_INTERVAL_SHIFT;
    }
}
