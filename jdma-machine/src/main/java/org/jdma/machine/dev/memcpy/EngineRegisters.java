package org.jdma.machine.dev.memcpy;

import static org.jdma.machine.mmio.RegisterAccess.RO;
import static org.jdma.machine.mmio.RegisterAccess.RW;
import static org.jdma.machine.mmio.RegisterAccess.RW1C;
import static org.jdma.machine.mmio.RegisterAccess.WO;

import org.jdma.machine.mmio.MmioHandler;
import org.jdma.machine.mmio.Register;
import org.jdma.machine.mmio.RegisterFile;
import org.jdma.spec.memcpy.CopyEngineRegisters;

/**
 * The copy engine's register table, row by row as {@link CopyEngineRegisters} gives it (name,
 * offset, width, access kind, implemented bits, reset value), and the register part of BAR0 as
 * the CPU reaches it. The engine hooks its behaviour onto the rows ({@link CopyEngine}).
 *
 * <p>RING_BASE drops its reserved bits [5:0] like any masked register, but remembers that a write
 * set one ({@link #ringBaseMisaligned()}), so the next enable can refuse the ring rather than
 * silently round its base down.
 */
final class EngineRegisters implements MmioHandler {

    final RegisterFile file;
    final Register version;
    final Register cap;
    final Register control;
    final Register status;
    final Register ringBase;
    final Register ringSize;
    final Register error;
    final Register fetchIndex;
    final Register submitIndex;
    final Register errorAddress;
    final Register completed;
    final Register errIntHandle;
    final Register pageReqAddress;
    final Register pageReq;
    final Register pageResponse;
    /** A RING_BASE write set one of the reserved bits [5:0]. CPU thread only. */
    private boolean ringBaseMisaligned;

    EngineRegisters(String name, CopyEngineConfig config) {
        file = new RegisterFile(name);
        version = file.add(new Register("VERSION", CopyEngineRegisters.VERSION, 4, RO,
                CopyEngineRegisters.VERSION_MASK, CopyEngineRegisters.VERSION_VALUE));
        cap = file.add(new Register("CAP", CopyEngineRegisters.CAP, 4, RO,
                CopyEngineRegisters.CAP_MAX_XFER_SHIFT_MASK | CopyEngineRegisters.CAP_ALIGN_SHIFT_MASK
                        | CopyEngineRegisters.CAP_MAX_RING_SHIFT_MASK | CopyEngineRegisters.CAP_CHAIN
                        | CopyEngineRegisters.CAP_BLOCK_ON_FAULT | CopyEngineRegisters.CAP_MSIX_SIZE_MASK,
                capValue(config)));
        control = file.add(Register.of("CONTROL", CopyEngineRegisters.CONTROL, 4, RW,
                CopyEngineRegisters.CONTROL_ENABLE | CopyEngineRegisters.CONTROL_RESET | CopyEngineRegisters.CONTROL_ERR_INT_EN));
        status = file.add(new Register("STATUS", CopyEngineRegisters.STATUS, 4, RO,
                CopyEngineRegisters.STATUS_STATE_MASK | CopyEngineRegisters.STATUS_IDLE | CopyEngineRegisters.STATUS_FAULT_WAIT,
                CopyEngineRegisters.STATUS_IDLE));
        ringBase = file.add(Register.of("RING_BASE", CopyEngineRegisters.RING_BASE, 8, RW,
                ~(long) (CopyEngineRegisters.RING_BASE_ALIGN - 1)));
        ringSize = file.add(Register.of("RING_SIZE", CopyEngineRegisters.RING_SIZE, 4, RW, 0xFFFF_FFFFL));
        error = file.add(Register.of("ERROR", CopyEngineRegisters.ERROR, 4, RW1C,
                CopyEngineRegisters.ERROR_RING_CONFIG | CopyEngineRegisters.ERROR_FETCH_FAULT
                        | CopyEngineRegisters.ERROR_COMPLETION_FAULT | CopyEngineRegisters.ERROR_SUBMIT_RANGE
                        | CopyEngineRegisters.ERROR_PAGE_REQUEST));
        fetchIndex = file.add(Register.of("FETCH_INDEX", CopyEngineRegisters.FETCH_INDEX, 4, RO, 0xFFFF_FFFFL));
        submitIndex = file.add(Register.of("SUBMIT_INDEX", CopyEngineRegisters.SUBMIT_INDEX, 4, RW, 0xFFFF_FFFFL));
        errorAddress = file.add(Register.of("ERROR_ADDRESS", CopyEngineRegisters.ERROR_ADDRESS, 8, RO, -1L));
        completed = file.add(Register.of("COMPLETED", CopyEngineRegisters.COMPLETED, 8, RO, -1L));
        errIntHandle = file.add(Register.of("ERR_INT_HANDLE", CopyEngineRegisters.ERR_INT_HANDLE, 4,
                RW, CopyEngineRegisters.ERR_INT_HANDLE_MASK));
        pageReqAddress = file.add(Register.of("PAGE_REQ_ADDRESS", CopyEngineRegisters.PAGE_REQ_ADDRESS, 8, RO, -1L));
        pageReq = file.add(Register.of("PAGE_REQ", CopyEngineRegisters.PAGE_REQ, 4, RO,
                CopyEngineRegisters.PAGE_REQ_PENDING | CopyEngineRegisters.PAGE_REQ_WRITE));
        pageResponse = file.add(Register.of("PAGE_RESPONSE", CopyEngineRegisters.PAGE_RESPONSE, 4, WO,
                CopyEngineRegisters.PAGE_RESPONSE_CODE_MASK));
    }

    private static long capValue(CopyEngineConfig c) {
        return c.maxTransferShift()
                | (long) c.alignmentShift() << CopyEngineRegisters.CAP_ALIGN_SHIFT_SHIFT
                | (long) c.maxRingShift() << CopyEngineRegisters.CAP_MAX_RING_SHIFT_SHIFT
                | CopyEngineRegisters.CAP_CHAIN | CopyEngineRegisters.CAP_BLOCK_ON_FAULT
                | (long) (c.msixEntries() - 1) << CopyEngineRegisters.CAP_MSIX_SIZE_SHIFT;
    }

    boolean ringBaseMisaligned() {
        return ringBaseMisaligned;
    }

    /** Every register to its reset value. */
    void reset() {
        ringBaseMisaligned = false;
        file.reset();
    }

    @Override
    public long read(long offset, int size) {
        return file.read(offset, size);
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset == CopyEngineRegisters.RING_BASE && (size == 1 || size == 2 || size == 4 || size == 8)) {
            ringBaseMisaligned = (value & (CopyEngineRegisters.RING_BASE_ALIGN - 1)) != 0;
        }
        file.write(offset, size, value);
    }
}
