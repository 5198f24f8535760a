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

    /**
     * A register of this table with its slot in the file: the units touch registers on every frame,
     * and a slot is one array index where a lookup by offset is three dependent loads.
     */
    record Reg(Register register, int slot) { }

    /** 32-bit register of {@code mask}, reset value 0. */
    private static Register reg(String name, int offset, org.jdma.machine.mmio.RegisterAccess access, long mask) {
        return Register.of(name, offset, 4, access, mask);
    }

    private static Reg add(RegisterFile f, Register r) {
        f.add(r);
        return new Reg(r, f.slotOf(r));
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
    final Reg ctrl, status, ctrlExt, eec;
    // interrupts
    final Reg eicr, eics, eiac, eims, eimc, eiam, gpie, ivarMisc;
    final Reg[] eitr = new Reg[MSIX_ENTRIES];
    final Reg[] ivar = new Reg[HW_QUEUES / 2];
    final Reg[] eicsEx = new Reg[2], eimsEx = new Reg[2], eimcEx = new Reg[2], eiamEx = new Reg[2];
    // receive
    final Reg[] rdbal, rdbah, rdlen, rdh, rdt, rxdctl, srrctl, dcaRxctrl;
    final Reg rdrxctl, rxctrl, fctrl;
    final Reg[] rxpbsize = new Reg[PACKET_BUFFERS], txpbsize = new Reg[PACKET_BUFFERS];
    final Reg[] ral = new Reg[16], rah = new Reg[16];
    final Reg[] etqf = new Reg[ETQ_FILTERS], etqs = new Reg[ETQ_FILTERS];
    final Reg rxcsum, mrqc;
    final Reg[] reta = new Reg[RETA_REGISTERS], rssrk = new Reg[RSSRK_REGISTERS];
    // MAC
    final Reg hlreg0, maxfrs, autoc, links;
    // transmit
    final Reg[] tdbal, tdbah, tdlen, tdh, tdt, txdctl;
    final Reg dmatxctl, rttdcs, dtxmxszrq;
    // statistics
    final Reg[] mpc = new Reg[PACKET_BUFFERS], rnbc = new Reg[PACKET_BUFFERS];
    final Reg[] qprc, qprdc, qptc;
    final Reg gprc, bprc, mprc, gptc, gorcl, gorch, gotcl, gotch, torl, torh, tpr, tpt, mptc, bptc, ruc, roc;

    Csr(String name, int queues) {
        this.queues = queues;
        RegisterFile f = new RegisterFile(name);
        this.file = f;
        ctrl = add(f, reg("CTRL", CTRL, RW, CTRL_MASK));
        status = add(f, reg("STATUS", STATUS, RO, STATUS_LAN_ID | STATUS_GIO));
        ctrlExt = add(f, reg("CTRL_EXT", CTRL_EXT, RW, CTRL_EXT_MASK));
        eec = add(f, reg("EEC", EEC, RO, EEC_PRES | EEC_ARD));

        eicr = add(f, reg("EICR", EICR, RW, ALL));
        eics = add(f, reg("EICS", EICS, WO, ALL));
        eiac = add(f, reg("EIAC", EIAC, RW, EICR_RTX_QUEUE | EICR_TCP_TIMER));
        eims = add(f, reg("EIMS", EIMS, RW, ALL));
        eimc = add(f, reg("EIMC", EIMC, WO, ALL));
        eiam = add(f, reg("EIAM", EIAM, RW, ALL));
        gpie = add(f, reg("GPIE", GPIE, RW, GPIE_MASK));
        for (int v = 0; v < eitr.length; v++) {
            eitr[v] = add(f, reg("EITR" + v, eitr(v), RW, EITR_MASK));
        }
        for (int n = 0; n < ivar.length; n++) {
            ivar[n] = add(f, reg("IVAR" + n, ivar(n), RW, IvarLayout.IVAR_MASK));
        }
        ivarMisc = add(f, reg("IVAR_MISC", IVAR_MISC, RW, IvarLayout.IVAR_MISC_MASK));
        for (int i = 0; i < 2; i++) {
            eicsEx[i] = add(f, reg("EICS_EX" + i, eicsEx(i), WO, ALL));
            eimsEx[i] = add(f, reg("EIMS_EX" + i, eimsEx(i), RW, ALL));
            eimcEx[i] = add(f, reg("EIMC_EX" + i, eimcEx(i), WO, ALL));
            eiamEx[i] = add(f, reg("EIAM_EX" + i, eiamEx(i), RW, ALL));
        }

        rdbal = new Reg[queues];
        rdbah = new Reg[queues];
        rdlen = new Reg[queues];
        rdh = new Reg[queues];
        rdt = new Reg[queues];
        rxdctl = new Reg[queues];
        srrctl = new Reg[queues];
        dcaRxctrl = new Reg[queues];
        qprc = new Reg[queues];
        qprdc = new Reg[queues];
        tdbal = new Reg[queues];
        tdbah = new Reg[queues];
        tdlen = new Reg[queues];
        tdh = new Reg[queues];
        tdt = new Reg[queues];
        txdctl = new Reg[queues];
        qptc = new Reg[queues];
        for (int n = 0; n < queues; n++) {
            rdbal[n] = add(f, reg("RDBAL" + n, rdbal(n), RW, RING_BASE_LOW_MASK & ALL));
            rdbah[n] = add(f, reg("RDBAH" + n, rdbah(n), RW, ALL));
            rdlen[n] = add(f, reg("RDLEN" + n, rdlen(n), RW, RING_LENGTH_MASK));
            rdh[n] = add(f, reg("RDH" + n, rdh(n), RW, HEAD_TAIL_MASK));
            rdt[n] = add(f, reg("RDT" + n, rdt(n), RW, HEAD_TAIL_MASK));
            rxdctl[n] = add(f, reg("RXDCTL" + n, rxdctl(n), RW, RXDCTL_MASK));
            srrctl[n] = add(f, new Register("SRRCTL" + n, srrctl(n), 4, RW, SRRCTL_MASK, SRRCTL_RESET));
            dcaRxctrl[n] = add(f, new Register("DCA_RXCTRL" + n, dcaRxctrl(n), 4, RW, 0xFF00_B2E0L | DCA_RXCTRL_RESERVED_ONE,
                    DCA_RXCTRL_RESERVED_ONE));
            qprc[n] = add(f, reg("QPRC" + n, qprc(n), RC, ALL));
            qprdc[n] = add(f, reg("QPRDC" + n, qprdc(n), RC, ALL));
            tdbal[n] = add(f, reg("TDBAL" + n, tdbal(n), RW, RING_BASE_LOW_MASK & ALL));
            tdbah[n] = add(f, reg("TDBAH" + n, tdbah(n), RW, ALL));
            tdlen[n] = add(f, reg("TDLEN" + n, tdlen(n), RW, RING_LENGTH_MASK));
            tdh[n] = add(f, reg("TDH" + n, tdh(n), RW, HEAD_TAIL_MASK));
            tdt[n] = add(f, reg("TDT" + n, tdt(n), RW, HEAD_TAIL_MASK));
            txdctl[n] = add(f, reg("TXDCTL" + n, txdctl(n), RW, TXDCTL_MASK));
            qptc[n] = add(f, reg("QPTC" + n, qptc(n), RC, ALL));
        }
        rdrxctl = add(f, reg("RDRXCTL", RDRXCTL, RW, RDRXCTL_CRCSTRIP | RDRXCTL_DMAIDONE));
        rxctrl = add(f, reg("RXCTRL", RXCTRL, RW, RXCTRL_RXEN));
        fctrl = add(f, reg("FCTRL", FCTRL, RW, FCTRL_MASK));
        for (int i = 0; i < PACKET_BUFFERS; i++) {
            rxpbsize[i] = add(f, new Register("RXPBSIZE" + i, rxpbsize(i), 4, RW, PBSIZE_MASK, i == 0 ? RXPBSIZE0_RESET : 0));
            txpbsize[i] = add(f, new Register("TXPBSIZE" + i, txpbsize(i), 4, RW, PBSIZE_MASK, i == 0 ? TXPBSIZE0_RESET : 0));
            mpc[i] = add(f, reg("MPC" + i, mpc(i), RC, ALL));
            rnbc[i] = add(f, reg("RNBC" + i, rnbc(i), RC, ALL));
        }
        for (int i = 0; i < ral.length; i++) {
            ral[i] = add(f, reg("RAL" + i, ral(i), RW, ALL));
            rah[i] = add(f, reg("RAH" + i, rah(i), RW, RAH_MASK));
        }
        for (int i = 0; i < ETQ_FILTERS; i++) {
            etqf[i] = add(f, reg("ETQF" + i, etqf(i), RW, ETQF_ETYPE | ETQF_FILTER_EN));
            etqs[i] = add(f, reg("ETQS" + i, etqs(i), RW, ETQS_RX_QUEUE | ETQS_QUEUE_EN));
        }
        rxcsum = add(f, reg("RXCSUM", RXCSUM, RW, RXCSUM_MASK));
        mrqc = add(f, reg("MRQC", MRQC, RW, MRQC_MASK));
        for (int i = 0; i < RETA_REGISTERS; i++) {
            reta[i] = add(f, reg("RETA" + i, reta(i), RW, RETA_MASK));
        }
        for (int i = 0; i < RSSRK_REGISTERS; i++) {
            rssrk[i] = add(f, reg("RSSRK" + i, rssrk(i), RW, ALL));
        }
        hlreg0 = add(f, new Register("HLREG0", HLREG0, 4, RW, HLREG0_MASK, HLREG0_RESET));
        maxfrs = add(f, new Register("MAXFRS", MAXFRS, 4, RW, MAXFRS_MFS_MASK & ALL, MAXFRS_RESET));
        autoc = add(f, reg("AUTOC", AUTOC, RW, AUTOC_MASK));
        links = add(f, reg("LINKS", LINKS, RO, LINKS_UP | LINKS_SPEED_MASK));
        dmatxctl = add(f, reg("DMATXCTL", DMATXCTL, RW, DMATXCTL_TE));
        rttdcs = add(f, reg("RTTDCS", RTTDCS, RW, RTTDCS_ARBDIS));
        dtxmxszrq = add(f, reg("DTXMXSZRQ", DTXMXSZRQ, RW, 0xFFF));

        gprc = add(f, reg("GPRC", GPRC, RC, ALL));
        bprc = add(f, reg("BPRC", BPRC, RC, ALL));
        mprc = add(f, reg("MPRC", MPRC, RC, ALL));
        gptc = add(f, reg("GPTC", GPTC, RC, ALL));
        gorcl = add(f, reg("GORCL", GORCL, RC, ALL));
        gorch = add(f, reg("GORCH", GORCH, RC, OCTETS_HIGH_MASK));
        gotcl = add(f, reg("GOTCL", GOTCL, RC, ALL));
        gotch = add(f, reg("GOTCH", GOTCH, RC, OCTETS_HIGH_MASK));
        torl = add(f, reg("TORL", TORL, RC, ALL));
        torh = add(f, reg("TORH", TORH, RC, OCTETS_HIGH_MASK));
        tpr = add(f, reg("TPR", TPR, RC, ALL));
        tpt = add(f, reg("TPT", TPT, RC, ALL));
        mptc = add(f, reg("MPTC", MPTC, RC, ALL));
        bptc = add(f, reg("BPTC", BPTC, RC, ALL));
        ruc = add(f, reg("RUC", RUC, RC, ALL));
        roc = add(f, reg("ROC", ROC, RC, ALL));
    }

    int get(Reg r) {
        return (int) file.get(r.slot());
    }

    void set(Reg r, long value) {
        file.set(r.slot(), value);
    }

    boolean bit(Reg r, int bits) {
        return (file.get(r.slot()) & bits) != 0;
    }

    void onWrite(Reg r, RegisterFile.WriteHook hook) {
        file.onWrite(r.register(), hook);
    }

    void onRead(Reg r, RegisterFile.ReadHook hook) {
        file.onRead(r.register(), hook);
    }

    /** The RSS key as RSSRK holds it, byte 4n + k in bits 8k+7:8k of RSSRK[n]. */
    byte[] rssKey() {
        boolean same = rssKeyCache != null;
        for (int n = 0; n < RSSRK_REGISTERS; n++) {
            long v = file.get(rssrk[n].slot());
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
    void count(Reg r) {
        file.add(r.slot(), 1);
    }

    /** Adds {@code n} to a 36-bit octet counter held in {@code low} (bits 31:0) and {@code high} (35:32). */
    void addOctets(Reg low, Reg high, long n) {
        long total = (file.get(low.slot()) | file.get(high.slot()) << 32) + n;
        file.set(low.slot(), total);
        file.set(high.slot(), total >>> 32);
    }

    /** Loads the station address into RAL[0]/RAH[0] with Address Valid, as the EEPROM auto-read does. */
    void loadStationAddress(long mac) {
        long ral0 = 0;
        for (int i = 0; i < 4; i++) {
            ral0 |= (mac >>> (40 - 8 * i) & 0xFF) << (8 * i);
        }
        long rah0 = (mac >>> 8 & 0xFF) | (mac & 0xFF) << 8;
        set(ral[0], ral0);
        set(rah[0], rah0 | RAH_AV & ALL);
    }
}
