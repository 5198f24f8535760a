package org.jdma.cli.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dmaengine.DmaCapabilities;
import org.jdma.kernel.dmaengine.DmaCapability;
import org.jdma.kernel.dmaengine.DmaChannel;
import org.jdma.kernel.dmaengine.DmaCookie;
import org.jdma.kernel.dmaengine.DmaTransfer;
import org.jdma.kernel.dmaengine.DmaTxResult;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.platform.Platform;

/**
 * The copy engines' share: one lane per engine, on a channel from the kernel's allocator, driven
 * from CPU {@code i mod cpus} with its completion interrupt routed there. A round starts a copy on
 * every lane before it waits for any (so the engines overlap), then waits, unmaps and checks every
 * byte of both whole buffers. Faults are injected here: a descriptor naming an address nothing
 * maps (the engine must end it with an error status and copy correctly next time), and an unmap
 * of a buffer a descriptor in flight still uses (the DMA API must refuse it).
 */
final class CopyWork {

    /**
     * A device address no mapping of the soak ever covers: 64 TiB, beyond the machine's RAM (so
     * with the IOMMU off or in pass-through there is nothing there) and never handed out by a
     * domain's top-down IOVA allocator, whose 32-bit space is tried first.
     */
    static final long UNMAPPED = 1L << 46;
    /** Bytes the faulting descriptor asks for. */
    private static final long FAULT_LENGTH = 4096;

    private final Kernel kernel;
    private final Platform platform;
    private final SoakConfig config;
    private final List<Lane> lanes = new ArrayList<>();
    private final SplittableRandom random;

    long copies;
    long bytesCopied;
    long bytesVerified;
    long wrongBytes;
    long failedCopies;
    long faultsInjected;
    long faultsEndedWithError;
    long faultsSurvived;
    long unmapsRefused;
    long unmapsInjected;
    long resets;
    private boolean corrupted;

    /** One engine: its channel, buffers and the copy in flight. */
    private static final class Lane {
        final DmaChannel channel;
        final CopyEngineDriver driver;
        final int cpu;
        final DmaBuffer src;
        final DmaBuffer dst;
        final byte[] srcImage;
        final byte[] dstImage;
        int len;
        int srcOff;
        int dstOff;
        long srcDevice;
        long dstDevice;
        DmaCookie cookie;
        boolean faultPending;
        boolean tryUnmapInFlight;

        Lane(DmaChannel channel, CopyEngineDriver driver, int cpu, DmaBuffer src, DmaBuffer dst, int size) {
            this.channel = channel;
            this.driver = driver;
            this.cpu = cpu;
            this.src = src;
            this.dst = dst;
            this.srcImage = new byte[size];
            this.dstImage = new byte[size];
        }
    }

    CopyWork(Kernel kernel, SoakConfig config) {
        this.kernel = kernel;
        this.platform = kernel.platform();
        this.config = config;
        this.random = new SplittableRandom(config.seed() ^ 0xC0B1L);
        List<CopyEngineDriver> drivers = kernel.copyEngines();
        for (int e = 0; e < drivers.size(); e++) {
            DmaChannel ch = kernel.dmaChannels().request(DmaCapabilities.of(DmaCapability.MEMCPY), "soak" + e);
            CopyEngineDriver d = drivers.stream().filter(x -> x.name().equals(ch.device())).findFirst().orElseThrow();
            int cpu = e % platform.cpus().size();
            kernel.drivers().setIrqAffinity(d.completionVector(), cpu);
            lanes.add(new Lane(ch, d, cpu, kernel.memory().allocate(config.copyBytes(), 4096),
                    kernel.memory().allocate(config.copyBytes(), 4096), config.copyBytes()));
        }
    }

    int engines() {
        return lanes.size();
    }

    /** Starts one copy on every lane. */
    void start() {
        for (Lane l : lanes) {
            platform.runOn(l.cpu, () -> start(l));
        }
    }

    /** Waits for every lane's copy, unmaps and verifies it. */
    void finish() {
        for (Lane l : lanes) {
            platform.runOn(l.cpu, () -> finish(l));
        }
    }

    private void start(Lane l) {
        int size = config.copyBytes();
        long align = Math.max(1, l.channel.alignment());
        l.len = (int) Math.max(align, (random.nextInt(size) + 1) / align * align);
        l.srcOff = (int) (random.nextInt(size - l.len + 1) / align * align);
        l.dstOff = (int) (random.nextInt(size - l.len + 1) / align * align);
        random.nextBytes(l.srcImage);
        random.nextBytes(l.dstImage);
        l.src.write(0, l.srcImage);
        l.dst.write(0, l.dstImage);
        DeviceDmaApi dma = l.channel.dma();
        l.srcDevice = dma.mapSingle(l.src.physicalAddress(), size, DmaDirection.TO_DEVICE);
        l.dstDevice = dma.mapSingle(l.dst.physicalAddress(), size, DmaDirection.BIDIRECTIONAL);
        if (dma.mappingError(l.srcDevice) || dma.mappingError(l.dstDevice)) {
            throw new IllegalStateException(l.channel.name() + ": mapping a copy buffer failed");
        }
        l.cookie = l.channel.submit(new DmaTransfer.Memcpy(l.dstDevice + l.dstOff, l.srcDevice + l.srcOff, l.len));
        l.channel.issuePending();
        if (l.tryUnmapInFlight) {
            l.tryUnmapInFlight = false;
            unmapsInjected++;
            try {
                dma.unmapSingle(l.srcDevice, size, DmaDirection.TO_DEVICE);
            } catch (DmaException expected) {
                unmapsRefused++; // the descriptor holds the mapping: refused, nothing changed
            }
        }
    }

    private void finish(Lane l) {
        DmaTxResult r = l.channel.syncWait(l.cookie);
        l.cookie = null;
        DeviceDmaApi dma = l.channel.dma();
        dma.unmapSingle(l.srcDevice, config.copyBytes(), DmaDirection.TO_DEVICE);
        dma.unmapSingle(l.dstDevice, config.copyBytes(), DmaDirection.BIDIRECTIONAL);
        copies++;
        if (config.sabotaged(Sabotage.CORRUPT_COPY) && !corrupted) {
            corrupted = true;
            l.dst.writeByte(l.dstOff, l.dst.readByte(l.dstOff) ^ 0x5A);
        }
        long wrong = verify(l);
        wrongBytes += wrong;
        bytesVerified += 2L * config.copyBytes();
        boolean ok = r.isSuccess() && wrong == 0;
        if (r.isSuccess()) {
            bytesCopied += l.len;
        }
        if (!ok) {
            failedCopies++;
        }
        if (l.faultPending && ok) {
            l.faultPending = false;
            faultsSurvived++;
        }
    }

    /** Bytes of the two whole buffers that are not what the copy should have left. */
    private long verify(Lane l) {
        byte[] src = l.src.toByteArray();
        byte[] dst = l.dst.toByteArray();
        long wrong = 0;
        for (int i = 0; i < src.length; i++) {
            if (src[i] != l.srcImage[i]) {
                wrong++;
            }
            boolean copied = i >= l.dstOff && i < l.dstOff + l.len;
            byte expected = copied ? l.srcImage[l.srcOff + i - l.dstOff] : l.dstImage[i];
            if (dst[i] != expected) {
                wrong++;
            }
        }
        return wrong;
    }

    /**
     * Between rounds: engine {@code pick mod engines} runs a copy from {@link #UNMAPPED} (unchecked,
     * as only fault injection may); the IOMMU (or the bus) refuses the read, the engine must end the
     * descriptor with an error status, and the lane's next copy must verify.
     */
    void injectFault(int pick) {
        Lane l = lanes.get(Math.floorMod(pick, lanes.size()));
        faultsInjected++;
        // A fresh page each time: the checker reports each never-mapped page of a device once.
        long from = UNMAPPED + faultsInjected * 4 * FAULT_LENGTH;
        OpResult r = platform.callOn(l.cpu, () -> l.driver.executeUnchecked(
                Descriptor.memmove(from, from + 2 * FAULT_LENGTH, FAULT_LENGTH)));
        if (r instanceof OpResult.Completed c && c.completion().isError()) {
            faultsEndedWithError++;
        }
        l.faultPending = true;
    }

    /** Arms the next copy of lane {@code pick mod engines} to try unmapping its source while the descriptor is in flight. */
    void injectUnmapInFlight(int pick) {
        lanes.get(Math.floorMod(pick, lanes.size())).tryUnmapInFlight = true;
    }

    /** Between rounds: resets engine {@code pick mod engines} through the driver core (its ring re-made, the channel kept). */
    void reset(int pick) {
        Lane l = lanes.get(Math.floorMod(pick, lanes.size()));
        platform.runOn(l.cpu, () -> kernel.drivers().reset(l.driver.name()));
        resets++;
    }

    /** The engines' drivers (for the churn, which maps for their devices too). */
    List<DeviceDmaApi> dmaApis() {
        return lanes.stream().map(l -> l.channel.dma()).toList();
    }

    void report(SoakReport r) {
        r.figure("copy engines  %d engines: %,d copies, %,d bytes copied, %,d bytes verified, %d failed; %d faults injected "
                        + "(%d ended with an error status, %d survived), %d unmaps under a descriptor refused of %d, %d resets",
                lanes.size(), copies, bytesCopied, bytesVerified, failedCopies, faultsInjected, faultsEndedWithError, faultsSurvived,
                unmapsRefused, unmapsInjected, resets);
        r.check("copy: wrong bytes", 0, wrongBytes);
        r.check("copy: failed copies", 0, failedCopies);
        r.check("copy: injected faults that did not end with an error status", 0, faultsInjected - faultsEndedWithError);
        r.check("copy: injected faults the engine did not survive", 0, faultsInjected - faultsSurvived);
        r.check("copy: unmaps under a descriptor in flight that were not refused", 0, unmapsInjected - unmapsRefused);
    }

    void close() {
        for (Lane l : lanes) {
            l.channel.close();
            l.src.close();
            l.dst.close();
        }
    }
}
