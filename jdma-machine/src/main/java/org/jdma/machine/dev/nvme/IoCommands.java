package org.jdma.machine.dev.nvme;

import static org.jdma.spec.nvme.NvmeCommands.*;
import static org.jdma.spec.nvme.NvmeStatus.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.LongSupplier;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.nvme.DsmRangeLayout;
import org.jdma.spec.nvme.SubmissionEntryLayout;

/**
 * The NVM command set (NVMe 1.4 §6): Read, Write, Flush, Write Zeroes and Dataset Management
 * (deallocate). A command is checked (namespace, opcode, LBA range, MDTS, data pointer) when
 * fetched; a Write's data is read from the host then, a Read's data written to the host when the
 * media is done with it, and the completion follows at once. A refused DMA (the IOMMU blocks an
 * address) fails that command with Data Transfer Error and nothing else. Deallocated blocks and
 * written zeroes read back as zeroes (Identify Namespace DLFEAT).
 */
final class IoCommands implements CommandEngine.CommandSet {

    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final CommandEngine engine;
    private final NvmeConfig config;
    private final List<Namespace> namespaces;
    private final Media media;
    private final DmaPort port;
    private final DataPointers pointers;
    private final EventKernel kernel;
    private final LongSupplier pageSize;
    private final String mediaLabel;
    private long dataTransferErrors;

    IoCommands(CommandEngine engine, NvmeConfig config, List<Namespace> namespaces, Media media, DmaPort port,
               DataPointers pointers, EventKernel kernel, LongSupplier pageSize, String name) {
        this.engine = engine;
        this.config = config;
        this.namespaces = namespaces;
        this.media = media;
        this.port = port;
        this.pointers = pointers;
        this.kernel = kernel;
        this.pageSize = pageSize;
        this.mediaLabel = name + " media";
    }

    long dataTransferErrors() {
        return dataTransferErrors;
    }

    @Override
    public void execute(Command c) {
        int nsid = c.nsid();
        Namespace ns = nsid >= 1 && nsid <= namespaces.size() ? namespaces.get(nsid - 1) : null;
        int opcode = c.opcode();
        if (opcode == NVM_FLUSH && (ns != null || nsid == SubmissionEntryLayout.NSID_ALL)) {
            later(c, media.flush(kernel.now()));
            return;
        }
        if (opcode != NVM_READ && opcode != NVM_WRITE && opcode != NVM_WRITE_ZEROES && opcode != NVM_DATASET_MANAGEMENT) {
            engine.complete(c, INVALID_OPCODE, 0);
            return;
        }
        if (ns == null) {
            engine.complete(c, INVALID_NAMESPACE, 0);
            return;
        }
        switch (opcode) {
            case NVM_READ, NVM_WRITE -> readWrite(c, ns, opcode == NVM_READ);
            case NVM_WRITE_ZEROES -> writeZeroes(c, ns);
            default -> datasetManagement(c, ns);
        }
    }

    private void readWrite(Command c, Namespace ns, boolean read) {
        long slba = c.cdw10and11();
        long blocks = (c.cdw(12) & NLB_MASK) + 1L;
        if (!ns.inRange(slba, blocks)) {
            engine.complete(c, LBA_OUT_OF_RANGE, 0);
            return;
        }
        long bytes = blocks * ns.lbaSize();
        if (bytes > config.maxTransferBytes()) {
            engine.complete(c, INVALID_FIELD, 0);
            return;
        }
        int s = walk(c, bytes, read, c.transfer);
        if (s != SUCCESS) {
            engine.complete(c, s, 0);
            return;
        }
        c.ns = ns;
        c.slba = slba;
        c.blocks = blocks;
        if (read) {
            later(c, media.read(kernel.now(), blocks));
            return;
        }
        MemorySegment staged = MemorySegment.ofArray(new byte[(int) bytes]);
        if (c.transfer.fromHost(port, staged) != null) {
            finish(c, false);
            return;
        }
        c.staged = staged;
        later(c, media.write(kernel.now(), blocks));
    }

    private int walk(Command c, long bytes, boolean read, Transfer t) {
        return switch (SubmissionEntryLayout.psdt(c.flags())) {
            case SubmissionEntryLayout.PSDT_PRP -> pointers.prp(c.prp1(), c.prp2(), bytes, pageSize.getAsLong(), t);
            case SubmissionEntryLayout.PSDT_SGL_MPTR_CONTIGUOUS, SubmissionEntryLayout.PSDT_SGL_MPTR_SGL ->
                    config.sgls() ? pointers.sgl(c.entry(), SubmissionEntryLayout.DPTR, bytes, read, t) : INVALID_FIELD;
            default -> INVALID_FIELD;
        };
    }

    private void finish(Command c, boolean moved) {
        if (!moved) {
            dataTransferErrors++;
        }
        engine.complete(c, moved ? SUCCESS : DATA_TRANSFER_ERROR, 0);
    }

    private void writeZeroes(Command c, Namespace ns) {
        long slba = c.cdw10and11();
        long blocks = (c.cdw(12) & NLB_MASK) + 1L;
        if (!ns.inRange(slba, blocks)) {
            engine.complete(c, LBA_OUT_OF_RANGE, 0);
            return;
        }
        c.ns = ns;
        c.slba = slba;
        c.blocks = blocks;
        later(c, media.write(kernel.now(), 0));
    }

    /** Deallocate (AD) zeroes each range; without AD the attributes are hints and nothing changes. */
    private void datasetManagement(Command c, Namespace ns) {
        int ranges = (c.cdw(10) & DSM_NR_MASK) + 1;
        long bytes = (long) ranges * DsmRangeLayout.SIZE;
        int s = walk(c, bytes, false, c.transfer);
        MemorySegment list = MemorySegment.ofArray(new byte[(int) bytes]);
        if (s == SUCCESS && c.transfer.fromHost(port, list) != null) {
            finish(c, false);
            return;
        }
        if (s != SUCCESS) {
            engine.complete(c, s, 0);
            return;
        }
        for (int i = 0; i < ranges; i++) {
            long at = (long) i * DsmRangeLayout.SIZE;
            long length = list.get(LE_INT, at + DsmRangeLayout.LENGTH) & 0xFFFF_FFFFL;
            if (!ns.inRange(list.get(LE_LONG, at + DsmRangeLayout.SLBA), length)) {
                engine.complete(c, LBA_OUT_OF_RANGE, 0);
                return;
            }
        }
        c.ns = ns;
        c.staged = list;
        later(c, media.write(kernel.now(), 0));
    }

    /**
     * Schedules {@code c}'s media event at {@code atNs}: {@link #mediaDone} then finishes the
     * command unless it was completed (aborted) or the controller reset in the meantime. The
     * event is the command's own, made once: a command has at most one pending.
     */
    private void later(Command c, long atNs) {
        if (c.mediaEvent == null) {
            c.mediaEvent = () -> mediaDone(c);
        }
        c.mediaGeneration = engine.generation;
        c.mediaPending = true;
        kernel.scheduleAt(atNs, mediaLabel, c.mediaEvent);
    }

    /** The media is done with {@code c}: its data moves and it completes; then nothing refers to it. */
    private void mediaDone(Command c) {
        c.mediaPending = false;
        if (c.mediaGeneration == engine.generation && !c.done) {
            switch (c.opcode()) {
                case NVM_READ -> finish(c, c.transfer.toHost(port, c.ns.data(), c.ns.offsetOf(c.slba)) == null);
                case NVM_WRITE -> {
                    MemorySegment.copy(c.staged, 0, c.ns.blocks(c.slba, c.blocks), 0, c.staged.byteSize());
                    engine.complete(c, SUCCESS, 0);
                }
                case NVM_FLUSH -> {
                    namespaces.forEach(Namespace::persist);
                    engine.complete(c, SUCCESS, 0);
                }
                case NVM_WRITE_ZEROES -> {
                    c.ns.blocks(c.slba, c.blocks).fill((byte) 0);
                    engine.complete(c, SUCCESS, 0);
                }
                default -> deallocate(c);
            }
        }
        engine.release(c);
    }

    /** Dataset Management's media step: with AD, zeroes each range of the list read at fetch. */
    private void deallocate(Command c) {
        int ranges = (c.cdw(10) & DSM_NR_MASK) + 1;
        boolean deallocate = (c.cdw(11) & DSM_AD) != 0;
        for (int i = 0; deallocate && i < ranges; i++) {
            long at = (long) i * DsmRangeLayout.SIZE;
            long length = c.staged.get(LE_INT, at + DsmRangeLayout.LENGTH) & 0xFFFF_FFFFL;
            c.ns.blocks(c.staged.get(LE_LONG, at + DsmRangeLayout.SLBA), length).fill((byte) 0);
        }
        engine.complete(c, SUCCESS, 0);
    }
}
