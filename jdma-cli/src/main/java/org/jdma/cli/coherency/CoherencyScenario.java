package org.jdma.cli.coherency;

import java.util.EnumSet;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.platform.Cpu;
import org.jdma.machine.cache.CacheConfig;

/**
 * Small drivers for the copy engine, each with one kind of missing or misplaced cache maintenance
 * (the buggy variant) and the same driver done right (the fixed variant). Each copies a
 * {@link #BUFFER}-byte pattern through the device and returns what the CPU read back. Driver code
 * uses only the DMA API (the checked one), the CPU and the copy engine, as a real driver would.
 * Which findings each buggy driver draws from the checker is stated by the tests, not here: a run
 * is judged only by what it observed ({@link ScenarioResult#tellsTheStory()}).
 */
public enum CoherencyScenario {

    FORGETS_SYNC_FOR_DEVICE("refills a long-lived TO_DEVICE buffer and forgets syncSingleForDevice") {
        @Override
        Outcome run(CoherencyRig rig, boolean buggy) {
            Rx rx = new Rx(rig);
            rx.round(pattern(0x10), true, true);
            byte[] second = pattern(0x80);
            byte[] out = rx.round(second, !buggy, true);
            rx.close();
            return Outcome.compare(second, out);
        }
    },

    FORGETS_SYNC_FOR_CPU("reads a long-lived FROM_DEVICE buffer again without syncSingleForCpu") {
        @Override
        Outcome run(CoherencyRig rig, boolean buggy) {
            Rx rx = new Rx(rig);
            rx.round(pattern(0x10), true, true);
            byte[] second = pattern(0x80);
            byte[] out = rx.round(second, true, !buggy);
            rx.close();
            return Outcome.compare(second, out);
        }
    },

    WRITES_WHILE_DEVICE_OWNS("clears the receive buffer after mapping it, while the device owns it") {
        @Override
        Outcome run(CoherencyRig rig, boolean buggy) {
            DmaApi dma = rig.dma;
            DmaDevice dev = rig.device;
            Cpu cpu = rig.cpu;
            byte[] data = pattern(0x40);
            long src = rig.allocate(BUFFER);
            long dst = rig.allocate(BUFFER);
            long scratchSize = 2 * rig.machine.config().cache().capacity();
            long scratch = rig.allocate(scratchSize);
            cpu.write(src, data);
            long s = rig.map(src, BUFFER, DmaDirection.TO_DEVICE);
            if (!buggy) {
                cpu.fill(dst, BUFFER, (byte) 0); // cleared while the CPU still owns it
            }
            long d = rig.map(dst, BUFFER, DmaDirection.FROM_DEVICE);
            if (buggy) {
                cpu.fill(dst, BUFFER, (byte) 0); // the bug: the lines are dirty in the cache, over the device's buffer
            }
            rig.deviceCopy(s, d, BUFFER);
            cpu.fill(scratch, scratchSize, (byte) 1); // other work: every line of the cache is replaced
            dma.syncSingleForCpu(dev, d, BUFFER, DmaDirection.FROM_DEVICE);
            byte[] out = new byte[BUFFER];
            cpu.read(dst, out);
            rig.unmap(s, BUFFER, DmaDirection.TO_DEVICE);
            rig.unmap(d, BUFFER, DmaDirection.FROM_DEVICE);
            return Outcome.compare(data, out);
        }
    },

    SHARES_A_CACHE_LINE("puts the receive buffer in the cache line of a counter the CPU updates during the DMA") {
        @Override
        Outcome run(CoherencyRig rig, boolean buggy) {
            Cpu cpu = rig.cpu;
            byte[] data = pattern(0x20);
            long src = rig.allocate(BUFFER);
            cpu.write(src, data);
            long s = rig.map(src, BUFFER, DmaDirection.TO_DEVICE);
            // struct { long inFlight; byte rx[BUFFER]; }: packed (buggy), or rx on its own cache lines (fixed).
            long block = rig.allocate(4096);
            long rxOffset = buggy ? Long.BYTES * 2 : rig.lineSize();
            long rx = block + rxOffset;
            long d = rig.map(rx, BUFFER, DmaDirection.FROM_DEVICE);
            cpu.write64(block, cpu.read64(block) + 1); // the driver's own field: legal, but its line is the device's too
            rig.deviceCopy(s, d, BUFFER);
            rig.dma.syncSingleForCpu(rig.device, d, BUFFER, DmaDirection.FROM_DEVICE);
            byte[] out = new byte[BUFFER];
            cpu.read(rx, out);
            rig.unmap(s, BUFFER, DmaDirection.TO_DEVICE);
            rig.unmap(d, BUFFER, DmaDirection.FROM_DEVICE);
            return Outcome.compare(data, out);
        }
    },

    REFILLED_DURING_DMA("unmaps with SKIP_CPU_SYNC, trusting that nothing is cached, while the cache refills speculatively") {
        @Override
        CacheConfig cache(int lineSize) {
            return CacheConfig.nonCoherent(lineSize).withSpeculativeRefillRate(1.0);
        }

        @Override
        Outcome run(CoherencyRig rig, boolean buggy) {
            Cpu cpu = rig.cpu;
            byte[] data = pattern(0x50);
            long src = rig.allocate(BUFFER);
            cpu.write(src, data);
            long s = rig.map(src, BUFFER, DmaDirection.TO_DEVICE);
            // struct { long packets; ...pad to a line...; byte rx[BUFFER]; } in one page.
            long page = rig.allocate(4096);
            long rx = page + rig.lineSize();
            long scratchSize = 2 * rig.machine.config().cache().capacity();
            long scratch = rig.allocate(scratchSize);
            cpu.fill(scratch, scratchSize, (byte) 1); // other work: the rx lines leave the cache
            long d = rig.map(rx, BUFFER, DmaDirection.FROM_DEVICE);
            for (int i = 0; i < REFILL_TOUCHES; i++) {
                cpu.write64(page, cpu.read64(page) + 1); // the driver's own counter, next to the buffer: the page is "recent"
            }
            rig.deviceCopy(s, d, BUFFER);
            rig.dma.unmapSingle(rig.device, d, BUFFER, DmaDirection.FROM_DEVICE,
                    buggy ? EnumSet.of(DmaAttr.SKIP_CPU_SYNC) : CoherencyRig.NO_ATTRS);
            byte[] out = new byte[BUFFER];
            cpu.read(rx, out);
            rig.unmap(s, BUFFER, DmaDirection.TO_DEVICE);
            return Outcome.compare(data, out);
        }
    },

    PEEKS_BEFORE_SYNC_FOR_CPU("polls the receive buffer for the device's data before syncSingleForCpu") {
        @Override
        Outcome run(CoherencyRig rig, boolean buggy) {
            Cpu cpu = rig.cpu;
            byte[] data = pattern(0x30);
            long src = rig.allocate(BUFFER);
            long dst = rig.allocate(BUFFER);
            cpu.write(src, data);
            long s = rig.map(src, BUFFER, DmaDirection.TO_DEVICE);
            long d = rig.map(dst, BUFFER, DmaDirection.FROM_DEVICE);
            byte[] out = new byte[BUFFER];
            if (buggy) {
                cpu.read(dst, out); // "is the data there yet?" before the device ran: caches the old bytes
                rig.deviceCopy(s, d, BUFFER);
                cpu.read(dst, out); // and again after: the cached old bytes answer
            } else {
                rig.deviceCopy(s, d, BUFFER); // completion comes from the engine, not from the buffer
                rig.dma.syncSingleForCpu(rig.device, d, BUFFER, DmaDirection.FROM_DEVICE);
                cpu.read(dst, out);
            }
            rig.unmap(s, BUFFER, DmaDirection.TO_DEVICE);
            rig.unmap(d, BUFFER, DmaDirection.FROM_DEVICE);
            return Outcome.compare(data, out);
        }
    };

    /** Bytes each scenario moves: 16 lines of 64 bytes. */
    public static final int BUFFER = 1024;
    /**
     * CPU accesses next to the buffer during the DMA in {@link #REFILLED_DURING_DMA}: each may
     * refill one absent line of a recent page, so with this many some rx line is refilled for any
     * seed but with a vanishing chance (about 1e-7).
     */
    static final int REFILL_TOUCHES = 256;

    private final String title;

    CoherencyScenario(String title) {
        this.title = title;
    }

    /** What the buggy driver does wrong. */
    public String title() {
        return title;
    }

    /** The scenario's name on the command line ("forgets-sync-for-device"). */
    public String optionName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    abstract Outcome run(CoherencyRig rig, boolean buggy);

    /** The machine's cache for this scenario (a plain non-coherent write-back cache unless it needs more). */
    CacheConfig cache(int lineSize) {
        return CacheConfig.nonCoherent(lineSize);
    }

    static byte[] pattern(int base) {
        byte[] b = new byte[BUFFER];
        for (int i = 0; i < BUFFER; i++) {
            b[i] = (byte) (base + i * 7 + 1);
        }
        return b;
    }

    /**
     * A driver with a long-lived transmit buffer (TO_DEVICE) and receive buffer (FROM_DEVICE),
     * mapped once and handed back and forth with syncs, as network drivers keep their rings.
     */
    private static final class Rx {
        private final CoherencyRig rig;
        private final long src;
        private final long dst;
        private final long s;
        private final long d;

        Rx(CoherencyRig rig) {
            this.rig = rig;
            src = rig.allocate(BUFFER);
            dst = rig.allocate(BUFFER);
            s = rig.map(src, BUFFER, DmaDirection.TO_DEVICE);
            d = rig.map(dst, BUFFER, DmaDirection.FROM_DEVICE);
        }

        /** One transfer of {@code data}; the two flags say whether the driver makes the syncs it owes. */
        byte[] round(byte[] data, boolean syncSourceForDevice, boolean syncDestinationForCpu) {
            DmaApi dma = rig.dma;
            DmaDevice dev = rig.device;
            dma.syncSingleForCpu(dev, s, BUFFER, DmaDirection.TO_DEVICE);
            rig.cpu.write(src, data);
            if (syncSourceForDevice) {
                dma.syncSingleForDevice(dev, s, BUFFER, DmaDirection.TO_DEVICE);
            }
            rig.deviceCopy(s, d, BUFFER);
            if (syncDestinationForCpu) {
                dma.syncSingleForCpu(dev, d, BUFFER, DmaDirection.FROM_DEVICE);
            }
            byte[] out = new byte[BUFFER];
            rig.cpu.read(dst, out);
            dma.syncSingleForDevice(dev, d, BUFFER, DmaDirection.FROM_DEVICE);
            return out;
        }

        void close() {
            rig.unmap(s, BUFFER, DmaDirection.TO_DEVICE);
            rig.unmap(d, BUFFER, DmaDirection.FROM_DEVICE);
        }
    }
}
