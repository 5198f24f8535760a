package org.jdma.machine.dev.ixgbe;

import static org.jdma.machine.mmio.RegisterAccess.RC;
import static org.jdma.machine.mmio.RegisterAccess.RO;
import static org.jdma.machine.mmio.RegisterAccess.RW;
import static org.jdma.machine.mmio.RegisterAccess.WO;
import static org.jdma.spec.ixgbe.IxgbeRegisters.*;

import org.jdma.machine.mmio.Register;
import org.jdma.machine.mmio.RegisterFile;
import org.jdma.spec.ixgbe.IvarLayout;

/**
 * The port's BAR0 register table: every register a driver of this model may touch, with its
 * datasheet offset, access kind, existing bits and reset value ({@link org.jdma.spec.ixgbe.IxgbeRegisters}).
 * Registers whose value the port computes (EICR, EIMS, LINKS, STATUS...) get their hooks from the
 * units that own the state; plain configuration registers are read from here by those units.
 */
final class Csr {

    /** 32-bit register of {@code mask}, reset value 0. */
    private static Register reg(String name, int offset, org.jdma.machine.mmio.RegisterAccess access, long mask) {
        return Register.of(name, offset, 4, access, mask);
    }

    private static final long ALL = 0xFFFF_FFFFL;
    /** Reset values this model uses where the reference material did not give the datasheet's. */
    static final int RXPBSIZE0_RESET = 512 << 10;
    static final int TXPBSIZE0_RESET = 160 << 10;
    static final int HLREG0_RESET = HLREG0_TXCRCEN | HLREG0_RXCRCSTRP | HLREG0_TXPADEN;
    static final int DCA_RXCTRL_RESERVED_ONE = 1 << 12;

    final RegisterFile file;
    final int queues;

    // general
    final Register ctrl, status, ctrlExt, eec;
    // interrupts
    final Register eicr, eics, eiac, eims, eimc, eiam, gpie, ivarMisc;
    final Register[] eitr = new Register[MSIX_ENTRIES];
    final Register[] ivar = new Register[HW_QUEUES / 2];
    final Register[] eicsEx = new Register[2], eimsEx = new Register[2], eimcEx = new Register[2], eiamEx = new Register[2];
    // receive
    final Register[] rdbal, rdbah, rdlen, rdh, rdt, rxdctl, srrctl, dcaRxctrl;
    final Register rdrxctl, rxctrl, fctrl;
    final Register[] rxpbsize = new Register[PACKET_BUFFERS], txpbsize = new Register[PACKET_BUFFERS];
    final Register[] ral = new Register[16], rah = new Register[16];
    final Register[] etqf = new Register[ETQ_FILTERS], etqs = new Register[ETQ_FILTERS];
    final Register rxcsum, mrqc;
    final Register[] reta = new Register[RETA_REGISTERS], rssrk = new Register[RSSRK_REGISTERS];
    // MAC
    final Register hlreg0, maxfrs, autoc, links;
    // transmit
    final Register[] tdbal, tdbah, tdlen, tdh, tdt, txdctl;
    final Register dmatxctl, rttdcs, dtxmxszrq;
    // statistics
    final Register[] mpc = new Register[PACKET_BUFFERS], rnbc = new Register[PACKET_BUFFERS];
    final Register[] qprc, qprdc, qptc;
    final Register gprc, bprc, mprc, gptc, gorcl, gorch, gotcl, gotch, torl, torh, tpr, tpt, mptc, bptc, ruc, roc;

    Csr(String name, int queues) {
        this.queues = queues;
        RegisterFile f = new RegisterFile(name);
        this.file = f;
        ctrl = f.add(reg("CTRL", CTRL, RW, CTRL_MASK));
        status = f.add(reg("STATUS", STATUS, RO, STATUS_LAN_ID | STATUS_GIO));
        ctrlExt = f.add(reg("CTRL_EXT", CTRL_EXT, RW, CTRL_EXT_MASK));
        eec = f.add(reg("EEC", EEC, RO, EEC_PRES | EEC_ARD));

        eicr = f.add(reg("EICR", EICR, RW, ALL));
        eics = f.add(reg("EICS", EICS, WO, ALL));
        eiac = f.add(reg("EIAC", EIAC, RW, EICR_RTX_QUEUE | EICR_TCP_TIMER));
        eims = f.add(reg("EIMS", EIMS, RW, ALL));
        eimc = f.add(reg("EIMC", EIMC, WO, ALL));
        eiam = f.add(reg("EIAM", EIAM, RW, ALL));
        gpie = f.add(reg("GPIE", GPIE, RW, GPIE_MASK));
        for (int v = 0; v < eitr.length; v++) {
            eitr[v] = f.add(reg("EITR" + v, eitr(v), RW, EITR_MASK));
        }
        for (int n = 0; n < ivar.length; n++) {
            ivar[n] = f.add(reg("IVAR" + n, ivar(n), RW, IvarLayout.IVAR_MASK));
        }
        ivarMisc = f.add(reg("IVAR_MISC", IVAR_MISC, RW, IvarLayout.IVAR_MISC_MASK));
        for (int i = 0; i < 2; i++) {
            eicsEx[i] = f.add(reg("EICS_EX" + i, eicsEx(i), WO, ALL));
            eimsEx[i] = f.add(reg("EIMS_EX" + i, eimsEx(i), RW, ALL));
            eimcEx[i] = f.add(reg("EIMC_EX" + i, eimcEx(i), WO, ALL));
            eiamEx[i] = f.add(reg("EIAM_EX" + i, eiamEx(i), RW, ALL));
        }

        rdbal = new Register[queues];
        rdbah = new Register[queues];
        rdlen = new Register[queues];
        rdh = new Register[queues];
        rdt = new Register[queues];
        rxdctl = new Register[queues];
        srrctl = new Register[queues];
        dcaRxctrl = new Register[queues];
        qprc = new Register[queues];
        qprdc = new Register[queues];
        tdbal = new Register[queues];
        tdbah = new Register[queues];
        tdlen = new Register[queues];
        tdh = new Register[queues];
        tdt = new Register[queues];
        txdctl = new Register[queues];
        qptc = new Register[queues];
        for (int n = 0; n < queues; n++) {
            rdbal[n] = f.add(reg("RDBAL" + n, rdbal(n), RW, RING_BASE_LOW_MASK & ALL));
            rdbah[n] = f.add(reg("RDBAH" + n, rdbah(n), RW, ALL));
            rdlen[n] = f.add(reg("RDLEN" + n, rdlen(n), RW, RING_LENGTH_MASK));
            rdh[n] = f.add(reg("RDH" + n, rdh(n), RW, HEAD_TAIL_MASK));
            rdt[n] = f.add(reg("RDT" + n, rdt(n), RW, HEAD_TAIL_MASK));
            rxdctl[n] = f.add(reg("RXDCTL" + n, rxdctl(n), RW, RXDCTL_MASK));
            srrctl[n] = f.add(new Register("SRRCTL" + n, srrctl(n), 4, RW, SRRCTL_MASK, SRRCTL_RESET));
            dcaRxctrl[n] = f.add(new Register("DCA_RXCTRL" + n, dcaRxctrl(n), 4, RW, 0xFF00_B2E0L | DCA_RXCTRL_RESERVED_ONE,
                    DCA_RXCTRL_RESERVED_ONE));
            qprc[n] = f.add(reg("QPRC" + n, qprc(n), RC, ALL));
            qprdc[n] = f.add(reg("QPRDC" + n, qprdc(n), RC, ALL));
            tdbal[n] = f.add(reg("TDBAL" + n, tdbal(n), RW, RING_BASE_LOW_MASK & ALL));
            tdbah[n] = f.add(reg("TDBAH" + n, tdbah(n), RW, ALL));
            tdlen[n] = f.add(reg("TDLEN" + n, tdlen(n), RW, RING_LENGTH_MASK));
            tdh[n] = f.add(reg("TDH" + n, tdh(n), RW, HEAD_TAIL_MASK));
            tdt[n] = f.add(reg("TDT" + n, tdt(n), RW, HEAD_TAIL_MASK));
            txdctl[n] = f.add(reg("TXDCTL" + n, txdctl(n), RW, TXDCTL_MASK));
            qptc[n] = f.add(reg("QPTC" + n, qptc(n), RC, ALL));
        }
        rdrxctl = f.add(reg("RDRXCTL", RDRXCTL, RW, RDRXCTL_CRCSTRIP | RDRXCTL_DMAIDONE));
        rxctrl = f.add(reg("RXCTRL", RXCTRL, RW, RXCTRL_RXEN));
        fctrl = f.add(reg("FCTRL", FCTRL, RW, FCTRL_MASK));
        for (int i = 0; i < PACKET_BUFFERS; i++) {
            rxpbsize[i] = f.add(new Register("RXPBSIZE" + i, rxpbsize(i), 4, RW, PBSIZE_MASK, i == 0 ? RXPBSIZE0_RESET : 0));
            txpbsize[i] = f.add(new Register("TXPBSIZE" + i, txpbsize(i), 4, RW, PBSIZE_MASK, i == 0 ? TXPBSIZE0_RESET : 0));
            mpc[i] = f.add(reg("MPC" + i, mpc(i), RC, ALL));
            rnbc[i] = f.add(reg("RNBC" + i, rnbc(i), RC, ALL));
        }
        for (int i = 0; i < ral.length; i++) {
            ral[i] = f.add(reg("RAL" + i, ral(i), RW, ALL));
            rah[i] = f.add(reg("RAH" + i, rah(i), RW, RAH_MASK));
        }
        for (int i = 0; i < ETQ_FILTERS; i++) {
            etqf[i] = f.add(reg("ETQF" + i, etqf(i), RW, ETQF_ETYPE | ETQF_FILTER_EN));
            etqs[i] = f.add(reg("ETQS" + i, etqs(i), RW, ETQS_RX_QUEUE | ETQS_QUEUE_EN));
        }
        rxcsum = f.add(reg("RXCSUM", RXCSUM, RW, RXCSUM_MASK));
        mrqc = f.add(reg("MRQC", MRQC, RW, MRQC_MASK));
        for (int i = 0; i < RETA_REGISTERS; i++) {
            reta[i] = f.add(reg("RETA" + i, reta(i), RW, RETA_MASK));
        }
        for (int i = 0; i < RSSRK_REGISTERS; i++) {
            rssrk[i] = f.add(reg("RSSRK" + i, rssrk(i), RW, ALL));
        }
        hlreg0 = f.add(new Register("HLREG0", HLREG0, 4, RW, HLREG0_MASK, HLREG0_RESET));
        maxfrs = f.add(new Register("MAXFRS", MAXFRS, 4, RW, MAXFRS_MFS_MASK & ALL, MAXFRS_RESET));
        autoc = f.add(reg("AUTOC", AUTOC, RW, AUTOC_MASK));
        links = f.add(reg("LINKS", LINKS, RO, LINKS_UP | LINKS_SPEED_MASK));
        dmatxctl = f.add(reg("DMATXCTL", DMATXCTL, RW, DMATXCTL_TE));
        rttdcs = f.add(reg("RTTDCS", RTTDCS, RW, RTTDCS_ARBDIS));
        dtxmxszrq = f.add(reg("DTXMXSZRQ", DTXMXSZRQ, RW, 0xFFF));

        gprc = f.add(reg("GPRC", GPRC, RC, ALL));
        bprc = f.add(reg("BPRC", BPRC, RC, ALL));
        mprc = f.add(reg("MPRC", MPRC, RC, ALL));
        gptc = f.add(reg("GPTC", GPTC, RC, ALL));
        gorcl = f.add(reg("GORCL", GORCL, RC, ALL));
        gorch = f.add(reg("GORCH", GORCH, RC, OCTETS_HIGH_MASK));
        gotcl = f.add(reg("GOTCL", GOTCL, RC, ALL));
        gotch = f.add(reg("GOTCH", GOTCH, RC, OCTETS_HIGH_MASK));
        torl = f.add(reg("TORL", TORL, RC, ALL));
        torh = f.add(reg("TORH", TORH, RC, OCTETS_HIGH_MASK));
        tpr = f.add(reg("TPR", TPR, RC, ALL));
        tpt = f.add(reg("TPT", TPT, RC, ALL));
        mptc = f.add(reg("MPTC", MPTC, RC, ALL));
        bptc = f.add(reg("BPTC", BPTC, RC, ALL));
        ruc = f.add(reg("RUC", RUC, RC, ALL));
        roc = f.add(reg("ROC", ROC, RC, ALL));
    }

    int get(Register r) {
        return (int) file.get(r);
    }

    void set(Register r, long value) {
        file.set(r, value);
    }

    boolean bit(Register r, int bits) {
        return (file.get(r) & bits) != 0;
    }

    /** The RSS key as RSSRK holds it, byte 4n + k in bits 8k+7:8k of RSSRK[n]. */
    byte[] rssKey() {
        boolean same = rssKeyCache != null;
        for (int n = 0; n < RSSRK_REGISTERS; n++) {
            long v = file.get(rssrk[n]);
            same &= v == rssKeyWords[n];
            rssKeyWords[n] = v;
        }
        if (!same) { // built again only when software changed a key register: a frame needs it, not a copy per frame
            byte[] key = new byte[RSS_KEY_BYTES];
            for (int i = 0; i < RSS_KEY_BYTES; i++) {
                key[i] = (byte) (rssKeyWords[i / 4] >>> (8 * (i % 4)));
            }
            rssKeyCache = key;
        }
        return rssKeyCache;
    }

    /** The RSSRK values {@link #rssKeyCache} was built from. */
    private final long[] rssKeyWords = new long[RSSRK_REGISTERS];
    private byte[] rssKeyCache;

    /** The queue in RETA entry {@code index} (0..127). */
    int retaEntry(int index) {
        return get(reta[index / 4]) >>> (8 * (index % 4)) & RETA_ENTRY_MASK;
    }

    /** A statistics counter counts one more (wrapping at its width). */
    void count(Register r) {
        file.add(r, 1);
    }

    /** Adds {@code n} to a 36-bit octet counter held in {@code low} (bits 31:0) and {@code high} (35:32). */
    void addOctets(Register low, Register high, long n) {
        long total = (file.get(low) | file.get(high) << 32) + n;
        file.set(low, total);
        file.set(high, total >>> 32);
    }

    /** Loads the station address into RAL[0]/RAH[0] with Address Valid, as the EEPROM auto-read does. */
    void loadStationAddress(long mac) {
        long ral0 = 0;
        for (int i = 0; i < 4; i++) {
            ral0 |= (mac >>> (40 - 8 * i) & 0xFF) << (8 * i);
        }
        long rah0 = (mac >>> 8 & 0xFF) | (mac & 0xFF) << 8;
        file.set(ral[0], ral0);
        file.set(rah[0], rah0 | RAH_AV & ALL);
    }
}
