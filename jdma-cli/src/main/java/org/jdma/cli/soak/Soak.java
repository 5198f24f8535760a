package org.jdma.cli.soak;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.debug.DmaDebug;
import org.jdma.kernel.dma.debug.DmaDebugCategory;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.machine.Machine;
import org.jdma.platform.Clock;

/**
 * Runs one soak ({@link SoakConfig}) and checks it. The loop, until the bound: inject faults when
 * due (a copy from an unmapped address, an unmap under a descriptor in flight, a double unmap),
 * one copy round on every engine with churn between its start and its wait, an ISA operation
 * when due (the sound card plays throughout), a driver reset when due (copy engine, NIC port, NVMe controller, ISA device in turn),
 * then {@link #ROUND_GAP_NS} of machine time for the NIC and NVMe, which run on the event kernel
 * throughout. Then everything stops and drains, NVMe and ISA are read back in full, every driver
 * is unbound, and the allocators and the checker are asked what is left.
 */
public final class Soak {

    /** Machine time between copy rounds, in which only the event-driven devices run, ns. */
    static final long ROUND_GAP_NS = 20_000;
    /** Time after teardown for lazy flush queues and timers to finish, ns. */
    static final long SETTLE_NS = 20_000_000;

    private Soak() { }

    /**
     * Runs {@code config}. {@code watch} is given the machine right after boot (for
     * {@code --trace-digest}); {@code progress} the fraction done now and then.
     */
    public static SoakReport run(SoakConfig config, Consumer<Machine> watch, DoubleConsumer progress) {
        long wall0 = System.nanoTime();
        long referenceFrames = referenceFrames(config);
        SoakRig rig = new SoakRig(config);
        SoakReport report;
        try {
            watch.accept(rig.machine);
            report = new Run(config, rig, progress, wall0, referenceFrames).go();
        } catch (RuntimeException | Error e) {
            try { // the first failure is the one to see; what closing a broken kernel throws goes with it
                rig.kernel.close();
            } catch (RuntimeException c) {
                e.addSuppressed(c);
            }
            rig.machine.close();
            throw e;
        }
        rig.kernel.close();
        rig.machine.close();
        return report;
    }

    /** Frames in use once every driver is unbound, on the same machine booted afresh and not run: what the kernel itself keeps. */
    private static long referenceFrames(SoakConfig config) {
        SoakRig ref = new SoakRig(config);
        try {
            return teardown(ref.kernel);
        } finally {
            ref.kernel.close();
            ref.machine.close();
        }
    }

    /** Unbinds every driver and lets timers and flush queues finish; returns the frames still allocated. */
    private static long teardown(Kernel kernel) {
        kernel.drivers().close();
        Clock clock = kernel.platform().clock();
        clock.runFor(SETTLE_NS);
        kernel.iommu().runTimers();
        return kernel.frames().stats().allocatedFrames();
    }

    private static final class Run {
        final SoakConfig config;
        final SoakRig rig;
        final Kernel kernel;
        final Clock clock;
        final DoubleConsumer progress;
        final long wall0;
        final long referenceFrames;
        final CopyWork copy;
        final NicWork nic;
        final NvmeWork nvme;
        final IsaWork isa;
        final SoundWork sound;
        final ChurnWork churn;
        long resets;

        Run(SoakConfig config, SoakRig rig, DoubleConsumer progress, long wall0, long referenceFrames) {
            this.config = config;
            this.rig = rig;
            this.kernel = rig.kernel;
            this.clock = kernel.platform().clock();
            this.progress = progress;
            this.wall0 = wall0;
            this.referenceFrames = referenceFrames;
            this.copy = new CopyWork(kernel, config);
            this.nic = new NicWork(kernel, rig.machine, config, rig.in, rig.out);
            this.nvme = new NvmeWork(kernel, config, SoakRig.NAMESPACE_BYTES);
            this.isa = new IsaWork(kernel, rig.isa, config);
            this.sound = new SoundWork(kernel, rig.machine, config);
            this.churn = new ChurnWork(copy.dmaApis(), kernel.memory(), config);
        }

        SoakReport go() {
            long t0 = clock.now();
            nic.start();
            nvme.start();
            sound.start();
            long nextFault = t0 + config.faultEveryNs() / 2;
            long nextReset = t0 + config.resetEveryNs();
            long nextIsa = t0;
            int turn = 0;
            int lastPermille = -1;
            while (true) {
                double done = config.modeledNs() > 0 ? (clock.now() - t0) / (double) config.modeledNs()
                        : (System.nanoTime() - wall0) / (double) config.wallNs();
                if (done >= 1) {
                    break;
                }
                if ((int) (done * 1000) != lastPermille) {
                    lastPermille = (int) (done * 1000);
                    progress.accept(done);
                }
                if (clock.now() >= nextFault) {
                    copy.injectFault(turn);
                    copy.injectUnmapInFlight(turn + 1);
                    churn.injectDoubleUnmap();
                    nextFault += config.faultEveryNs();
                }
                copy.start();
                churn.step();
                copy.finish();
                if (clock.now() >= nextIsa) {
                    isa.step();
                    nextIsa = clock.now() + config.isaEveryNs();
                }
                if (clock.now() >= nextReset) {
                    reset(turn++);
                    nextReset += config.resetEveryNs();
                }
                clock.runFor(ROUND_GAP_NS);
            }
            progress.accept(1);
            return finish(clock.now() - t0);
        }

        /** Stops every device's work, reads back what was written, tears down and checks. */
        private SoakReport finish(long modeled) {
            nic.stop();
            nvme.stop();
            sound.stopAndVerify();
            churn.stop();
            nvme.verifyAll();
            isa.verifyAll();
            copy.close();
            nvme.close();
            sabotageLeaks();
            long faultsBefore = kernel.iommu().faults().size();
            Set<Object> engines = Set.copyOf(kernel.copyEngines().stream().map(d -> (Object) d.requester()).toList());
            long frames = teardown(kernel);
            SoakReport r = new SoakReport();
            r.times(modeled, System.nanoTime() - wall0);
            copy.report(r);
            nic.report(r);
            nvme.report(r);
            isa.report(r);
            sound.report(r);
            churn.report(r);
            r.figure("resets        %d driver resets in all (copy engine, NIC port, NVMe, ISA in turn)", resets);
            checkFaults(r, faultsBefore, engines);
            checkChecker(r);
            r.check("leaks: IOVA pages still allocated after every device detached", 0, rig.iovaPages.get());
            r.check("leaks: frames still allocated after teardown, beyond what a fresh kernel keeps", referenceFrames, frames);
            return r;
        }

        /** The next driver reset, round robin over the devices. */
        private void reset(int turn) {
            switch (turn % 4) {
                case 0 -> copy.reset(turn / 4);
                case 1 -> {
                    nic.pauseAndDrain();
                    nic.reset(turn / 4);
                }
                case 2 -> nvme.reset();
                default -> isa.reset();
            }
            resets++;
        }

        private void sabotageLeaks() {
            if (config.sabotaged(Sabotage.LEAK_FRAME)) {
                DmaBuffer leaked = kernel.memory().allocate(4096, 4096);
                leaked.length(); // never closed
            }
            if (config.sabotaged(Sabotage.LEAK_IOVA)) {
                IommuDomain d = kernel.iommu().domainOf(kernel.copyEngines().getFirst().requester()).orElseThrow(
                        () -> new IllegalStateException("LEAK_IOVA needs a translating IOMMU mode, was " + config.iommu()));
                d.allocIova(4096, 0xFFFF_FFFFL).orElseThrow();
            }
        }

        /** Every injected fault recorded by the IOMMU (when it translates), and no other fault at all. */
        private void checkFaults(SoakReport r, long faults, Set<Object> engines) {
            List<IommuFault> all = kernel.iommu().faults();
            long others = all.stream().filter(f -> !engines.contains(f.device())).count();
            r.figure("faults        %d injected, %d survived, %d IOMMU fault records (IOMMU %s)", copy.faultsInjected,
                    copy.faultsSurvived, all.size(), config.iommu().name().toLowerCase(java.util.Locale.ROOT));
            boolean translated = config.iommu() == IommuMode.STRICT || config.iommu() == IommuMode.LAZY;
            if (translated) {
                r.check("iommu: injected faults the IOMMU did not record", 0, Math.max(0, copy.faultsInjected - faults));
            }
            r.check("iommu: faults recorded for devices nothing injected faults into", 0, others);
        }

        /** The checker: every injected misuse reported, nothing else, no mapping left at detach. */
        private void checkChecker(SoakReport r) {
            DmaDebug debug = kernel.dmaDebug().orElseThrow();
            long doubles = debug.count(DmaDebugCategory.FREE_NOT_ALLOCATED);
            long inUse = debug.count(DmaDebugCategory.UNMAP_WHILE_IN_USE);
            long access = debug.count(DmaDebugCategory.DEVICE_ACCESS_NOT_MAPPED);
            long leaks = debug.count(DmaDebugCategory.LEAK_ON_DETACH);
            long expectedTotal = doubles + inUse + access + leaks;
            debug.reports().stream().filter(x -> x.category() == DmaDebugCategory.LEAK_ON_DETACH)
                    .forEach(x -> r.figure("leak          %s", x));
            r.figure("checker       %,d reports: %d double unmaps, %d unmaps under a descriptor, %d device accesses to unmapped "
                    + "memory (all injected), %d leaks at detach", debug.errorCount(), doubles, inUse, access, leaks);
            r.check("checker: double unmaps reported vs injected", churn.doubleUnmapsInjected, doubles);
            r.check("checker: unmaps under a descriptor reported vs injected", copy.unmapsInjected, inUse);
            r.check("checker: injected faults with no device-access report", 0, Math.max(0, copy.faultsInjected - access));
            r.check("checker: reports of anything not injected", 0, debug.errorCount() - expectedTotal);
            r.check("leaks: mappings still live when their device detached", 0, leaks);
        }
    }
}
