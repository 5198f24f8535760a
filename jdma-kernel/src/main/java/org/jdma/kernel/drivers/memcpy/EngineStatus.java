package org.jdma.kernel.drivers.memcpy;

import java.util.ArrayList;
import java.util.List;
import org.jdma.spec.memcpy.CopyEngineRegisters;

/**
 * A snapshot of the copy engine's status registers, as the driver read them over MMIO.
 *
 * @param status       STATUS: [1:0] state, [8] idle
 * @param error        ERROR: RING_CONFIG, FETCH_FAULT, COMPLETION_FAULT, SUBMIT_RANGE
 * @param errorAddress ERROR_ADDRESS: bus address of the access behind FETCH_FAULT/COMPLETION_FAULT
 * @param fetchIndex   FETCH_INDEX: the slot the engine fetches next
 * @param completed    COMPLETED: descriptors completed since reset
 */
public record EngineStatus(int status, int error, long errorAddress, int fetchIndex, long completed) {

    public int state() {
        return status & CopyEngineRegisters.STATUS_STATE_MASK;
    }

    public boolean running() {
        return state() == CopyEngineRegisters.STATE_RUNNING;
    }

    public boolean halted() {
        return state() == CopyEngineRegisters.STATE_HALTED;
    }

    public boolean idle() {
        return (status & CopyEngineRegisters.STATUS_IDLE) != 0;
    }

    /** The datasheet names of the ERROR bits that are set. */
    public List<String> errorNames() {
        List<String> names = new ArrayList<>();
        if ((error & CopyEngineRegisters.ERROR_RING_CONFIG) != 0) {
            names.add("RING_CONFIG");
        }
        if ((error & CopyEngineRegisters.ERROR_FETCH_FAULT) != 0) {
            names.add("FETCH_FAULT");
        }
        if ((error & CopyEngineRegisters.ERROR_COMPLETION_FAULT) != 0) {
            names.add("COMPLETION_FAULT");
        }
        if ((error & CopyEngineRegisters.ERROR_SUBMIT_RANGE) != 0) {
            names.add("SUBMIT_RANGE");
        }
        int known = CopyEngineRegisters.ERROR_RING_CONFIG | CopyEngineRegisters.ERROR_FETCH_FAULT
                | CopyEngineRegisters.ERROR_COMPLETION_FAULT | CopyEngineRegisters.ERROR_SUBMIT_RANGE;
        if ((error & ~known) != 0) {
            names.add(String.format("unknown(%#x)", error & ~known));
        }
        return names;
    }

    @Override
    public String toString() {
        String state = switch (state()) {
            case CopyEngineRegisters.STATE_DISABLED -> "disabled";
            case CopyEngineRegisters.STATE_RUNNING -> "running";
            case CopyEngineRegisters.STATE_HALTED -> "halted";
            default -> "state " + state();
        };
        return String.format("copy engine %s%s, ERROR=%#x %s, ERROR_ADDRESS=%#x, FETCH_INDEX=%d, COMPLETED=%d",
                state, idle() ? " (idle)" : "", error, errorNames(), errorAddress, fetchIndex, completed);
    }
}
