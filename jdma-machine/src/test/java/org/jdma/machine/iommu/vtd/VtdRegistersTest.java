package org.jdma.machine.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdma.spec.vtd.VtdCapabilityLayout;
import org.jdma.machine.iommu.vtd.VtdConfig;
import org.junit.jupiter.api.Test;

/** The register page against the spec's register table (§10.4), driven through the CPU. */
class VtdRegistersTest {

    @Test
    void shouldComeOutOfResetWithTheSpecsValues() {
        try (VtdFixture f = new VtdFixture()) {
            assertEquals(VERSION_1_0, f.r32(VER));
            assertEquals(VtdConfig.DEFAULT.cap(), f.r64(CAP));
            assertEquals(VtdConfig.DEFAULT.ecap(), f.r64(ECAP));
            assertEquals(0, f.r32(GSTS), "translation, root pointer, queue: all off");
            assertEquals(0, f.r64(RTADDR));
            assertEquals(0, f.r32(FSTS));
            assertEquals(ECTL_IM, f.r32(FECTL), "fault events masked at reset");
            assertEquals(ECTL_IM, f.r32(IECTL), "invalidation events masked at reset");
            assertEquals(0, f.r64(IQH));
            assertEquals(0, f.r64(IQT));
            assertEquals(0, f.r32(ICS));
            assertFalse(f.unit.translationEnabled());
        }
    }

    @Test
    void shouldPlaceIotlbAndFaultRecordRegistersWhereCapAndEcapSay() {
        try (VtdFixture f = new VtdFixture()) {
            long cap = f.r64(CAP);
            long ecap = f.r64(ECAP);
            assertEquals(0xF0, ivaOffset(VtdCapabilityLayout.iro(ecap)));
            assertEquals(0x220, frcdOffset(VtdCapabilityLayout.fro(cap), 0));
            assertEquals(8, VtdCapabilityLayout.faultRecordCount(cap));
            long before = f.unit.unclaimedRegisterAccesses();
            f.r32(frcdOffset(VtdCapabilityLayout.fro(cap), 8)); // one past the last record
            assertEquals(before + 1, f.unit.unclaimedRegisterAccesses());
        }
    }

    @Test
    void shouldIgnoreWritesToReadOnlyRegisters() {
        try (VtdFixture f = new VtdFixture()) {
            f.w32(VER, 0x55);
            f.w64(CAP, 0);
            f.w64(ECAP, -1L);
            f.w32(GSTS, -1);
            f.w64(IQH, 0x100);
            assertEquals(VERSION_1_0, f.r32(VER));
            assertEquals(VtdConfig.DEFAULT.cap(), f.r64(CAP));
            assertEquals(VtdConfig.DEFAULT.ecap(), f.r64(ECAP));
            assertEquals(0, f.r32(GSTS));
            assertEquals(0, f.r64(IQH));
        }
    }

    @Test
    void shouldReadReservedBitsAsZero() {
        try (VtdFixture f = new VtdFixture()) {
            f.w64(RTADDR, -1L);
            assertEquals(0x7F_FFFF_F000L, f.r64(RTADDR), "RTA 38:12 only (39-bit HAW); TTM (scalable mode) reserved");
            f.w32(FEDATA, -1);
            assertEquals(0xFFFF, f.r32(FEDATA), "extended interrupt data needs EIM");
            f.w32(FEADDR, -1);
            assertEquals(0xFFFF_FFFC, f.r32(FEADDR));
            f.w32(FEUADDR, -1);
            assertEquals(0, f.r32(FEUADDR), "upper address needs EIM");
            f.w64(IQA, -1L);
            assertEquals(0x7F_FFFF_F007L, f.r64(IQA), "DW (256-bit descriptors) needs scalable mode");
            f.w64(IQT, -1L);
            assertEquals(0x7FFF0L, f.r64(IQT));
        }
    }

    @Test
    void shouldReadGcmdAsZeroAndReportCommandsInGsts() {
        try (VtdFixture f = new VtdFixture()) {
            f.setRootTable();
            assertEquals(0, f.r32(GCMD), "GCMD is write-only");
            f.enableTranslation();
            assertEquals(GCMD_TE | GCMD_SRTP, f.r32(GSTS));
            assertTrue(f.unit.translationEnabled());
            f.w32(GCMD, f.r32(GSTS) & ~GCMD_ONE_SHOT & ~GCMD_TE);
            assertEquals(GCMD_SRTP, f.r32(GSTS), "TES follows TE; RTPS stays");
            assertFalse(f.unit.translationEnabled());
        }
    }

    @Test
    void shouldLatchTheRootTablePointerOnlyWhenSrtpIsWritten() {
        try (VtdFixture f = new VtdFixture()) {
            long root = f.setRootTable();
            assertEquals(root, f.unit.rootTableAddress());
            f.w64(RTADDR, root + 0x1000);
            assertEquals(root, f.unit.rootTableAddress(), "RTADDR alone changes nothing");
            f.command(GCMD_SRTP);
            assertEquals(root + 0x1000, f.unit.rootTableAddress());
        }
    }

    @Test
    void shouldAcceptSixtyFourBitRegistersAsTwoThirtyTwoBitHalves() {
        try (VtdFixture f = new VtdFixture()) {
            f.w32(RTADDR, 0x0012_3000);
            f.w32(RTADDR + 4, 0x0000_0045);
            assertEquals(0x45_0012_3000L, f.r64(RTADDR));
            assertEquals(0x0012_3000, f.r32(RTADDR));
            assertEquals(0x45, f.r32(RTADDR + 4));
        }
    }

    @Test
    void shouldSelfClearCcmdIccAndReportTheActualGranularity() {
        try (VtdFixture f = new VtdFixture()) {
            long domain = CCMD_ICC | ((long) CC_DOMAIN << CCMD_CIRG_SHIFT) | 7;
            // Low half first (DID), then the high half with ICC: the command runs on the second write.
            f.w32(CCMD, (int) domain);
            assertEquals(0, f.unit.contextInvalidations(CC_DOMAIN));
            f.w32(CCMD + 4, (int) (domain >>> 32));
            long v = f.r64(CCMD);
            assertEquals(0, v & CCMD_ICC, "ICC clears when the invalidation is done");
            assertEquals(CC_DOMAIN, (v >>> CCMD_CAIG_SHIFT) & CCMD_GRANULARITY_MASK);
            assertEquals(1, f.unit.contextInvalidations(CC_DOMAIN));

            f.w64(CCMD, CCMD_ICC); // CIRG 0 is reserved: ignored, CAIG 0
            assertEquals(0, (f.r64(CCMD) >>> CCMD_CAIG_SHIFT) & CCMD_GRANULARITY_MASK);
            assertEquals(0, f.r64(CCMD) & CCMD_ICC);
        }
    }

    @Test
    void shouldNotLetSoftwareWriteCaigOrIaig() {
        try (VtdFixture f = new VtdFixture()) {
            f.w64(CCMD, CCMD_GRANULARITY_MASK << CCMD_CAIG_SHIFT);
            assertEquals(0, f.r64(CCMD));
            int iotlb = iotlbOffset(DEFAULT_IRO);
            f.w64(iotlb, IOTLB_GRANULARITY_MASK << IOTLB_IAIG_SHIFT);
            assertEquals(0, f.r64(iotlb));
        }
    }

    @Test
    void shouldSelfClearIotlbIvtAndFallBackToDomainWhenTheMaskExceedsMamv() {
        try (VtdFixture f = new VtdFixture()) {
            int iva = ivaOffset(DEFAULT_IRO);
            int iotlb = iotlbOffset(DEFAULT_IRO);
            long psi = IOTLB_IVT | ((long) IOTLB_PAGE << IOTLB_IIRG_SHIFT) | (3L << IOTLB_DID_SHIFT);
            f.w64(iva, 0x20_0000L | 2);
            f.w64(iotlb, psi);
            long v = f.r64(iotlb);
            assertEquals(0, v & IOTLB_IVT);
            assertEquals(IOTLB_PAGE, (v >>> IOTLB_IAIG_SHIFT) & IOTLB_GRANULARITY_MASK);
            f.w64(iva, 0x20_0000L | 19); // MAMV is 18
            f.w64(iotlb, psi);
            assertEquals(IOTLB_DOMAIN, (f.r64(iotlb) >>> IOTLB_IAIG_SHIFT) & IOTLB_GRANULARITY_MASK);
            f.w64(iotlb, IOTLB_IVT | ((long) IOTLB_GLOBAL << IOTLB_IIRG_SHIFT));
            assertEquals(IOTLB_GLOBAL, (f.r64(iotlb) >>> IOTLB_IAIG_SHIFT) & IOTLB_GRANULARITY_MASK);
            assertEquals(1, f.unit.iotlbInvalidations(IOTLB_PAGE));
            assertEquals(1, f.unit.iotlbInvalidations(IOTLB_DOMAIN));
            assertEquals(1, f.unit.iotlbInvalidations(IOTLB_GLOBAL));
        }
    }

    @Test
    void shouldDoPageSelectiveRequestsDomainWideWithoutCapPsi() {
        try (VtdFixture f = new VtdFixture(VtdConfig.DEFAULT.withPageSelective(false, 0))) {
            assertEquals(0, f.r64(CAP) & VtdCapabilityLayout.CAP_PSI);
            int iotlb = iotlbOffset(DEFAULT_IRO);
            f.w64(iotlb, IOTLB_IVT | ((long) IOTLB_PAGE << IOTLB_IIRG_SHIFT));
            assertEquals(IOTLB_DOMAIN, (f.r64(iotlb) >>> IOTLB_IAIG_SHIFT) & IOTLB_GRANULARITY_MASK);
        }
    }

    @Test
    void shouldEnableQueuedInvalidationAndResetTheHeadWhenDisabled() {
        try (VtdFixture f = new VtdFixture()) {
            f.w64(IQA, f.page());
            f.command(GCMD_QIE);
            assertEquals(GCMD_QIE, f.r32(GSTS) & GCMD_QIE);
            f.w32(GCMD, f.r32(GSTS) & ~GCMD_ONE_SHOT & ~GCMD_QIE);
            assertEquals(0, f.r32(GSTS) & GCMD_QIE);
            assertEquals(0, f.r64(IQH));
        }
    }

    @Test
    void shouldLeaveTheQueueRegistersOutWhenQueuedInvalidationIsNotOffered() {
        try (VtdFixture f = new VtdFixture(VtdConfig.DEFAULT.withQueuedInvalidation(false))) {
            assertEquals(0, f.r64(ECAP) & VtdCapabilityLayout.ECAP_QI);
            f.w64(IQA, 0x1000);
            assertEquals(0, f.r64(IQA));
            f.command(GCMD_QIE);
            assertEquals(0, f.r32(GSTS) & GCMD_QIE, "QIE is ignored without ECAP.QI");
        }
    }

    @Test
    void shouldCompleteWriteBufferFlushAtOnce() {
        try (VtdFixture f = new VtdFixture()) {
            f.command(GCMD_WBF);
            assertEquals(0, f.r32(GSTS) & GCMD_WBF, "WBFS reads 0: the flush is over");
            assertEquals(1, f.unit.writeBufferFlushes());
        }
    }

    @Test
    void shouldKeepFaultEventPendingBitReadOnly() {
        try (VtdFixture f = new VtdFixture()) {
            f.w32(FECTL, ECTL_IP);
            assertEquals(0, f.r32(FECTL), "IM written 0, IP cannot be set by software");
            f.w32(FECTL, ECTL_IM | ECTL_IP);
            assertEquals(ECTL_IM, f.r32(FECTL));
        }
    }
}
