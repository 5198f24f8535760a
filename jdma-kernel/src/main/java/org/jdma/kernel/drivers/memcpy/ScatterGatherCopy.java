package org.jdma.kernel.drivers.memcpy;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jdma.kernel.dma.CoherentAllocation;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.platform.Cpu;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CopyDescriptorLayout;

/**
 * Scatter-gather copies as one DSA BATCH (DSA spec §8.3.1, opcode BATCH): the copy between two
 * lists of mapped device segments is cut into MEMMOVE pieces wherever a segment of either list
 * ends and wherever a piece would exceed the engine's largest transfer; the pieces go into a
 * descriptor list (with a completion record per piece after it) in coherent memory from the
 * device's DMA API, and one BATCH descriptor names the list: one doorbell, one completion.
 */
final class ScatterGatherCopy {

    private final DeviceDmaApi dma;
    private final Cpu cpu;
    private final long maxTransferSize;
    /** Runs one descriptor and waits for it (the driver's synchronous path). */
    private final Function<Descriptor, OpResult> execute;

    ScatterGatherCopy(DeviceDmaApi dma, Cpu cpu, long maxTransferSize, Function<Descriptor, OpResult> execute) {
        this.dma = dma;
        this.cpu = cpu;
        this.maxTransferSize = maxTransferSize;
        this.execute = execute;
    }

    /** See {@link CopyEngineDriver#copySg(ScatterList, int, ScatterList, int)}. */
    OpResult copy(ScatterList source, int sourceCount, ScatterList destination, int destinationCount) {
        long[] src = segments(source, sourceCount, "source");
        long[] dst = segments(destination, destinationCount, "destination");
        if (total(src) != total(dst)) {
            throw new IllegalArgumentException(String.format(
                    "source segments hold %d bytes but destination segments hold %d", total(src), total(dst)));
        }
        return runPieces(pieces(src, dst));
    }

    /** See {@link CopyEngineDriver#copySg(ScatterList, int, long)}. */
    OpResult copy(ScatterList source, int sourceCount, long destination) {
        long[] src = segments(source, sourceCount, "source");
        return runPieces(pieces(src, new long[] {destination, total(src)}));
    }

    /** Flattens the first {@code count} device segments into {address, length, address, length, ...}. */
    private static long[] segments(ScatterList sg, int count, String what) {
        Objects.requireNonNull(sg, what);
        if (count < 1 || count > sg.size()) {
            throw new IllegalArgumentException(String.format("%s count %d is outside 1..%d (the list's entries)", what, count, sg.size()));
        }
        long[] out = new long[2 * count];
        for (int i = 0; i < count; i++) {
            ScatterList.Entry e = sg.get(i);
            if (e.dmaAddress() == DmaApi.DMA_MAPPING_ERROR || e.dmaLength() <= 0) {
                throw new IllegalArgumentException(String.format("%s segment %d is not mapped (dma address %#x, length %d): map the list first",
                        what, i, e.dmaAddress(), e.dmaLength()));
            }
            out[2 * i] = e.dmaAddress();
            out[2 * i + 1] = e.dmaLength();
        }
        return out;
    }

    private static long total(long[] segs) {
        long t = 0;
        for (int i = 1; i < segs.length; i += 2) {
            t += segs[i];
        }
        return t;
    }

    /** MEMMOVEs covering both segment lists (equal totals), cut at every segment end of either and at the transfer limit. */
    private List<Descriptor> pieces(long[] src, long[] dst) {
        List<Descriptor> out = new ArrayList<>();
        int si = 0;
        int di = 0;
        long so = 0;
        long dof = 0;
        while (si < src.length && di < dst.length) {
            long n = Math.min(Math.min(src[si + 1] - so, dst[di + 1] - dof), maxTransferSize);
            out.add(Descriptor.memmove(src[si] + so, dst[di] + dof, n));
            so += n;
            dof += n;
            if (so == src[si + 1]) {
                si += 2;
                so = 0;
            }
            if (dof == dst[di + 1]) {
                di += 2;
                dof = 0;
            }
        }
        if (out.size() > CopyDescriptorLayout.MAX_BATCH_SIZE) {
            throw new IllegalArgumentException(String.format(
                    "the copy needs %d pieces; one batch holds at most %d", out.size(), CopyDescriptorLayout.MAX_BATCH_SIZE));
        }
        return out;
    }

    /**
     * One piece as a plain descriptor; more as one BATCH whose list (and the pieces' records) lives
     * in coherent memory while the batch runs. After a {@link OpResult.TimedOut} or
     * {@link OpResult.Halted} the list is deliberately left allocated (leaked): the engine may
     * still read it, and freeing memory a device may read is worse than losing a few frames.
     */
    private OpResult runPieces(List<Descriptor> pieces) {
        int n = pieces.size();
        if (n == 1) {
            return execute.apply(pieces.getFirst());
        }
        long listBytes = (long) n * CopyDescriptorLayout.SIZE;
        // Coherent memory is page aligned, beyond the 64 bytes DESC_LIST_ALIGN asks.
        CoherentAllocation list = dma.allocCoherent(listBytes + (long) n * CompletionRecordLayout.SIZE);
        long listDevice = list.dmaAddress();
        byte[] bytes = new byte[(int) listBytes];
        MemorySegment seg = MemorySegment.ofArray(bytes);
        for (int i = 0; i < n; i++) {
            DescriptorCodec.encode(seg, (long) i * CopyDescriptorLayout.SIZE, pieces.get(i),
                    listDevice + listBytes + (long) i * CompletionRecordLayout.SIZE, CopyEngineDriver.COMPLETION_ENTRY);
        }
        cpu.write(list.physical(), bytes);
        OpResult r = execute.apply(Descriptor.batch(listDevice, n));
        if (r instanceof OpResult.Completed) {
            list.close();
        }
        return r;
    }
}
