package org.jdma.machine.dev.nvme;

import static org.jdma.spec.nvme.IdentifyControllerLayout.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jdma.spec.nvme.ActiveNamespaceListLayout;
import org.jdma.spec.nvme.CompletionEntryLayout;
import org.jdma.spec.nvme.IdentifyNamespaceLayout;
import org.jdma.spec.nvme.NvmeRegisters;
import org.jdma.spec.nvme.SubmissionEntryLayout;

/** The Identify data structures the controller returns (CNS 00h, 01h, 02h), built into 4 KiB buffers. */
final class IdentifyData {

    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The model number Identify reports. */
    static final String MODEL = "jdma NVMe controller";
    /** The firmware revision Identify reports. */
    static final String FIRMWARE = "1.0";
    /** Asynchronous Event Request Limit, 0's based: four may be outstanding. */
    static final int AERL = 3;
    /** Abort Command Limit, 0's based. */
    static final int ACL = 3;

    private IdentifyData() { }

    static MemorySegment controller(NvmeConfig config, int cntlid) {
        MemorySegment b = MemorySegment.ofArray(new byte[SIZE]);
        b.set(LE_SHORT, VID, (short) NvmeRegisters.VENDOR_ID);
        b.set(LE_SHORT, SSVID, (short) NvmeRegisters.VENDOR_ID);
        ascii(b, SN, SN_LENGTH, config.serial());
        ascii(b, MN, MN_LENGTH, MODEL);
        ascii(b, FR, FR_LENGTH, FIRMWARE);
        b.set(ValueLayout.JAVA_BYTE, MDTS, (byte) config.mdts());
        b.set(LE_SHORT, CNTLID, (short) cntlid);
        b.set(LE_INT, VER, NvmeRegisters.VS_1_4);
        b.set(ValueLayout.JAVA_BYTE, ACL, (byte) IdentifyData.ACL);
        b.set(ValueLayout.JAVA_BYTE, AERL, (byte) IdentifyData.AERL);
        b.set(ValueLayout.JAVA_BYTE, FRMW, (byte) frmw(1, true));
        b.set(ValueLayout.JAVA_BYTE, ELPE, (byte) (HealthLog.ERROR_ENTRIES - 1));
        b.set(ValueLayout.JAVA_BYTE, SQES, (byte) entrySizes(SubmissionEntryLayout.SIZE_LOG2, SubmissionEntryLayout.SIZE_LOG2));
        b.set(ValueLayout.JAVA_BYTE, CQES, (byte) entrySizes(CompletionEntryLayout.SIZE_LOG2, CompletionEntryLayout.SIZE_LOG2));
        b.set(LE_SHORT, MAXCMD, (short) config.maxQueueEntries());
        b.set(LE_INT, NN, config.namespaces().size());
        b.set(LE_SHORT, ONCS, (short) (ONCS_DSM | ONCS_WRITE_ZEROES));
        b.set(ValueLayout.JAVA_BYTE, VWC, (byte) VWC_PRESENT);
        b.set(LE_INT, SGLS, config.sgls() ? SGLS_SUPPORTED | SGLS_BIT_BUCKET : 0);
        ascii(b, SUBNQN, SUBNQN_LENGTH, "nqn.2026-01.org.jdma:nvme:" + config.serial());
        return b;
    }

    static MemorySegment namespace(NamespaceSpec ns, int nsid) {
        MemorySegment b = MemorySegment.ofArray(new byte[IdentifyNamespaceLayout.SIZE]);
        b.set(LE_LONG, IdentifyNamespaceLayout.NSZE, ns.blocks());
        b.set(LE_LONG, IdentifyNamespaceLayout.NCAP, ns.blocks());
        b.set(LE_LONG, IdentifyNamespaceLayout.NUSE, ns.blocks());
        b.set(ValueLayout.JAVA_BYTE, IdentifyNamespaceLayout.NLBAF, (byte) 0);
        b.set(ValueLayout.JAVA_BYTE, IdentifyNamespaceLayout.FLBAS, (byte) 0);
        b.set(ValueLayout.JAVA_BYTE, IdentifyNamespaceLayout.DLFEAT, (byte) IdentifyNamespaceLayout.DLFEAT_READS_ZEROES);
        b.set(LE_LONG, IdentifyNamespaceLayout.EUI64, 0x4A444D4100000000L | nsid);
        b.set(LE_INT, IdentifyNamespaceLayout.lbaf(0), IdentifyNamespaceLayout.lbaFormat(ns.lbads()));
        return b;
    }

    /** Active namespace ids greater than {@code after}, in order. */
    static MemorySegment activeNamespaces(List<NamespaceSpec> namespaces, int after) {
        MemorySegment b = MemorySegment.ofArray(new byte[ActiveNamespaceListLayout.SIZE]);
        int i = 0;
        for (int nsid = Math.max(1, after + 1); nsid <= namespaces.size() && i < ActiveNamespaceListLayout.MAX_ENTRIES; nsid++) {
            b.set(LE_INT, ActiveNamespaceListLayout.entry(i++), nsid);
        }
        return b;
    }

    /** ASCII, space padded, as Identify's string fields are. */
    private static void ascii(MemorySegment b, int offset, int length, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < length; i++) {
            b.set(ValueLayout.JAVA_BYTE, offset + i, i < bytes.length ? bytes[i] : (byte) ' ');
        }
    }
}
