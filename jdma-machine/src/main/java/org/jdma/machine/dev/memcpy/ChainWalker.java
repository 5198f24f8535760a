package org.jdma.machine.dev.memcpy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.memcpy.CopyDescriptorLayout;

/**
 * Runs a CHAIN descriptor (a jdma extension; format in {@link CopyDescriptorLayout}): fetches each
 * link through the device's DMA port (so behind an IOMMU the links are translated like data),
 * validates and runs it as {@link DescriptorExecutor} does any descriptor, and follows its
 * next-link address until a link carries {@link CopyDescriptorLayout#FLAG_LINK_LAST}. The results
 * go into the head's {@link DescriptorExecutor.Work}, whose one record and one interrupt the
 * engine then writes and sends for the whole chain.
 *
 * <p>The walk ends at the first link that cannot be had or fails: a misaligned link address
 * (DESCLIST_ALIGN), a link fetch that faults (BATCH_PAGE_FAULT, fault address = the byte that
 * faulted), a link whose own status is an error (that status, with its fault address, write bit
 * and invalid flags). The head then reports the links completed before it (= the failed link's
 * index), the failed link's address and the bytes that link completed. A chain that has not ended
 * after {@link CopyDescriptorLayout#MAX_CHAIN_LINKS} links — a loop, or a lost LAST — ends with
 * DESC_CNT_ERANGE naming the link it would have fetched next: the engine never follows a chain
 * for ever. A COMPARE link that finds a difference is a success; the head's result byte is 1 when
 * any did.
 *
 * <p>One chain at a time, like the executor; the link scratch is reused and nothing allocates.
 */
final class ChainWalker {

    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final CopyEngineConfig config;
    private final DmaPort port;
    private final DescriptorExecutor executor;
    private final MemorySegment link = MemorySegment.ofArray(new byte[CopyDescriptorLayout.SIZE]);
    private final DescriptorExecutor.Work linkWork = new DescriptorExecutor.Work();
    /** Links run (any status) since the machine was built. */
    private long linksCompleted;

    ChainWalker(CopyEngineConfig config, DmaPort port, DescriptorExecutor executor) {
        this.config = config;
        this.port = port;
        this.executor = executor;
    }

    long linksCompleted() {
        return linksCompleted;
    }

    /** Walks the chain whose first link is at {@code first}, into {@code head}. */
    void run(DescriptorExecutor.Work head, long first) {
        long address = first;
        int done = 0;
        int result = 0;
        while (true) {
            if (done == CopyDescriptorLayout.MAX_CHAIN_LINKS) {
                stop(head, CompletionStatus.DESC_CNT_ERANGE.code(), done, address);
                return;
            }
            if ((address & (CopyDescriptorLayout.DESC_LIST_ALIGN - 1)) != 0) {
                stop(head, CompletionStatus.DESCLIST_ALIGN.code(), done, address);
                return;
            }
            DmaResult r = port.read(address, link, 0, CopyDescriptorLayout.SIZE);
            head.costNs += r.costNs();
            if (!r.isOk()) {
                stop(head, CompletionStatus.BATCH_PAGE_FAULT.code(), done, address);
                head.faultAddr = r.faultAddress();
                return;
            }
            DescriptorExecutor.Work w = linkWork;
            w.slot = head.slot;
            executor.execute(link, 0, w, DescriptorExecutor.Place.CHAIN_LINK);
            head.costNs += config.setupLatencyNs() + w.costNs;
            linksCompleted++;
            executor.count(w);
            if (w.isError()) {
                stop(head, w.statusByte, done, address);
                head.faultAddr = w.faultAddr;
                head.invalidFlags = w.invalidFlags;
                head.linkBytes = w.bytesCompleted;
                return;
            }
            result |= w.result;
            done++;
            if ((w.flags & CopyDescriptorLayout.FLAG_LINK_LAST) != 0) {
                break;
            }
            address = link.get(LE_LONG, CopyDescriptorLayout.NEXT_LINK);
        }
        head.statusByte = CompletionStatus.SUCCESS.code();
        head.bytesCompleted = done;
        head.result = result;
    }

    private static void stop(DescriptorExecutor.Work head, int statusByte, int linksDone, long linkAddress) {
        head.statusByte = statusByte;
        head.bytesCompleted = linksDone;
        head.linkAddr = linkAddress;
    }
}
