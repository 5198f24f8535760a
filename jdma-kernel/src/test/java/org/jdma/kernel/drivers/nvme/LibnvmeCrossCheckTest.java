package org.jdma.kernel.drivers.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.block.BlockOp;
import org.jdma.kernel.block.BlockRequest;
import org.jdma.kernel.block.BlockStatus;
import org.jdma.kernel.dma.CoherentAllocation;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.nvme.NamespaceSpec;
import org.jdma.machine.dev.nvme.NvmeConfig;
import org.jdma.machine.dev.nvme.NvmeController;
import org.jdma.spec.nvme.CompletionEntryLayout;
import org.jdma.spec.nvme.FirmwareSlotLogLayout;
import org.jdma.spec.nvme.IdentifyControllerLayout;
import org.jdma.spec.nvme.IdentifyNamespaceLayout;
import org.jdma.spec.nvme.NvmeCommands;
import org.jdma.spec.nvme.NvmeStatus;
import org.jdma.spec.nvme.SglDescriptorLayout;
import org.jdma.spec.nvme.SmartLogLayout;
import org.jdma.spec.nvme.SubmissionEntryLayout;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jdma's NVMe structures read by an outside client: {@code tools/nvme-check/nvme-decode.c}, built
 * against Debian's libnvme-dev, decodes the Identify Controller and Namespace data the controller
 * returned, the driver's submission entries and the controller's completion entries (a wrapped
 * I/O completion queue, so both phases); every field it prints must equal what jdma's layouts
 * say, and the fields that carry meaning must equal what the driver asked for.
 *
 * <p>Needs cc and libnvme-dev: tagged {@code nvme-check}, left out of the default test run, run by
 * {@code ./build nvme-check}, which fails when they are missing.
 */
@Tag("nvme-check")
class LibnvmeCrossCheckTest {

    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final RequesterId SLOT = RequesterId.of(0, 7, 0);
    private static final long WAIT_NS = 5_000_000_000L;
    private static final int IO_DEPTH = 16;
    private static final long BLOCKS = 16 * 1024;

    @TempDir
    static Path dir;
    private static NvmeDecode decoder;
    private static Machine machine;
    private static Kernel kernel;
    private static NvmeDriver nvme;

    @BeforeAll
    static void bootAndCompile() throws Exception {
        try {
            decoder = NvmeDecode.compile(dir);
        } catch (IllegalStateException e) {
            fail(e.getMessage());
        }
        NvmeConfig device = NvmeConfig.DEFAULT.withNamespaces(NamespaceSpec.memory(512, BLOCKS));
        machine = new Machine(MachineConfig.defaults().withSeed(15).withDevice(NvmeController.spec("nvme0", SLOT, device)));
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT)
                .withDriver(NvmeDriver.driver(NvmeOptions.DEFAULTS.withQueueDepth(IO_DEPTH))));
        nvme = kernel.driver(NvmeDriver.class);
    }

    @AfterAll
    static void close() {
        if (kernel != null) {
            kernel.close();
        }
        if (machine != null) {
            machine.close();
        }
    }

    /** Runs an admin command to completion; returns {status, dw0}. */
    private static int[] admin(NvmeDriver.Entry e) {
        int[] result = {-1, 0};
        assertTrue(nvme.adminAsync(e, (status, dw0) -> {
            result[0] = status;
            result[1] = dw0;
        }));
        assertTrue(kernel.platform().clock().runUntil(() -> result[0] >= 0, WAIT_NS), "admin command did not complete");
        return result;
    }

    private static byte[] identify(int cns, int nsid) {
        try (CoherentAllocation data = nvme.dma().allocCoherent(NvmeCommands.IDENTIFY_SIZE)) {
            int[] r = admin(NvmeDriver.sqe(NvmeCommands.ADMIN_IDENTIFY).nsid(nsid).prp1(data.dmaAddress()).cdw(10, cns));
            assertEquals(NvmeStatus.SUCCESS, r[0]);
            return read(data.physical(), NvmeCommands.IDENTIFY_SIZE);
        }
    }

    private static byte[] read(long physical, long size) {
        byte[] b = new byte[(int) size];
        nvme.context().cpu().read(physical, b);
        return b;
    }

    @Test
    void shouldDecodeIdentifyControllerAsJdmaBuiltIt() throws Exception {
        byte[] data = identify(NvmeCommands.CNS_CONTROLLER, 0);
        Map<String, String> theirs = decoder.decode(dir, "id-ctrl", data);
        assertSameFields(jdmaIdController(MemorySegment.ofArray(data)), theirs, "Identify Controller");
        assertEquals("JDMA0001", theirs.get("sn"));
        assertEquals("jdma NVMe controller", theirs.get("mn"));
        assertEquals(String.valueOf(0x66), theirs.get("sqes"), "64-byte SQEs required and maximum");
        assertEquals(String.valueOf(0x44), theirs.get("cqes"), "16-byte CQEs");
        assertEquals(String.valueOf(0x0001_0400), theirs.get("ver"), "NVMe 1.4.0");
        assertEquals("1", theirs.get("nn"));
        assertEquals("5", theirs.get("mdts"));
        assertEquals(String.valueOf(IdentifyControllerLayout.SGLS_SUPPORTED | IdentifyControllerLayout.SGLS_BIT_BUCKET), theirs.get("sgls"));
    }

    @Test
    void shouldDecodeIdentifyNamespaceAsJdmaBuiltIt() throws Exception {
        byte[] data = identify(NvmeCommands.CNS_NAMESPACE, 1);
        Map<String, String> theirs = decoder.decode(dir, "id-ns", data);
        assertSameFields(jdmaIdNamespace(MemorySegment.ofArray(data)), theirs, "Identify Namespace");
        assertEquals(String.valueOf(BLOCKS), theirs.get("nsze"));
        assertEquals("0", theirs.get("flbas"));
        assertEquals("9", theirs.get("lbaf[0].ds"), "512-byte blocks");
    }

    @Test
    void shouldDecodeTheDriversEntriesAndTheControllersCompletionsAcrossAPhaseWrap() throws Exception {
        // admin: an opcode the controller lacks, and an Identify with a CNS it lacks: two error completions
        int[] badOpcode = admin(NvmeDriver.sqe(0x03));
        int[] badCns = admin(NvmeDriver.sqe(NvmeCommands.ADMIN_IDENTIFY).cdw(10, 0x55));
        assertEquals(NvmeStatus.INVALID_OPCODE, badOpcode[0]);
        assertEquals(NvmeStatus.INVALID_FIELD, badCns[0]);
        List<BlockRequest> requests = new ArrayList<>();
        try (DmaBuffer a = kernel.memory().allocate(128 * 1024, 4096)) {
            // more requests than the I/O queue has slots, one at a time: the completion queue wraps
            for (int i = 0; i < IO_DEPTH + 4; i++) {
                BlockRequest r = switch (i % 5) {
                    case 0 -> BlockRequest.of(BlockOp.WRITE, 8L * i, 8, 512, a, null);            // PRP1 only
                    case 1 -> BlockRequest.write(64L * i, 32, new ScatterList().add(a.physicalAddress(), 16 * 1024), null); // PRP list
                    case 2 -> BlockRequest.read(64L * i, 64, new ScatterList().add(a.physicalAddress(), 16 * 1024)
                            .add(a.physicalAddress() + 64 * 1024 + 8, 16 * 1024), null); // an SGL (odd offset)
                    case 3 -> BlockRequest.flush(null);
                    default -> BlockRequest.discard(8L * i, 16, null);
                };
                requests.add(r);
                assertTrue(nvme.submit(0, r));
                assertTrue(kernel.platform().clock().runUntil(r::isDone, WAIT_NS));
                assertEquals(BlockStatus.OK, r.status(), "request " + i);
            }
        }
        QueuePair adminQ = nvme.adminQueue();
        QueuePair io = nvme.queue(0);
        byte[] adminSq = read(adminQ.sqMemory.physical(), adminQ.sqMemory.size());
        byte[] adminCq = read(adminQ.cqMemory.physical(), adminQ.cqMemory.size());
        byte[] ioSq = read(io.sqMemory.physical(), io.sqMemory.size());
        byte[] ioCq = read(io.cqMemory.physical(), io.cqMemory.size());

        Map<String, String> sqAdmin = decoder.decode(dir, "sqe", adminSq);
        Map<String, String> sqIo = decoder.decode(dir, "sqe", ioSq);
        Map<String, String> cqAdmin = decoder.decode(dir, "cqe", adminCq);
        Map<String, String> cqIo = decoder.decode(dir, "cqe", ioCq);
        assertSameFields(jdmaSqes(adminSq), sqAdmin, "admin SQ");
        assertSameFields(jdmaSqes(ioSq), sqIo, "I/O SQ 1");
        assertSameFields(jdmaCqes(adminCq), withoutText(cqAdmin), "admin CQ");
        assertSameFields(jdmaCqes(ioCq), withoutText(cqIo), "I/O CQ 1");

        // bring-up as the driver issued it: Identify x2, Number of Queues, Create CQ 1, Create SQ 1; then ours
        int[] opcodes = {NvmeCommands.ADMIN_IDENTIFY, NvmeCommands.ADMIN_IDENTIFY, NvmeCommands.ADMIN_SET_FEATURES,
                NvmeCommands.ADMIN_CREATE_CQ, NvmeCommands.ADMIN_CREATE_SQ};
        for (int i = 0; i < opcodes.length; i++) {
            assertEquals(String.valueOf(opcodes[i]), sqAdmin.get("sqe[" + i + "].opc"), "admin entry " + i);
        }
        assertEquals(String.valueOf(NvmeCommands.CNS_CONTROLLER), sqAdmin.get("sqe[0].cdw10"));
        assertEquals("1", sqAdmin.get("sqe[1].nsid"));
        assertEquals(String.valueOf(NvmeCommands.FID_NUMBER_OF_QUEUES), sqAdmin.get("sqe[2].cdw10"));
        int bad = adminSlot(sqAdmin, 0x03);
        assertEquals("0", cqAdmin.get("cqe[" + bad + "].sct"));
        assertEquals(String.valueOf(NvmeStatus.INVALID_OPCODE), cqAdmin.get("cqe[" + bad + "].sc"));
        assertEquals("1", cqAdmin.get("cqe[" + bad + "].dnr"));
        assertTrue(cqAdmin.get("cqe[" + bad + "].text").startsWith("Invalid Command Opcode"), cqAdmin.get("cqe[" + bad + "].text"));
        assertEquals(sqAdmin.get("sqe[" + bad + "].cid"), cqAdmin.get("cqe[" + bad + "].cid"));
        assertEquals(String.valueOf(bad + 1), cqAdmin.get("cqe[" + bad + "].sqhd"), "SQ head after fetching it");
        assertEquals(String.valueOf(NvmeStatus.INVALID_FIELD), cqAdmin.get("cqe[" + (bad + 1) + "].sc"));

        // I/O: entry n went to slot n mod depth; the last IO_DEPTH + 4 - depth slots hold the second pass
        for (int i = 0; i < IO_DEPTH + 4; i++) {
            int slot = i % IO_DEPTH;
            if (i < 4) {
                continue; // its slot holds request i + IO_DEPTH now
            }
            String s = "sqe[" + slot + "].";
            BlockRequest r = requests.get(i);
            int opcode = switch (r.op()) {
                case READ -> NvmeCommands.NVM_READ;
                case WRITE -> NvmeCommands.NVM_WRITE;
                case FLUSH -> NvmeCommands.NVM_FLUSH;
                case DISCARD -> NvmeCommands.NVM_DATASET_MANAGEMENT;
            };
            assertEquals(String.valueOf(opcode), sqIo.get(s + "opc"), "I/O entry " + i);
            assertEquals("1", sqIo.get(s + "nsid"));
            if (r.op() == BlockOp.READ || r.op() == BlockOp.WRITE) {
                assertEquals(String.valueOf(r.lba()), sqIo.get(s + "cdw10"), "SLBA low");
                assertEquals(String.valueOf(r.blocks() - 1), sqIo.get(s + "cdw12"), "NLB, 0's based");
            }
            String psdt = i % 5 == 2 ? "1" : "0";
            assertEquals(psdt, sqIo.get(s + "psdt"), "I/O entry " + i + ": SGL only for the odd-offset read");
            if (i % 5 == 2) {
                assertEquals(String.valueOf(SglDescriptorLayout.TYPE_LAST_SEGMENT), sqIo.get(s + "sgl.type"));
                assertEquals("32", sqIo.get(s + "sgl.len"), "two 16-byte descriptors");
            }
            String c = "cqe[" + slot + "].";
            assertEquals(sqIo.get(s + "cid"), cqIo.get(c + "cid"), "completion " + i + " names its command");
            assertEquals("1", cqIo.get(c + "sqid"));
            assertEquals(String.valueOf((slot + 1) % IO_DEPTH), cqIo.get(c + "sqhd"));
            assertEquals(i >= IO_DEPTH ? "0" : "1", cqIo.get(c + "p"), "phase inverted on the second pass");
            assertEquals("0", cqIo.get(c + "sc"));
        }
    }

    @Test
    void shouldDecodeTheSmartAndFirmwareSlotLogsAsJdmaBuiltThem() throws Exception {
        try (DmaBuffer a = kernel.memory().allocate(8 * 512, 4096)) {
            for (int i = 0; i < 5; i++) {
                BlockRequest r = BlockRequest.of(i < 2 ? BlockOp.WRITE : BlockOp.READ, 8L * i, 8, 512, a, null);
                assertTrue(nvme.submit(0, r));
                assertTrue(kernel.platform().clock().runUntil(r::isDone, WAIT_NS));
            }
        }
        byte[] smart = nvme.getLogPage(NvmeCommands.LOG_SMART, 0, SmartLogLayout.SIZE);
        Map<String, String> theirs = decoder.decode(dir, "smart", smart);
        assertSameFields(jdmaSmart(MemorySegment.ofArray(smart)), theirs, "SMART / Health log");
        SmartLog decoded = SmartLog.decode(smart);
        assertEquals(String.valueOf(decoded.hostReadCommands()), theirs.get("host_reads"));
        assertEquals(String.valueOf(decoded.dataUnitsWritten()), theirs.get("data_units_written"));
        assertTrue(Long.parseLong(theirs.get("host_writes")) >= 2, "the writes this test did: " + theirs);
        assertEquals("10", theirs.get("spare_thresh"));

        byte[] slots = nvme.getLogPage(NvmeCommands.LOG_FIRMWARE_SLOT, 0, FirmwareSlotLogLayout.SIZE);
        Map<String, String> fw = decoder.decode(dir, "fw-log", slots);
        assertSameFields(jdmaFirmwareSlots(MemorySegment.ofArray(slots)), fw, "Firmware Slot log");
        assertEquals("1", fw.get("afi.active"));
        assertEquals("1.0", fw.get("frs1"));
    }

    static Map<String, String> jdmaSmart(MemorySegment b) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("critical_warning", u8(b, SmartLogLayout.CRITICAL_WARNING));
        m.put("temperature", u16(b, SmartLogLayout.COMPOSITE_TEMPERATURE));
        m.put("avail_spare", u8(b, SmartLogLayout.AVAILABLE_SPARE));
        m.put("spare_thresh", u8(b, SmartLogLayout.AVAILABLE_SPARE_THRESHOLD));
        m.put("percent_used", u8(b, SmartLogLayout.PERCENTAGE_USED));
        m.put("data_units_read", u64(b, SmartLogLayout.DATA_UNITS_READ));
        m.put("data_units_written", u64(b, SmartLogLayout.DATA_UNITS_WRITTEN));
        m.put("host_reads", u64(b, SmartLogLayout.HOST_READ_COMMANDS));
        m.put("host_writes", u64(b, SmartLogLayout.HOST_WRITE_COMMANDS));
        m.put("ctrl_busy_time", u64(b, SmartLogLayout.CONTROLLER_BUSY_TIME));
        m.put("power_cycles", u64(b, SmartLogLayout.POWER_CYCLES));
        m.put("power_on_hours", u64(b, SmartLogLayout.POWER_ON_HOURS));
        m.put("unsafe_shutdowns", u64(b, SmartLogLayout.UNSAFE_SHUTDOWNS));
        m.put("media_errors", u64(b, SmartLogLayout.MEDIA_ERRORS));
        m.put("num_err_log_entries", u64(b, SmartLogLayout.ERROR_LOG_ENTRIES));
        return m;
    }

    static Map<String, String> jdmaFirmwareSlots(MemorySegment b) {
        Map<String, String> m = new LinkedHashMap<>();
        int afi = Byte.toUnsignedInt(b.get(ValueLayout.JAVA_BYTE, FirmwareSlotLogLayout.AFI));
        m.put("afi.active", String.valueOf(afi & FirmwareSlotLogLayout.AFI_SLOT_MASK));
        m.put("afi.next", String.valueOf(afi >>> FirmwareSlotLogLayout.AFI_NEXT_SHIFT & FirmwareSlotLogLayout.AFI_SLOT_MASK));
        for (int slot = 1; slot <= FirmwareSlotLogLayout.SLOTS; slot++) {
            m.put("frs" + slot, ascii(b, FirmwareSlotLogLayout.frs(slot), FirmwareSlotLogLayout.FRS_LENGTH));
        }
        return m;
    }

    /** Same field names, same values; a difference is named by its field. */
    static void assertSameFields(Map<String, String> jdma, Map<String, String> libnvme, String what) {
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, String> e : jdma.entrySet()) {
            if (!e.getValue().equals(libnvme.get(e.getKey()))) {
                differences.add(e.getKey() + ": jdma " + e.getValue() + ", libnvme " + libnvme.get(e.getKey()));
            }
        }
        libnvme.keySet().stream().filter(k -> !jdma.containsKey(k)).forEach(k -> differences.add(k + ": only libnvme printed it"));
        assertTrue(differences.isEmpty(), what + " differs:\n" + String.join("\n", differences));
        assertTrue(jdma.size() >= 9, what + ": too few fields compared: " + jdma);
    }

    private static int adminSlot(Map<String, String> sq, int opcode) {
        for (int i = 0; sq.containsKey("sqe[" + i + "].opc"); i++) {
            if (sq.get("sqe[" + i + "].opc").equals(String.valueOf(opcode))) {
                return i;
            }
        }
        throw new AssertionError("no admin entry with opcode " + opcode);
    }

    private static Map<String, String> withoutText(Map<String, String> m) {
        Map<String, String> copy = new LinkedHashMap<>(m);
        copy.keySet().removeIf(k -> k.endsWith(".text"));
        return copy;
    }

    // ------------------------------------------------------------ what jdma's layouts say

    private static String u8(MemorySegment b, long at) {
        return String.valueOf(Byte.toUnsignedInt(b.get(ValueLayout.JAVA_BYTE, at)));
    }

    private static String u16(MemorySegment b, long at) {
        return String.valueOf(Short.toUnsignedInt(b.get(LE_SHORT, at)));
    }

    private static String u32(MemorySegment b, long at) {
        return Integer.toUnsignedString(b.get(LE_INT, at));
    }

    private static String u64(MemorySegment b, long at) {
        return Long.toUnsignedString(b.get(LE_LONG, at));
    }

    private static String ascii(MemorySegment b, long at, int length) {
        byte[] s = new byte[length];
        MemorySegment.copy(b, ValueLayout.JAVA_BYTE, at, s, 0, length);
        return new String(s, StandardCharsets.US_ASCII).replaceAll("[ \\x00]+$", "");
    }

    static Map<String, String> jdmaIdController(MemorySegment b) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("vid", u16(b, IdentifyControllerLayout.VID));
        m.put("ssvid", u16(b, IdentifyControllerLayout.SSVID));
        m.put("sn", ascii(b, IdentifyControllerLayout.SN, IdentifyControllerLayout.SN_LENGTH));
        m.put("mn", ascii(b, IdentifyControllerLayout.MN, IdentifyControllerLayout.MN_LENGTH));
        m.put("fr", ascii(b, IdentifyControllerLayout.FR, IdentifyControllerLayout.FR_LENGTH));
        m.put("rab", u8(b, IdentifyControllerLayout.RAB));
        m.put("ieee", String.valueOf(b.get(LE_INT, IdentifyControllerLayout.IEEE) & 0xFF_FFFF));
        m.put("cmic", u8(b, IdentifyControllerLayout.CMIC));
        m.put("mdts", u8(b, IdentifyControllerLayout.MDTS));
        m.put("cntlid", u16(b, IdentifyControllerLayout.CNTLID));
        m.put("ver", u32(b, IdentifyControllerLayout.VER));
        m.put("oacs", u16(b, IdentifyControllerLayout.OACS));
        m.put("acl", u8(b, IdentifyControllerLayout.ACL));
        m.put("aerl", u8(b, IdentifyControllerLayout.AERL));
        m.put("frmw", u8(b, IdentifyControllerLayout.FRMW));
        m.put("lpa", u8(b, IdentifyControllerLayout.LPA));
        m.put("elpe", u8(b, IdentifyControllerLayout.ELPE));
        m.put("npss", u8(b, IdentifyControllerLayout.NPSS));
        m.put("sqes", u8(b, IdentifyControllerLayout.SQES));
        m.put("cqes", u8(b, IdentifyControllerLayout.CQES));
        m.put("maxcmd", u16(b, IdentifyControllerLayout.MAXCMD));
        m.put("nn", u32(b, IdentifyControllerLayout.NN));
        m.put("oncs", u16(b, IdentifyControllerLayout.ONCS));
        m.put("vwc", u8(b, IdentifyControllerLayout.VWC));
        m.put("sgls", u32(b, IdentifyControllerLayout.SGLS));
        m.put("subnqn", ascii(b, IdentifyControllerLayout.SUBNQN, IdentifyControllerLayout.SUBNQN_LENGTH));
        return m;
    }

    static Map<String, String> jdmaIdNamespace(MemorySegment b) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("nsze", u64(b, IdentifyNamespaceLayout.NSZE));
        m.put("ncap", u64(b, IdentifyNamespaceLayout.NCAP));
        m.put("nuse", u64(b, IdentifyNamespaceLayout.NUSE));
        m.put("nsfeat", u8(b, IdentifyNamespaceLayout.NSFEAT));
        m.put("nlbaf", u8(b, IdentifyNamespaceLayout.NLBAF));
        m.put("flbas", u8(b, IdentifyNamespaceLayout.FLBAS));
        m.put("mc", u8(b, IdentifyNamespaceLayout.FLBAS + 1));
        m.put("dpc", u8(b, IdentifyNamespaceLayout.FLBAS + 2));
        m.put("dlfeat", u8(b, IdentifyNamespaceLayout.DLFEAT));
        int formats = Byte.toUnsignedInt(b.get(ValueLayout.JAVA_BYTE, IdentifyNamespaceLayout.NLBAF)) + 1;
        for (int i = 0; i < formats; i++) {
            int f = b.get(LE_INT, IdentifyNamespaceLayout.lbaf(i));
            m.put("lbaf[" + i + "].ms", String.valueOf(f & 0xFFFF));
            m.put("lbaf[" + i + "].ds", String.valueOf(IdentifyNamespaceLayout.lbads(f)));
            m.put("lbaf[" + i + "].rp", String.valueOf(f >>> 24 & 3));
        }
        return m;
    }

    static Map<String, String> jdmaSqes(byte[] bytes) {
        MemorySegment all = MemorySegment.ofArray(bytes);
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < bytes.length / SubmissionEntryLayout.SIZE; i++) {
            MemorySegment e = all.asSlice((long) i * SubmissionEntryLayout.SIZE, SubmissionEntryLayout.SIZE);
            String p = "sqe[" + i + "].";
            int flags = Byte.toUnsignedInt(e.get(ValueLayout.JAVA_BYTE, SubmissionEntryLayout.FLAGS));
            int psdt = SubmissionEntryLayout.psdt(flags);
            m.put(p + "opc", u8(e, SubmissionEntryLayout.OPCODE));
            m.put(p + "fuse", String.valueOf(flags & SubmissionEntryLayout.FUSE_MASK));
            m.put(p + "psdt", String.valueOf(psdt));
            m.put(p + "cid", u16(e, SubmissionEntryLayout.CID));
            m.put(p + "nsid", u32(e, SubmissionEntryLayout.NSID));
            m.put(p + "mptr", u64(e, SubmissionEntryLayout.MPTR));
            if (psdt == SubmissionEntryLayout.PSDT_PRP) {
                m.put(p + "prp1", u64(e, SubmissionEntryLayout.PRP1));
                m.put(p + "prp2", u64(e, SubmissionEntryLayout.PRP2));
            } else {
                long d = SubmissionEntryLayout.DPTR;
                int id = Byte.toUnsignedInt(e.get(ValueLayout.JAVA_BYTE, d + SglDescriptorLayout.IDENTIFIER));
                m.put(p + "sgl.addr", u64(e, d + SglDescriptorLayout.ADDRESS));
                m.put(p + "sgl.len", u32(e, d + SglDescriptorLayout.LENGTH));
                m.put(p + "sgl.type", String.valueOf(SglDescriptorLayout.type(id)));
                m.put(p + "sgl.subtype", String.valueOf(SglDescriptorLayout.subtype(id)));
            }
            for (int d = 10; d <= 15; d++) {
                m.put(p + "cdw" + d, u32(e, SubmissionEntryLayout.cdw(d)));
            }
        }
        return m;
    }

    static Map<String, String> jdmaCqes(byte[] bytes) {
        MemorySegment all = MemorySegment.ofArray(bytes);
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < bytes.length / CompletionEntryLayout.SIZE; i++) {
            MemorySegment e = all.asSlice((long) i * CompletionEntryLayout.SIZE, CompletionEntryLayout.SIZE);
            String p = "cqe[" + i + "].";
            int word = Short.toUnsignedInt(e.get(LE_SHORT, CompletionEntryLayout.STATUS));
            int status = CompletionEntryLayout.status(word);
            m.put(p + "dw0", u32(e, CompletionEntryLayout.DW0));
            m.put(p + "sqhd", u16(e, CompletionEntryLayout.SQHD));
            m.put(p + "sqid", u16(e, CompletionEntryLayout.SQID));
            m.put(p + "cid", u16(e, CompletionEntryLayout.CID));
            m.put(p + "p", String.valueOf(CompletionEntryLayout.phase(word)));
            m.put(p + "sct", String.valueOf(NvmeStatus.sct(status)));
            m.put(p + "sc", String.valueOf(status & 0xFF));
            m.put(p + "crd", String.valueOf((word & CompletionEntryLayout.CRD_MASK) >>> CompletionEntryLayout.CRD_SHIFT));
            m.put(p + "m", CompletionEntryLayout.more(word) ? "1" : "0");
            m.put(p + "dnr", CompletionEntryLayout.dnr(word) ? "1" : "0");
        }
        return m;
    }
}
