package org.jdma.machine.dev.nvme;

import static org.jdma.spec.nvme.NvmeCommands.*;
import static org.jdma.spec.nvme.NvmeStatus.*;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongSupplier;
import org.jdma.machine.bus.DmaPort;
import org.jdma.spec.nvme.NvmeCommands;
import org.jdma.spec.nvme.SubmissionEntryLayout;

/**
 * The admin command set (NVMe base spec §5): Identify, Create/Delete I/O SQ and CQ, Get/Set
 * Features (Number of Queues, Interrupt Coalescing, Interrupt Vector Configuration, Temperature
 * Threshold, Asynchronous Event Configuration), Abort, Asynchronous Event Request and Get Log Page,
 * each with the checks and status codes QEMU's controller applies, in its order. Admin data
 * pointers must be PRPs. Every command completes at once except an Asynchronous Event Request,
 * which waits for an event. Once an event of a type is reported, events of that type stay queued
 * (masked) until the host reads the event's log page with RAE cleared (§5.2, §5.16).
 */
final class AdminCommands implements CommandEngine.CommandSet {

    /** The longest Get Log Page this controller serves even without MDTS, bytes (longer: Invalid Field). */
    static final long LOG_TRANSFER_LIMIT = 2L << 20;

    private final CommandEngine engine;
    private final NvmeConfig config;
    private final DmaPort port;
    private final DataPointers pointers;
    private final LongSupplier pageSize;
    private final int msixEntries;
    private final Transfer transfer = new Transfer();
    private final ArrayDeque<Command> eventRequests = new ArrayDeque<>();
    private final ArrayDeque<Integer> events = new ArrayDeque<>();
    private final HealthLog health;
    /** Event types (bit per type) reported and not yet cleared by reading their log page. */
    private int maskedTypes;
    private final boolean[] coalescingDisabled;
    /** Number of Queues granted (I/O SQs and CQs each). */
    private int granted;
    private boolean ioQueuesCreated;

    AdminCommands(CommandEngine engine, NvmeConfig config, DmaPort port, DataPointers pointers, LongSupplier pageSize,
                  int msixEntries, HealthLog health) {
        this.health = health;
        this.engine = engine;
        this.config = config;
        this.port = port;
        this.pointers = pointers;
        this.pageSize = pageSize;
        this.msixEntries = msixEntries;
        this.coalescingDisabled = new boolean[msixEntries];
        engine.coalescingDisabled = v -> v < coalescingDisabled.length && coalescingDisabled[v];
        reset();
    }

    /** The state a controller reset leaves: no outstanding event requests, features at defaults. */
    void reset() {
        eventRequests.clear();
        events.clear();
        maskedTypes = 0;
        health.resetFeatures();
        java.util.Arrays.fill(coalescingDisabled, false);
        granted = config.ioQueuePairs();
        ioQueuesCreated = false;
    }

    /** An asynchronous event: completes an outstanding request now, or waits for one. */
    void event(int dw0) {
        if (!events.contains(dw0)) {
            events.add(dw0);
        }
        deliverEvents();
    }

    /** Completes requests with the oldest events whose type is not masked, masking each type reported. */
    private void deliverEvents() {
        Iterator<Integer> queued = events.iterator();
        while (queued.hasNext() && !eventRequests.isEmpty()) {
            int dw0 = queued.next();
            int typeBit = 1 << (dw0 & AER_TYPE_MASK);
            if ((maskedTypes & typeBit) == 0) {
                queued.remove();
                maskedTypes |= typeBit;
                engine.complete(eventRequests.poll(), SUCCESS, dw0);
            }
        }
    }

    @Override
    public void execute(Command c) {
        if (SubmissionEntryLayout.psdt(c.flags()) != SubmissionEntryLayout.PSDT_PRP) {
            engine.complete(c, INVALID_FIELD, 0); // admin commands over PCIe use PRPs only
            return;
        }
        switch (c.opcode()) {
            case ADMIN_IDENTIFY -> identify(c);
            case ADMIN_CREATE_CQ -> createCq(c);
            case ADMIN_CREATE_SQ -> createSq(c);
            case ADMIN_DELETE_SQ -> deleteSq(c);
            case ADMIN_DELETE_CQ -> deleteCq(c);
            case ADMIN_SET_FEATURES -> setFeatures(c);
            case ADMIN_GET_FEATURES -> getFeatures(c);
            case ADMIN_ABORT -> abort(c);
            case ADMIN_GET_LOG_PAGE -> getLogPage(c);
            case ADMIN_ASYNC_EVENT_REQUEST -> {
                if (eventRequests.size() > IdentifyData.AERL) {
                    engine.complete(c, ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED, 0);
                } else {
                    eventRequests.add(c);
                    deliverEvents();
                }
            }
            default -> engine.complete(c, INVALID_OPCODE, 0);
        }
    }

    private void identify(Command c) {
        int cns = c.cdw(10) & CNS_MASK;
        List<NamespaceSpec> namespaces = config.namespaces();
        int nsid = c.nsid();
        MemorySegment data;
        switch (cns) {
            case CNS_CONTROLLER -> data = IdentifyData.controller(config, 0);
            case CNS_NAMESPACE -> {
                if (nsid == 0 || Integer.compareUnsigned(nsid, namespaces.size()) > 0) {
                    engine.complete(c, INVALID_NAMESPACE, 0);
                    return;
                }
                data = IdentifyData.namespace(namespaces.get(nsid - 1), nsid);
            }
            case CNS_ACTIVE_NAMESPACES -> {
                if (Integer.compareUnsigned(nsid, 0xFFFF_FFFE) >= 0) {
                    engine.complete(c, INVALID_NAMESPACE, 0);
                    return;
                }
                data = IdentifyData.activeNamespaces(namespaces, nsid);
            }
            default -> {
                engine.complete(c, INVALID_FIELD, 0);
                return;
            }
        }
        int s = pointers.prp(c.prp1(), c.prp2(), IDENTIFY_SIZE, pageSize.getAsLong(), transfer);
        if (s == SUCCESS && transfer.toHost(port, data) != null) {
            s = DATA_TRANSFER_ERROR;
        }
        engine.complete(c, s, 0);
    }

    /** The checks of QEMU's nvme_create_cq, in order. */
    private void createCq(Command c) {
        int qid = c.cdw(10) & QID_MASK;
        int entries = (c.cdw(10) >>> QSIZE_SHIFT) + 1;
        int cdw11 = c.cdw(11);
        int vector = cdw11 >>> IV_SHIFT;
        if (qid == 0 || qid > granted || engine.cqs[qid] != null) {
            engine.complete(c, INVALID_QUEUE_IDENTIFIER, 0);
        } else if (entries < 2 || entries > config.maxQueueEntries()) {
            engine.complete(c, INVALID_QUEUE_SIZE, 0);
        } else if ((c.prp1() & (pageSize.getAsLong() - 1)) != 0) {
            engine.complete(c, PRP_OFFSET_INVALID, 0);
        } else if ((cdw11 & IEN) != 0 && vector >= msixEntries) {
            engine.complete(c, INVALID_INTERRUPT_VECTOR, 0);
        } else if ((cdw11 & PC) == 0) {
            engine.complete(c, INVALID_FIELD, 0); // only physically contiguous queues (CAP.CQR)
        } else {
            engine.cqs[qid] = new CompletionQueue(qid, c.prp1(), entries, vector, (cdw11 & IEN) != 0);
            ioQueuesCreated = true;
            engine.complete(c, SUCCESS, 0);
        }
    }

    private void createSq(Command c) {
        int qid = c.cdw(10) & QID_MASK;
        int entries = (c.cdw(10) >>> QSIZE_SHIFT) + 1;
        int cdw11 = c.cdw(11);
        int cqid = cdw11 >>> CQID_SHIFT;
        if (cqid == 0 || cqid >= engine.cqs.length || engine.cqs[cqid] == null) {
            engine.complete(c, COMPLETION_QUEUE_INVALID, 0);
        } else if (qid == 0 || qid > granted || engine.sqs[qid] != null) {
            engine.complete(c, INVALID_QUEUE_IDENTIFIER, 0);
        } else if (entries < 2 || entries > config.maxQueueEntries()) {
            engine.complete(c, INVALID_QUEUE_SIZE, 0);
        } else if ((c.prp1() & (pageSize.getAsLong() - 1)) != 0) {
            engine.complete(c, PRP_OFFSET_INVALID, 0);
        } else if ((cdw11 & PC) == 0) {
            engine.complete(c, INVALID_FIELD, 0);
        } else {
            CompletionQueue cq = engine.cqs[cqid];
            cq.users++;
            engine.sqs[qid] = new SubmissionQueue(qid, c.prp1(), entries, cq);
            ioQueuesCreated = true;
            engine.complete(c, SUCCESS, 0);
        }
    }

    /** Commands still outstanding on the SQ complete with "aborted: SQ deleted" before it goes. */
    private void deleteSq(Command c) {
        int qid = c.cdw(10) & QID_MASK;
        SubmissionQueue sq = qid == 0 || qid >= engine.sqs.length ? null : engine.sqs[qid];
        if (sq == null) {
            engine.complete(c, INVALID_QUEUE_IDENTIFIER, 0);
            return;
        }
        for (Command pending : engine.outstandingOf(qid)) {
            engine.complete(pending, ABORTED_SQ_DELETED, 0);
        }
        engine.sqs[qid] = null;
        sq.cq.users--;
        engine.complete(c, SUCCESS, 0);
    }

    private void deleteCq(Command c) {
        int qid = c.cdw(10) & QID_MASK;
        CompletionQueue cq = qid == 0 || qid >= engine.cqs.length ? null : engine.cqs[qid];
        if (cq == null) {
            engine.complete(c, INVALID_QUEUE_IDENTIFIER, 0);
        } else if (cq.users > 0) {
            engine.complete(c, INVALID_QUEUE_DELETION, 0);
        } else {
            engine.cqs[qid] = null;
            engine.complete(c, SUCCESS, 0);
        }
    }

    private void setFeatures(Command c) {
        int value = c.cdw(11);
        switch (c.cdw(10) & FID_MASK) {
            case FID_NUMBER_OF_QUEUES -> {
                int nsqr = value & NQ_MASK;
                int ncqr = value >>> NQ_NCQR_SHIFT;
                if (ioQueuesCreated) {
                    engine.complete(c, COMMAND_SEQUENCE_ERROR, 0);
                } else if (nsqr == NQ_MASK || ncqr == NQ_MASK) {
                    engine.complete(c, INVALID_FIELD, 0);
                } else {
                    granted = Math.min(config.ioQueuePairs(), Math.min(nsqr, ncqr) + 1);
                    engine.complete(c, SUCCESS, numberOfQueues(granted, granted));
                }
            }
            case FID_INTERRUPT_COALESCING -> {
                engine.coalesceThreshold = value & IC_THR_MASK;
                engine.coalesceTime = (value & IC_TIME_MASK) >>> IC_TIME_SHIFT;
                engine.complete(c, SUCCESS, 0);
            }
            case FID_INTERRUPT_VECTOR_CONFIG -> {
                int iv = value & 0xFFFF;
                if (iv >= msixEntries) {
                    engine.complete(c, INVALID_FIELD, 0);
                } else {
                    coalescingDisabled[iv] = (value & IVC_CD) != 0;
                    engine.complete(c, SUCCESS, 0);
                }
            }
            case FID_TEMPERATURE_THRESHOLD -> {
                health.temperatureThreshold(value);
                engine.complete(c, SUCCESS, 0);
                health.checkWarnings(); // an event the new setting raises follows this completion
            }
            case FID_ASYNC_EVENT_CONFIG -> {
                health.eventConfig(value);
                engine.complete(c, SUCCESS, 0);
                health.checkWarnings(); // an event the new setting raises follows this completion
            }
            default -> engine.complete(c, INVALID_FIELD, 0);
        }
    }

    private void getFeatures(Command c) {
        switch (c.cdw(10) & FID_MASK) {
            case FID_NUMBER_OF_QUEUES -> engine.complete(c, SUCCESS, numberOfQueues(granted, granted));
            case FID_INTERRUPT_COALESCING ->
                    engine.complete(c, SUCCESS, interruptCoalescing(engine.coalesceThreshold, engine.coalesceTime));
            case FID_INTERRUPT_VECTOR_CONFIG -> {
                int iv = c.cdw(11) & 0xFFFF;
                if (iv >= msixEntries) {
                    engine.complete(c, INVALID_FIELD, 0);
                } else {
                    engine.complete(c, SUCCESS, iv | (coalescingDisabled[iv] ? IVC_CD : 0));
                }
            }
            case FID_TEMPERATURE_THRESHOLD -> engine.complete(c, SUCCESS,
                    health.temperatureThreshold((c.cdw(11) >>> THSEL_SHIFT & 0x3) == THSEL_UNDER));
            case FID_ASYNC_EVENT_CONFIG -> engine.complete(c, SUCCESS, health.eventConfig());
            default -> engine.complete(c, INVALID_FIELD, 0);
        }
    }

    /** Aborts a command still outstanding (in the media); DW0 bit 0 says whether it was. */
    private void abort(Command c) {
        int sqid = c.cdw(10) & ABORT_SQID_MASK;
        int cid = c.cdw(10) >>> ABORT_CID_SHIFT;
        Command target = sqid == 0 ? null : engine.outstanding(sqid, cid);
        if (target == null) {
            engine.complete(c, SUCCESS, NvmeCommands.ABORT_NOT_ABORTED);
            return;
        }
        engine.complete(target, ABORTED_BY_REQUEST, 0);
        engine.complete(c, SUCCESS, 0);
    }

    /**
     * Get Log Page: NUMD dwords (0's based, NUMDU:NUMDL) from dword-aligned offset LPOU:LPOL of
     * log LID, bytes past the end of the log read as zero. Reading with RAE clear unmasks the
     * events whose log page it is.
     */
    private void getLogPage(Command c) {
        int cdw10 = c.cdw(10);
        long length = (((long) (c.cdw(11) & LOG_NUMDU_MASK) << 16 | cdw10 >>> LOG_NUMDL_SHIFT) + 1) * 4;
        long offset = (c.cdw(13) & 0xFFFF_FFFFL) << 32 | c.cdw(12) & 0xFFFF_FFFFL;
        int lid = cdw10 & LOG_LID_MASK;
        MemorySegment log = switch (lid) {
            case LOG_ERROR_INFORMATION -> health.errorPage();
            case LOG_SMART -> health.smartPage();
            case LOG_FIRMWARE_SLOT -> health.firmwareSlotPage();
            default -> null;
        };
        if (log == null) {
            engine.complete(c, INVALID_LOG_PAGE, 0);
            return;
        }
        if ((offset & 3) != 0 || Long.compareUnsigned(offset, log.byteSize()) >= 0 || length > Math.min(config.maxTransferBytes(), LOG_TRANSFER_LIMIT)) {
            engine.complete(c, INVALID_FIELD, 0);
            return;
        }
        MemorySegment data = MemorySegment.ofArray(new byte[(int) length]);
        MemorySegment.copy(log, offset, data, 0, Math.min(length, log.byteSize() - offset));
        int s = pointers.prp(c.prp1(), c.prp2(), length, pageSize.getAsLong(), transfer);
        if (s == SUCCESS && transfer.toHost(port, data) != null) {
            s = DATA_TRANSFER_ERROR;
        }
        engine.complete(c, s, 0);
        if (s == SUCCESS && (cdw10 & LOG_RAE) == 0) {
            unmaskEventsOf(lid);
        }
    }

    private void unmaskEventsOf(int lid) {
        int type = switch (lid) {
            case LOG_ERROR_INFORMATION -> AER_TYPE_ERROR;
            case LOG_SMART -> AER_TYPE_SMART;
            default -> -1;
        };
        if (type >= 0) {
            maskedTypes &= ~(1 << type);
            deliverEvents();
        }
    }
}
