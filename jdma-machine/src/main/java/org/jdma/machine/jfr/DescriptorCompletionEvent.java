package org.jdma.machine.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A copy-engine descriptor completed (any status): one per count of the engine's completed descriptors. */
@Name(DescriptorCompletionEvent.NAME)
@Label("Descriptor Completion")
@Category({"jdma", "Devices"})
@Description("A device completed a descriptor: opcode, bytes moved and completion status")
@StackTrace(false)
public final class DescriptorCompletionEvent extends jdk.jfr.Event {

    /** The event's name in a recording. */
    public static final String NAME = "org.jdma.DescriptorCompletion";
    /** Asked before building an event: false while no recording wants this event. */
    public static final DescriptorCompletionEvent PROBE = new DescriptorCompletionEvent();

    @Label("Device")
    public String device;

    @Label("Slot")
    @Description("The ring slot the descriptor came from")
    public int slot;

    @Label("Opcode")
    public String opcode;

    @Label("Bytes")
    @Description("Bytes the descriptor completed")
    @DataAmount
    public long bytes;

    @Label("Status")
    @Description("The completion record's status")
    public String status;

    @Label("Success")
    public boolean success;

    /** Records a completion when a recording wants it. */
    public static void emit(String device, int slot, String opcode, long bytes, String status, boolean success) {
        if (!PROBE.isEnabled()) {
            return;
        }
        DescriptorCompletionEvent e = new DescriptorCompletionEvent();
        if (e.shouldCommit()) {
            e.device = device;
            e.slot = slot;
            e.opcode = opcode;
            e.bytes = bytes;
            e.status = status;
            e.success = success;
            e.commit();
        }
    }
}
