package org.jdma.kernel.drivers.memcpy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.testing.Seed;
import org.jdma.kernel.testing.Seeds;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.jdma.spec.memcpy.CompletionStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A copy engine on its own thread runs translated descriptors through the VT-d unit while this
 * thread (the machine thread, and the kernel's CPU) maps, unmaps and invalidates (strict mode).
 * Random descriptors point at IOVAs that are not mapped: some never were, some were unmapped (and
 * invalidated) just before. Every successful copy is checked byte for byte, the bytes around it
 * too; every faulting descriptor must complete with a page-fault status naming its address, and
 * the kernel's fault handler must report one fault record for it, naming its page and direction.
 * Nothing may be lost: the unit drops no fault, and every descriptor completes.
 *
 * <p>{@value #DESCRIPTORS_PROPERTY} sets the number of descriptors (10,000 by default; millions
 * for a long run: {@code -Djdma.stress.descriptors=1000000}). The test spins on the ring, so it
 * runs under a timeout on a thread of its own (which is then the machine thread).
 */
class ThreadedIommuStressTest {

    @RegisterExtension
    static final Seeds SEEDS = new Seeds();

    static final String DESCRIPTORS_PROPERTY = "jdma.stress.descriptors";
    private static final int DESCRIPTORS = Integer.getInteger(DESCRIPTORS_PROPERTY, 10_000);
    private static final int PAGE = 4096;
    private static final int MAX_BATCH = 16;
    /** Fewer than the unit's fault recording registers, so that the handler keeps up. */
    private static final int MAX_FAULTS_PER_BATCH = 4;
    /** Never-mapped IOVAs are picked in [base, base + pages * 4 KiB); no mapping may land there (checked). */
    private static final long NEVER_MAPPED_BASE = 0x10_0000L;
    private static final long NEVER_MAPPED_PAGES = 0x1000;
    /** The churn maps this many pages at a time: a size class the one-page mappings never share. */
    private static final int CHURN_PAGES = 4;

    /** One descriptor of a batch and what it must do: copy {@code expected} into dst, or fault at {@code badAddress}. */
    private record Planned(Descriptor descriptor, DmaBuffer dst, long srcIova, long dstIova, int dstOffset, byte[] dstBefore,
                           byte[] expected, long badAddress, boolean faultOnWrite) {
        boolean faults() {
            return expected == null;
        }
    }

    private Machine machine;
    private Kernel kernel;
    private CopyEngineDriver driver;
    private CopyEngine device;
    private final List<IommuFault> faults = new ArrayList<>();

    private void boot() {
        machine = new Machine(TestMachines.small(1));
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT)
                .withoutDriver(CopyEngineDriver.driver().name())
                .withDriver(CopyEngineDriver.driver(CopyEngineDriver.Options.DEFAULTS
                        .withMode(CopyEngineDriver.CompletionMode.POLLED).withRingSlots(64))));
        driver = kernel.driver(CopyEngineDriver.class);
        device = machine.devices(CopyEngine.class).getFirst();
        kernel.iommu().addFaultListener(faults::add);
    }

    @AfterEach
    void tearDown() {
        if (device != null) {
            device.stopThread();
        }
        if (kernel != null) {
            kernel.close();
        }
        if (machine != null) {
            machine.close();
        }
    }

    private DmaBuffer buffer(int pages) {
        // Not freed one by one: the machine's RAM goes with it at the end.
        return kernel.memory().allocate((long) pages * PAGE, PAGE);
    }

    private DeviceDmaApi dma() {
        return driver.dma();
    }

    private long map(DmaBuffer b, long size, DmaDirection direction) {
        long iova = dma().mapSingle(b.physicalAddress(), size, direction);
        assertFalse(dma().mappingError(iova), "mapping " + b);
        long page = iova & -PAGE;
        assertTrue(page + size <= NEVER_MAPPED_BASE || page >= NEVER_MAPPED_BASE + NEVER_MAPPED_PAGES * PAGE,
                "the allocator handed out IOVA 0x" + Long.toHexString(iova) + " inside the range this test counts as never mapped");
        return iova;
    }

    @Test
    void shouldCopyEveryByteAndReportEveryFaultWhileTheKernelRemapsUnderAThreadedEngine(@Seed(0x5EED_10BBL) long seed) {
        // The run spins on the ring: a lost descriptor would spin forever. The timeout grows with the count.
        assertTimeoutPreemptively(Duration.ofSeconds(120 + DESCRIPTORS / 1_000), () -> runStress(seed),
                "seed " + seed + ": " + DESCRIPTORS + " descriptors");
    }

    private void runStress(long seed) {
        boot();
        SplittableRandom rnd = new SplittableRandom(seed);
        Pools pools = new Pools();
        device.startThread();
        long done = 0;
        long faulted = 0;
        while (done < DESCRIPTORS) {
            List<Planned> batch = plan(rnd, pools, (int) Math.min(rnd.nextInt(1, MAX_BATCH + 1), DESCRIPTORS - done));
            assertEquals(batch.size(), driver.submitUnchecked(batch.stream().map(Planned::descriptor).toList()), "seed " + seed);
            awaitAndCheck(batch, pools, seed);
            machine.clock().runUntilIdle(); // the posted fault events reach the kernel's fault handler
            checkFaultRecords(batch, seed);
            unmapGood(batch);
            done += batch.size();
            faulted += batch.stream().filter(Planned::faults).count();
        }
        device.stopThread();
        VtdUnit unit = machine.remappingUnits().getFirst();
        assertEquals(0, unit.faultsDropped(), "seed " + seed + ": the unit lost no fault");
        assertEquals(faulted, unit.faultsRecorded(), "seed " + seed + ": one fault record per faulting descriptor");
        assertTrue(faulted > 0 && faulted < done, "seed " + seed + ": both kinds ran (" + faulted + " of " + done + " faulted)");
        assertTrue(pools.churns > 0, "seed " + seed + ": the kernel remapped while the device ran");
        assertTrue(machine.eventKernel().postedRun() > 0, "seed " + seed + ": the fault events came through the inbox");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldStopAndJoinTheDeviceThreadWhenTheMachineResetsWhileItCopiesAndFaults(@Seed(0x5EED_10BCL) long seed) {
        boot();
        SplittableRandom rnd = new SplittableRandom(seed);
        Pools pools = new Pools();
        device.startThread();
        for (int round = 0; round < 8; round++) {
            List<Planned> batch = plan(rnd, pools, MAX_BATCH);
            driver.submitUnchecked(batch.stream().map(Planned::descriptor).toList());
            pools.churn();
        }
        machine.reset(); // the device thread is most likely in the middle of the ring
        assertFalse(device.threaded(), "seed " + seed + ": reset stopped the device thread");
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals(device.name() + "-engine")),
                "seed " + seed + ": the device thread was joined");
        assertEquals(0, machine.eventKernel().pendingEvents(), "seed " + seed + ": nothing scheduled survives the reset");
        assertEquals(0, machine.eventKernel().runPosted(), "seed " + seed + ": nothing the thread posted survives the reset");
        assertFalse(machine.remappingUnits().getFirst().translationEnabled(), "seed " + seed + ": the unit is at its reset state");
        kernel = null; // the kernel's view of the hardware ended with the reset: it is not closed
    }

    /** Buffers the descriptors use: one source and one destination page per batch slot, and the long-lived ones. */
    private final class Pools {
        final DmaBuffer[] sources = new DmaBuffer[MAX_BATCH];
        final DmaBuffer[] destinations = new DmaBuffer[MAX_BATCH];
        final DmaBuffer stale = buffer(1);
        final DmaBuffer churn = buffer(CHURN_PAGES);
        /** Mapped for the whole run: the mapped side of a faulting descriptor. */
        final long sinkIova;
        final long fountainIova;
        long churns;

        Pools() {
            for (int i = 0; i < MAX_BATCH; i++) {
                sources[i] = buffer(1);
                destinations[i] = buffer(1);
            }
            sinkIova = map(buffer(1), PAGE, DmaDirection.FROM_DEVICE);
            fountainIova = map(buffer(1), PAGE, DmaDirection.TO_DEVICE);
        }

        /** One strict map and unmap (with its IOTLB invalidation) of a buffer no descriptor names. */
        void churn() {
            long iova = map(churn, (long) CHURN_PAGES * PAGE, DmaDirection.BIDIRECTIONAL);
            dma().unmapSingle(iova, (long) CHURN_PAGES * PAGE, DmaDirection.BIDIRECTIONAL);
            churns++;
        }
    }

    private List<Planned> plan(SplittableRandom rnd, Pools pools, int size) {
        List<Planned> batch = new ArrayList<>(size);
        int faulting = 0;
        for (int i = 0; i < size; i++) {
            boolean fault = faulting < MAX_FAULTS_PER_BATCH && rnd.nextInt(8) == 0;
            batch.add(fault ? null : good(rnd, pools.sources[i], pools.destinations[i]));
            faulting += fault ? 1 : 0;
        }
        // A page mapped and unmapped (strict: invalidated) only now, after the good mappings, so no
        // mapping of this batch reuses its IOVA; the churn maps another size class.
        long staleIova = map(pools.stale, PAGE, DmaDirection.BIDIRECTIONAL);
        dma().unmapSingle(staleIova, PAGE, DmaDirection.BIDIRECTIONAL);
        for (int i = 0; i < size; i++) {
            if (batch.get(i) == null) {
                long page = rnd.nextBoolean() ? staleIova : NEVER_MAPPED_BASE + rnd.nextLong(NEVER_MAPPED_PAGES) * PAGE;
                batch.set(i, faulting(rnd, pools, page));
            }
        }
        return batch;
    }

    /** A copy of random bytes between two freshly mapped pages, at random offsets. */
    private Planned good(SplittableRandom rnd, DmaBuffer src, DmaBuffer dst) {
        int length = rnd.nextInt(1, PAGE + 1);
        int srcOffset = rnd.nextInt(PAGE - length + 1);
        int dstOffset = rnd.nextInt(PAGE - length + 1);
        byte[] data = new byte[length];
        rnd.nextBytes(data);
        src.write(srcOffset, data);
        byte[] before = new byte[PAGE];
        rnd.nextBytes(before);
        dst.write(0, before);
        long srcIova = map(src, PAGE, DmaDirection.TO_DEVICE);
        long dstIova = map(dst, PAGE, DmaDirection.FROM_DEVICE);
        return new Planned(Descriptor.memmove(srcIova + srcOffset, dstIova + dstOffset, length), dst, srcIova, dstIova,
                dstOffset, before, data, 0, false);
    }

    /** A copy whose source (a read fault) or destination (a write fault) is the unmapped {@code page}; the other side is mapped. */
    private Planned faulting(SplittableRandom rnd, Pools pools, long page) {
        int length = rnd.nextInt(1, PAGE + 1);
        long bad = page + rnd.nextInt(PAGE - length + 1);
        boolean write = rnd.nextBoolean();
        Descriptor d = write ? Descriptor.memmove(pools.fountainIova, bad, length) : Descriptor.memmove(bad, pools.sinkIova, length);
        return new Planned(d, null, 0, 0, 0, null, null, bad, write);
    }

    /** Drains the batch, churning mappings while the device works, and checks each completion. */
    private void awaitAndCheck(List<Planned> batch, Pools pools, long seed) {
        CompletedDescriptor[] out = new CompletedDescriptor[MAX_BATCH];
        int drained = 0;
        while (drained < batch.size()) {
            int got = driver.drain(out);
            for (int i = 0; i < got; i++) {
                check(batch.get(drained + i), out[i], seed);
            }
            drained += got;
            if (got == 0) {
                if (Thread.interrupted()) {
                    throw new AssertionError("seed " + seed + ": interrupted (timed out) with " + drained + " of "
                            + batch.size() + " descriptors of a batch completed");
                }
                pools.churn();
                machine.eventKernel().runPosted();
            }
        }
    }

    private void check(Planned p, CompletedDescriptor c, long seed) {
        String what = "seed " + seed + ": " + p.descriptor();
        if (p.faults()) {
            assertTrue(c.isError(), what + " must fault, completed " + c.status());
            assertEquals(CompletionStatus.PAGE_FAULT_NOBOF, c.status(), what);
            assertEquals(p.badAddress(), c.faultAddress(), what + ": the completion names the first byte that faulted");
            assertEquals(p.faultOnWrite(), c.faultOnWrite(), what);
            return;
        }
        assertEquals(CompletionStatus.SUCCESS, c.status(), what);
        byte[] want = p.dstBefore().clone();
        System.arraycopy(p.expected(), 0, want, p.dstOffset(), p.expected().length);
        assertArrayEquals(want, p.dst().toByteArray(), what + ": the copied bytes, and nothing around them");
    }

    /** The faults the handler reported since the last batch: one per faulting descriptor, its page, its direction. */
    private void checkFaultRecords(List<Planned> batch, long seed) {
        List<String> want = new ArrayList<>();
        for (Planned p : batch) {
            if (p.faults()) {
                want.add(faultKey(p.badAddress() & -PAGE, !p.faultOnWrite()));
            }
        }
        List<String> got = new ArrayList<>();
        for (IommuFault f : faults) {
            assertEquals(driver.requester(), f.device(), "seed " + seed + ": " + f);
            got.add(faultKey(f.iovaPage(), f.read()));
        }
        faults.clear();
        want.sort(null);
        got.sort(null);
        assertEquals(want, got, "seed " + seed + ": fault records of a batch of " + batch.size());
    }

    private static String faultKey(long page, boolean read) {
        return (read ? "read 0x" : "write 0x") + Long.toHexString(page);
    }

    private void unmapGood(List<Planned> batch) {
        for (Planned p : batch) {
            if (!p.faults()) {
                dma().unmapSingle(p.srcIova(), PAGE, DmaDirection.TO_DEVICE);
                dma().unmapSingle(p.dstIova(), PAGE, DmaDirection.FROM_DEVICE);
            }
        }
    }
}
