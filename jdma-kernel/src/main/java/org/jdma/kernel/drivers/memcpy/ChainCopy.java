package org.jdma.kernel.drivers.memcpy;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jdma.kernel.dma.CoherentAllocation;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaInFlight;
import org.jdma.platform.Cpu;
import org.jdma.spec.memcpy.CopyDescriptorLayout;

/**
 * Descriptor chains (the copy engine's CHAIN, a jdma extension advertised by CAP.CHAIN): the links
 * go into coherent memory from the device's DMA API, each naming the next by device address and
 * the last carrying the engine's LAST flag, and one CHAIN descriptor in the ring names the first:
 * one doorbell, one completion record, at most one interrupt for the chain.
 */
final class ChainCopy {

    private final DeviceDmaApi dma;
    private final Cpu cpu;
    private final boolean supported;
    /** Runs one descriptor and waits for it (the driver's synchronous path). */
    private final Function<Descriptor, OpResult> execute;

    ChainCopy(DeviceDmaApi dma, Cpu cpu, boolean supported, Function<Descriptor, OpResult> execute) {
        this.dma = dma;
        this.cpu = cpu;
        this.supported = supported;
        this.execute = execute;
    }

    /** See {@link CopyEngineDriver#copyChain}; {@code checked} false only for fault injection. */
    OpResult run(List<Descriptor> links, boolean checked) {
        if (!supported) {
            throw new UnsupportedOperationException("the engine does not advertise CAP.CHAIN");
        }
        check(links);
        if (!checked) {
            return runHeld(links);
        }
        int n = links.size();
        // Every link's buffers must be mapped for the engine, and stay mapped until the chain completes.
        DmaInFlight inFlight = dma.inFlight();
        DmaInFlight.Ranges ranges = new DmaInFlight.Ranges();
        for (int i = 0; i < n; i++) {
            int link = i;
            links.get(i).namedRanges(new LinkRanges(ranges, link));
        }
        long[] holds = new long[ranges.size()];
        inFlight.hold(ranges, tag -> "copy engine chain link buffers (" + n + " links)", 0, holds, 0);
        try {
            return runHeld(links);
        } finally {
            inFlight.release(holds, 0, holds.length);
        }
    }

    private OpResult runHeld(List<Descriptor> links) {
        int n = links.size();
        long bytes = (long) n * CopyDescriptorLayout.SIZE;
        // Coherent memory is page aligned, beyond the 64 bytes a link address needs.
        CoherentAllocation memory = dma.allocCoherent(bytes);
        long first = memory.dmaAddress();
        byte[] encoded = new byte[(int) bytes];
        MemorySegment seg = MemorySegment.ofArray(encoded);
        for (int i = 0; i < n; i++) {
            long next = i == n - 1 ? -1 : first + (long) (i + 1) * CopyDescriptorLayout.SIZE;
            DescriptorCodec.encodeLink(seg, (long) i * CopyDescriptorLayout.SIZE, links.get(i), next);
        }
        cpu.write(memory.physical(), encoded);
        OpResult r = execute.apply(Descriptor.chain(first));
        if (r instanceof OpResult.Completed) {
            memory.close();
        }
        // After a timeout or a halt the links stay allocated (leaked): the engine may still read them.
        return r;
    }

    /** Names each range after its link ("link 2 MEMMOVE source"). */
    private record LinkRanges(DmaInFlight.Ranges into, int link) implements DmaInFlight.RangeSink {
        @Override
        public LinkRanges add(String field, long deviceAddress, long bytes, DmaDirection access) {
            into.add("link " + link + " " + field, deviceAddress, bytes, access);
            return this;
        }
    }

    /** LAST means what it says: it ends the chain, so it is on the last link and only there. */
    private static void check(List<Descriptor> links) {
        Objects.requireNonNull(links, "links");
        if (links.isEmpty() || links.size() > CopyDescriptorLayout.MAX_CHAIN_LINKS) {
            throw new IllegalArgumentException(String.format("a chain holds 1..%d links, was %d",
                    CopyDescriptorLayout.MAX_CHAIN_LINKS, links.size()));
        }
        for (int i = 0; i < links.size(); i++) {
            Descriptor d = Objects.requireNonNull(links.get(i), () -> "link " + links.indexOf(null));
            DescriptorCodec.checkEncodable(d);
            DescriptorCodec.checkLink(d);
            boolean last = i == links.size() - 1;
            if (d.hasFlag(Descriptor.LAST) != last) {
                throw new IllegalArgumentException(last
                        ? "link " + i + " ends the chain but lacks LAST"
                        : "link " + i + " has LAST but " + (links.size() - 1 - i) + " links follow it");
            }
        }
    }
}
