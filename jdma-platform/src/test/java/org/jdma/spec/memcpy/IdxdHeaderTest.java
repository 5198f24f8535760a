package org.jdma.spec.memcpy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The DSA formats jdma defines, checked value by value against Linux's
 * {@code include/uapi/linux/idxd.h} ({@code struct dsa_hw_desc}, {@code struct
 * dsa_completion_record}, {@code IDXD_OP_FLAG_*}, {@code enum dsa_opcode},
 * {@code enum dsa_completion_status}, {@code DSA_COMP_STATUS_MASK/WRITE}). The expected numbers
 * below are copied from the header (offsets worked out from its packed field widths), not from
 * jdma's classes, so a drift on either side fails here. The jdma extensions (CHAIN, its link
 * flag and fields) are checked to sit where the header assigns nothing.
 */
class IdxdHeaderTest {

    @Test
    void shouldLayOutTheDescriptorAsStructDsaHwDesc() {
        // u32 pasid:20, rsvd:11, priv:1 | u32 flags:24, opcode:8 | u64 completion_addr | u64 src/pattern/desc_list
        // | u64 dst/src2 | u32 xfer_size/desc_count | u16 int_handle | u16 rsvd1 | u8 op_specific[24]  (packed)
        assertEquals(64, CopyDescriptorLayout.SIZE);
        assertEquals(0x00, CopyDescriptorLayout.PASID_PRIV);
        assertEquals(0x04, CopyDescriptorLayout.FLAGS_OPCODE);
        assertEquals(0x00FF_FFFF, CopyDescriptorLayout.FLAGS_MASK, "flags:24");
        assertEquals(24, CopyDescriptorLayout.OPCODE_SHIFT, "opcode:8 above flags:24");
        assertEquals(0x08, CopyDescriptorLayout.COMPLETION_ADDR);
        assertEquals(0x10, CopyDescriptorLayout.SRC_ADDR);
        assertEquals(0x10, CopyDescriptorLayout.PATTERN);
        assertEquals(0x10, CopyDescriptorLayout.DESC_LIST_ADDR);
        assertEquals(0x18, CopyDescriptorLayout.DST_ADDR);
        assertEquals(0x18, CopyDescriptorLayout.SRC2_ADDR);
        assertEquals(0x20, CopyDescriptorLayout.XFER_SIZE);
        assertEquals(0x20, CopyDescriptorLayout.DESC_COUNT);
        assertEquals(0x24, CopyDescriptorLayout.INT_HANDLE);
        assertEquals(0x26, CopyDescriptorLayout.RSVD1);
        assertEquals(0x28, CopyDescriptorLayout.OP_SPECIFIC);
        assertEquals(24, CopyDescriptorLayout.OP_SPECIFIC_SIZE);
        assertEquals(CopyDescriptorLayout.SIZE, CopyDescriptorLayout.OP_SPECIFIC + CopyDescriptorLayout.OP_SPECIFIC_SIZE);
    }

    @Test
    void shouldLayOutTheCompletionRecordAsStructDsaCompletionRecord() {
        // u8 status | u8 result/dif_status | u8 fault_info | u8 rsvd | u32 bytes_completed/descs_completed
        // | u64 fault_addr | union { u32 invalid_flags:24, rsvd2:8; ... u8 op_specific[16] }  (packed)
        assertEquals(32, CompletionRecordLayout.SIZE);
        assertEquals(0x00, CompletionRecordLayout.STATUS);
        assertEquals(0x01, CompletionRecordLayout.RESULT);
        assertEquals(0x02, CompletionRecordLayout.FAULT_INFO);
        assertEquals(0x03, CompletionRecordLayout.RSVD);
        assertEquals(0x04, CompletionRecordLayout.BYTES_COMPLETED);
        assertEquals(0x04, CompletionRecordLayout.DESCS_COMPLETED);
        assertEquals(0x08, CompletionRecordLayout.FAULT_ADDR);
        assertEquals(0x10, CompletionRecordLayout.INVALID_FLAGS);
        assertEquals(0x10, CompletionRecordLayout.OP_SPECIFIC);
        assertEquals(16, CompletionRecordLayout.OP_SPECIFIC_SIZE);
        assertEquals(CompletionRecordLayout.SIZE, CompletionRecordLayout.OP_SPECIFIC + CompletionRecordLayout.OP_SPECIFIC_SIZE);
    }

    @Test
    void shouldUseTheIdxdOpFlagValues() {
        assertEquals(0x0001, CopyDescriptorLayout.FLAG_FENCE);
        assertEquals(0x0002, CopyDescriptorLayout.FLAG_BOF);
        assertEquals(0x0004, CopyDescriptorLayout.FLAG_CRAV);
        assertEquals(0x0008, CopyDescriptorLayout.FLAG_RCR);
        assertEquals(0x0010, CopyDescriptorLayout.FLAG_RCI);
        assertEquals(0x0020, CopyDescriptorLayout.FLAG_CRSTS);
        assertEquals(0x0080, CopyDescriptorLayout.FLAG_CR);
        assertEquals(0x0100, CopyDescriptorLayout.FLAG_CC);
        assertEquals(0x0200, CopyDescriptorLayout.FLAG_ADDR1_TCS);
        assertEquals(0x0400, CopyDescriptorLayout.FLAG_ADDR2_TCS);
        assertEquals(0x0800, CopyDescriptorLayout.FLAG_ADDR3_TCS);
        assertEquals(0x1000, CopyDescriptorLayout.FLAG_CR_TCS);
        assertEquals(0x2000, CopyDescriptorLayout.FLAG_STORD);
        assertEquals(0x4000, CopyDescriptorLayout.FLAG_DRDBK);
        assertEquals(0x8000, CopyDescriptorLayout.FLAG_DSTS);
    }

    @Test
    void shouldNumberTheOpcodesAsEnumDsaOpcode() {
        Map<String, Integer> dsa = new LinkedHashMap<>();
        dsa.put("NOOP", 0x00);
        dsa.put("BATCH", 0x01);
        dsa.put("DRAIN", 0x02);
        dsa.put("MEMMOVE", 0x03);
        dsa.put("MEMFILL", 0x04);
        dsa.put("COMPARE", 0x05);
        for (Map.Entry<String, Integer> e : dsa.entrySet()) {
            assertEquals(e.getValue(), Opcode.valueOf(e.getKey()).code(), "DSA_OPCODE_" + e.getKey());
        }
        assertEquals(dsa.size() + 1, Opcode.values().length, "the DSA opcodes jdma runs, and CHAIN");
    }

    @Test
    void shouldNumberTheStatusesAsEnumDsaCompletionStatus() {
        Map<String, Integer> dsa = new LinkedHashMap<>();
        String[] low = {"NONE", "SUCCESS", "SUCCESS_PRED", "PAGE_FAULT_NOBOF", "PAGE_FAULT_IR", "BATCH_FAIL",
                "BATCH_PAGE_FAULT", "DR_OFFSET_NOINC", "DR_OFFSET_ERANGE", "DIF_ERR"};
        for (int i = 0; i < low.length; i++) {
            dsa.put(low[i], i);
        }
        String[] high = {"BAD_OPCODE", "INVALID_FLAGS", "NOZERO_RESERVE", "XFER_ERANGE", "DESC_CNT_ERANGE", "DR_ERANGE",
                "OVERLAP_BUFFERS", "DCAST_ERR", "DESCLIST_ALIGN", "INT_HANDLE_INVAL", "CRA_XLAT", "CRA_ALIGN", "ADDR_ALIGN",
                "PRIV_BAD", "TRAFFIC_CLASS_CONF", "PFAULT_RDBA", "HW_ERR1", "HW_ERR_DRB", "TRANSLATION_FAIL"};
        for (int i = 0; i < high.length; i++) {
            dsa.put(high[i], 0x10 + i);
        }
        Map<String, Integer> jdma = Arrays.stream(CompletionStatus.values())
                .collect(Collectors.toMap(CompletionStatus::name, CompletionStatus::code, (a, b) -> a, LinkedHashMap::new));
        assertEquals(dsa, jdma, "every DSA_COMP_* code of idxd.h up to TRANSLATION_FAIL, by name and value");
        assertEquals(0x7F, CompletionStatus.CODE_MASK, "DSA_COMP_STATUS_MASK");
        assertEquals(0x80, CompletionStatus.WRITE_FAULT_BIT, "DSA_COMP_STATUS_WRITE");
        assertEquals(CompletionStatus.PAGE_FAULT_NOBOF, CompletionStatus.fromStatusByte(0x83), "status byte with the write bit");
    }

    @Test
    void shouldPutTheChainExtensionWhereIdxdAssignsNothing() {
        // enum dsa_opcode: 0x00-0x0A, 0x10-0x15, 0x17, 0x20; enum iax_opcode: 0x00, 0x02, 0x03, 0x42 and up.
        int chain = Opcode.CHAIN.code();
        assertEquals(0x30, chain);
        assertNull(Opcode.fromCode(0x06), "COMPVAL is DSA's, not run here");
        // IDXD_OP_FLAG_*: DSA 0x0001-0x8000, IAX 0x010000-0x200000; bit 23 is free.
        assertEquals(0x80_0000, CopyDescriptorLayout.FLAG_LINK_LAST);
        assertEquals(0, CopyDescriptorLayout.FLAG_LINK_LAST & 0x3F_FFFF);
        // A link's next pointer is the last 8 operation-specific bytes; the chain's record fields are
        // operation-specific bytes after the invalid-flags word.
        assertEquals(0x38, CopyDescriptorLayout.NEXT_LINK);
        assertEquals(0x14, CompletionRecordLayout.CHAIN_LINK_BYTES);
        assertEquals(0x18, CompletionRecordLayout.CHAIN_LINK_ADDR);
    }
}
