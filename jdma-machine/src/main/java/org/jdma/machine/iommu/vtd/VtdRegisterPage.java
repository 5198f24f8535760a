package org.jdma.machine.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.*;

import org.jdma.machine.mmio.Register;
import org.jdma.machine.mmio.RegisterAccess;
import org.jdma.machine.mmio.RegisterFile;
import org.jdma.spec.vtd.VtdCapabilityLayout;
import org.jdma.spec.vtd.VtdFaultRecordLayout;

/**
 * The unit's register page (VT-d §10.4) as a table of named registers with their access kinds and
 * the bits each implements: reserved bits read zero and ignore writes, read-only bits ignore
 * writes. The page's shape follows CAP/ECAP: the invalidation-queue registers exist only with
 * ECAP.QI, IVA/IOTLB sit at ECAP.IRO, the fault recording registers at CAP.FRO, CAP.NFR + 1 of
 * them. Address fields keep only the bits below the host address width.
 *
 * <p>Holds state only; what a write means is decided by the parts of the unit that hook the
 * registers ({@link VtdUnit} wires them). Not thread-safe: the owning unit serialises access.
 */
final class VtdRegisterPage {

    /**
     * GSTS bits this model sets: the status twins of TE, SRTP and QIE (same positions as GCMD), and
     * with ECAP.IR those of IRE, SIRTP and CFI.
     */
    static final long GSTS_MASK = GCMD_TE | GCMD_SRTP | GCMD_QIE;
    static final long CCMD_CIRG_MASK = CCMD_GRANULARITY_MASK << CCMD_CIRG_SHIFT;
    static final long CCMD_CAIG_MASK = CCMD_GRANULARITY_MASK << CCMD_CAIG_SHIFT;
    static final long CCMD_FM_MASK = 0x3L << CCMD_FM_SHIFT;
    static final long CCMD_SID_MASK = 0xFFFFL << CCMD_SID_SHIFT;
    static final long IOTLB_IIRG_MASK = IOTLB_GRANULARITY_MASK << IOTLB_IIRG_SHIFT;
    static final long IOTLB_IAIG_MASK = IOTLB_GRANULARITY_MASK << IOTLB_IAIG_SHIFT;
    static final long IOTLB_DID_MASK = 0xFFFFL << IOTLB_DID_SHIFT;
    /** FEDATA/IEDATA: interrupt data 15:0; 31:16 (extended data) need ECAP.EIM, absent here. */
    private static final long MSI_DATA_MASK = 0xFFFFL;
    /** FEADDR/IEADDR: message address 31:2. */
    private static final long MSI_ADDRESS_MASK = 0xFFFF_FFFCL;
    /** VER: MAX 7:4, MIN 3:0 (§10.4.1). */
    private static final long VER_MASK = 0xFF;

    final RegisterFile file;
    final Register gcmd;
    final Register gsts;
    final Register rtaddr;
    final Register ccmd;
    final Register fsts;
    final Register fectl;
    final Register fedata;
    final Register feaddr;
    /** The invalidation-queue registers; null when the unit has no queued invalidation (ECAP.QI = 0). */
    final Register iqh;
    final Register iqt;
    final Register iqa;
    final Register ics;
    final Register iectl;
    final Register iedata;
    final Register ieaddr;
    /** IRTA (§10.4.29); null without interrupt remapping (ECAP.IR = 0). */
    final Register irta;
    final Register iva;
    final Register iotlb;
    /** Fault recording registers (§10.4.14), lower and upper 64 bits of each. */
    final Register[] frcdLo;
    final Register[] frcdHi;

    /**
     * @param hawBits host address width: address bits at and above it are reserved in RTADDR and IQA
     */
    VtdRegisterPage(String name, VtdConfig config, int hawBits) {
        long cap = config.cap();
        long ecap = config.ecap();
        long haw = (1L << hawBits) - 1;
        file = new RegisterFile(name);
        file.add(new Register("VER", VER, 4, RegisterAccess.RO, VER_MASK, VERSION_1_0));
        file.add(new Register("CAP", CAP, 8, RegisterAccess.RO, -1L, cap));
        file.add(new Register("ECAP", ECAP, 8, RegisterAccess.RO, -1L, ecap));
        long ir = config.interruptRemapping() ? GCMD_IR_BITS : 0;
        gcmd = file.add(Register.of("GCMD", GCMD, 4, RegisterAccess.WO, GCMD_TE | GCMD_SRTP | GCMD_SFL | GCMD_WBF | GCMD_QIE | ir));
        gsts = file.add(Register.of("GSTS", GSTS, 4, RegisterAccess.RO, GSTS_MASK | ir));
        rtaddr = file.add(Register.of("RTADDR", RTADDR, 8, RegisterAccess.RW, RTADDR_RTA_MASK & haw));
        ccmd = file.add(Register.of("CCMD", CCMD, 8, RegisterAccess.RW,
                CCMD_ICC | CCMD_CIRG_MASK | CCMD_CAIG_MASK | CCMD_FM_MASK | CCMD_SID_MASK | CCMD_DID_MASK));
        fsts = file.add(Register.of("FSTS", FSTS, 4, RegisterAccess.RO, FSTS_FRI_MASK | FSTS_PPF | FSTS_RW1C));
        fectl = file.add(new Register("FECTL", FECTL, 4, RegisterAccess.RW, ECTL_IM | ECTL_IP, ECTL_IM));
        fedata = file.add(Register.of("FEDATA", FEDATA, 4, RegisterAccess.RW, MSI_DATA_MASK));
        feaddr = file.add(Register.of("FEADDR", FEADDR, 4, RegisterAccess.RW, MSI_ADDRESS_MASK));
        // Upper address bits exist only for x2APIC (ECAP.EIM), which this unit does not offer.
        file.add(Register.of("FEUADDR", FEUADDR, 4, RegisterAccess.RW, 0));
        if (config.queuedInvalidation()) {
            iqh = file.add(Register.of("IQH", IQH, 8, RegisterAccess.RO, IQ_INDEX_MASK_128));
            iqt = file.add(Register.of("IQT", IQT, 8, RegisterAccess.RW, IQ_INDEX_MASK_128));
            // IQA.DW (256-bit descriptors) needs scalable mode (ECAP.SMTS), absent: it is reserved.
            iqa = file.add(Register.of("IQA", IQA, 8, RegisterAccess.RW, (IQA_ADDR_MASK & haw) | IQA_QS_MASK));
            ics = file.add(Register.of("ICS", ICS, 4, RegisterAccess.RO, ICS_IWC));
            iectl = file.add(new Register("IECTL", IECTL, 4, RegisterAccess.RW, ECTL_IM | ECTL_IP, ECTL_IM));
            iedata = file.add(Register.of("IEDATA", IEDATA, 4, RegisterAccess.RW, MSI_DATA_MASK));
            ieaddr = file.add(Register.of("IEADDR", IEADDR, 4, RegisterAccess.RW, MSI_ADDRESS_MASK));
            file.add(Register.of("IEUADDR", IEUADDR, 4, RegisterAccess.RW, 0));
        } else {
            iqh = iqt = iqa = ics = iectl = iedata = ieaddr = null;
        }
        // IRTA.EIME needs ECAP.EIM (absent): reserved, as the address bits at and above the host width.
        irta = config.interruptRemapping()
                ? file.add(Register.of("IRTA", IRTA, 8, RegisterAccess.RW, (IRTA_ADDR_MASK & haw) | IRTA_S_MASK))
                : null;
        int iro = VtdCapabilityLayout.iro(ecap);
        iva = file.add(Register.of("IVA", ivaOffset(iro), 8, RegisterAccess.RW, IVA_ADDR_MASK | IVA_IH | IVA_AM_MASK));
        iotlb = file.add(Register.of("IOTLB", iotlbOffset(iro), 8, RegisterAccess.RW,
                IOTLB_IVT | IOTLB_IIRG_MASK | IOTLB_IAIG_MASK | IOTLB_DR | IOTLB_DW | IOTLB_DID_MASK));
        int fro = VtdCapabilityLayout.fro(cap);
        int records = VtdCapabilityLayout.faultRecordCount(cap);
        frcdLo = new Register[records];
        frcdHi = new Register[records];
        for (int i = 0; i < records; i++) {
            int at = frcdOffset(fro, i);
            frcdLo[i] = file.add(Register.of("FRCD" + i + "_LO", at + VtdFaultRecordLayout.LO, 8, RegisterAccess.RO,
                    VtdFaultRecordLayout.LO_FI_MASK));
            frcdHi[i] = file.add(Register.of("FRCD" + i + "_HI", at + VtdFaultRecordLayout.HI, 8, RegisterAccess.RO,
                    VtdFaultRecordLayout.HI_F | VtdFaultRecordLayout.HI_T_READ | VtdFaultRecordLayout.HI_FR_MASK
                            | VtdFaultRecordLayout.HI_SID_MASK));
        }
    }

    /** The value the hardware holds (no side effects). */
    long get(Register r) {
        return file.get(r);
    }

    /** A hardware update: ignores the access kind (hardware changes read-only status bits). */
    void set(Register r, long value) {
        file.set(r, value);
    }
}
