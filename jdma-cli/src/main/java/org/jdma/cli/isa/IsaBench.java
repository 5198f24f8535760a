package org.jdma.cli.isa;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.drivers.isablock.IsaBlockDriver;
import org.jdma.kernel.drivers.sb16.Playback;
import org.jdma.kernel.drivers.sb16.Sb16Driver;
import org.jdma.kernel.drivers.sb16.ToneGenerator;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.DeviceSpec;
import org.jdma.machine.dev.isablock.IsaBlockConfig;
import org.jdma.machine.dev.isablock.IsaBlockDevice;
import org.jdma.machine.dev.sb16.Sb16Device;
import org.jdma.machine.legacy.isadma.CpuBusWorkload;
import org.jdma.machine.legacy.isadma.IsaBusTiming;
import org.jdma.machine.legacy.isadma.IsaDma;
import org.jdma.spec.i8237.I8237Layout;

/**
 * The scenario behind {@code jdma run isa}, on a machine with the sound card (0x220, IRQ 5, DMA 1
 * and 5) and the block device (0x3F0, IRQ 6, DMA 2): a tone played through auto-initialize DMA,
 * then the same sectors read in single, block, demand and transparent mode while a CPU workload
 * uses the bus. Every number comes from the model's counters.
 */
public final class IsaBench {

    public static final int SB_BASE = 0x220;
    public static final int SB_IRQ = 5;
    public static final int SB_DMA8 = 1;
    public static final int SB_DMA16 = 5;
    public static final int FD_BASE = 0x3F0;
    public static final int FD_IRQ = 6;
    public static final int FD_DMA = 2;
    /** The workload: bursts of 8 memory cycles, then 16 DMA clocks of work inside the CPU (the bus busy 2/3 of the time). */
    public static final int WORKLOAD_BURST = 8;
    public static final int WORKLOAD_IDLE_CLOCKS = 16;

    /**
     * @param sectors      sectors each mode reads (1..8)
     * @param mediumNs     the block device's medium, ns per byte
     * @param toneHz       the tone's frequency
     * @param rate         the sound's rate, Hz
     * @param soundMs      how long the tone plays, modeled ms
     * @param seed         the machine's seed
     */
    public record Options(int sectors, long mediumNs, double toneHz, int rate, long soundMs, long seed) {
        public static final Options DEFAULTS = new Options(4, 2_000, 440, 22_050, 200, 1);

        public Options {
            if (sectors < 1 || sectors > IsaBlockDriver.MAX_SECTORS || mediumNs < 1 || toneHz <= 0 || rate < 5_000 || rate > 45_000
                    || soundMs < 1) {
                throw new IllegalArgumentException(String.format("isa: %d sectors (1..%d), medium %d ns/byte, tone %s Hz, rate %d Hz "
                        + "(5000..45000), %d ms of sound", sectors, IsaBlockDriver.MAX_SECTORS, mediumNs, toneHz, rate, soundMs));
            }
        }
    }

    /** What a run gives: the sound, the modes, and the machine (still open, for its trace; the caller closes it). */
    public record Result(IsaSoundResult sound, List<IsaModeResult> modes, Machine machine) implements AutoCloseable {
        public IsaModeResult mode(String name) {
            return modes.stream().filter(m -> m.mode().equals(name)).findFirst().orElseThrow();
        }

        @Override
        public void close() {
            machine.close();
        }
    }

    private IsaBench() { }

    /** Runs the scenario; {@code watch} sees the machine right after it is built (tracing, digests). */
    public static Result run(Options o, Consumer<Machine> watch) {
        Machine machine = new Machine(MachineConfig.defaults().withSeed(o.seed())
                .withDevice(Sb16Device.spec("sb0", SB_BASE, SB_IRQ, SB_DMA8, SB_DMA16))
                .withDevice(DeviceSpec.legacy("fd0", IsaBlockDevice.KIND, new IsaBlockConfig(2880, o.mediumNs()),
                        IsaBlockDevice.resources(FD_BASE, FD_IRQ, FD_DMA))));
        watch.accept(machine);
        try {
            Kernel kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS
                    .withDriver(Sb16Driver.driver(SB_BASE, SB_IRQ, SB_DMA8, SB_DMA16))
                    .withDriver(IsaBlockDriver.driver(FD_BASE, FD_IRQ, FD_DMA)));
            IsaSoundResult sound = sound(o, machine, kernel);
            List<IsaModeResult> modes = new ArrayList<>();
            IsaBlockDevice fd = machine.devices(IsaBlockDevice.class).getFirst();
            byte[] medium = fd.medium();
            for (int i = 0; i < medium.length; i++) {
                medium[i] = (byte) (i * 31 + i / 512);
            }
            IsaBlockDriver block = kernel.drivers().driver(IsaBlockDriver.class);
            int all = o.sectors();
            modes.add(mode("single", machine, block, o, new IsaBlockDriver.Transfer(I8237Layout.MODE_SINGLE, all), false));
            modes.add(mode("block", machine, block, o, new IsaBlockDriver.Transfer(I8237Layout.MODE_BLOCK, all), false));
            modes.add(mode("demand", machine, block, o, new IsaBlockDriver.Transfer(I8237Layout.MODE_DEMAND, 1), false));
            modes.add(mode("transparent", machine, block, o, new IsaBlockDriver.Transfer(I8237Layout.MODE_SINGLE, all), true));
            machine.isaDma().orElseThrow().timing(IsaBusTiming.DEFAULT);
            return new Result(sound, List.copyOf(modes), machine);
        } catch (RuntimeException e) {
            machine.close();
            throw e;
        }
    }

    private static IsaSoundResult sound(Options o, Machine machine, Kernel kernel) {
        Sb16Driver sb = kernel.drivers().driver(Sb16Driver.class);
        Sb16Device card = machine.devices(Sb16Device.class).getFirst();
        IsaDma isa = machine.isaDma().orElseThrow();
        isa.counters().clear();
        Playback p = Playback.sixteenBit(o.rate(), Math.max(64, o.rate() / 20)); // 50 ms halves
        sb.start(p, new ToneGenerator(o.toneHz(), o.rate(), 0.5, true));
        machine.clock().runFor(o.soundMs() * 1_000_000L);
        sb.stop();
        machine.clock().runUntil(() -> !card.playing());
        byte[] played = card.played();
        boolean matches = Arrays.equals(played, Arrays.copyOf(sb.written(), played.length));
        return new IsaSoundResult(o.rate(), 16, played, card.blocks(), card.underruns(), card.starvedPeriods(),
                isa.counters().grants(SB_DMA16), matches);
    }

    private static IsaModeResult mode(String name, Machine machine, IsaBlockDriver block, Options o, IsaBlockDriver.Transfer how,
                                      boolean transparent) {
        IsaDma isa = machine.isaDma().orElseThrow();
        IsaBusTiming timing = IsaBusTiming.DEFAULT.withTransparent(transparent);
        isa.timing(timing);
        isa.counters().clear();
        CpuBusWorkload w = isa.arbiter().startWorkload(new CpuBusWorkload.Shape(WORKLOAD_BURST, timing.ns(WORKLOAD_IDLE_CLOCKS)));
        long t0 = machine.clock().now();
        byte[] got = new byte[o.sectors() * 512];
        block.read(0, o.sectors(), got, how);
        long commandNs = machine.clock().now() - t0;
        w.stop();
        IsaBlockDevice fd = machine.devices(IsaBlockDevice.class).getFirst();
        boolean ok = Arrays.equals(got, Arrays.copyOf(fd.medium(), got.length));
        var c = isa.counters();
        return new IsaModeResult(name, c.bytes(FD_DMA), c.lastTerminalCountAt(FD_DMA) - c.firstGrantAt(FD_DMA), commandNs, w.stallNs(),
                w.longestStallNs(), c.grants(FD_DMA), c.transfers(FD_DMA), isa.arbiter().heldNs(), w.cycles(), w.cyclesOnAFreeBus(), ok);
    }
}
