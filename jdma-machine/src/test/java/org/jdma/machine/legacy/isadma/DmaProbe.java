package org.jdma.machine.legacy.isadma;

import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.legacy.DmaHandshake;
import org.jdma.machine.legacy.DmaRequestLine;
import org.jdma.machine.legacy.LegacyDevice;
import org.jdma.machine.legacy.LegacyDeviceContext;
import org.jdma.machine.legacy.LegacyResources;

/**
 * A device on one DMA channel and no ports: it supplies 1, 2, 3, ... at each DACK read, records
 * what each DACK write gives it, counts terminal counts and the modeled time of each DACK, and
 * drops DREQ at terminal count.
 */
final class DmaProbe implements LegacyDevice, DmaHandshake {

    private final String name;
    private final int channel;
    final List<Integer> received = new ArrayList<>();
    final List<Long> dackTimes = new ArrayList<>();
    int next = 1;
    int terminalCounts;
    /** Drop DREQ after this many DACKs (demand-mode tests); -1: never. */
    int dropAfter = -1;
    /** Drop DREQ at terminal count (a device whose transfer is done). */
    boolean dropAtTc = true;
    private LegacyDeviceContext ctx;
    DmaRequestLine dreq;

    DmaProbe(String name, int channel) {
        this.name = name;
        this.channel = channel;
    }

    @Override public String name() { return name; }
    @Override public LegacyResources resources() { return LegacyResources.of().withDmaChannel(channel); }

    @Override
    public void attach(LegacyDeviceContext context) {
        ctx = context;
        dreq = context.dmaRequest(channel, this);
    }

    @Override public int ioRead(int port) { return 0xFF; }
    @Override public void ioWrite(int port, int value) { }
    @Override public void reset() { }

    @Override
    public int dackRead() {
        dack();
        return next++;
    }

    @Override
    public void dackWrite(int value) {
        dack();
        received.add(value);
    }

    private void dack() {
        dackTimes.add(ctx.kernel().now());
        if (dropAfter >= 0 && dackTimes.size() == dropAfter) {
            dreq.dropDreq();
        }
    }

    @Override
    public void terminalCount() {
        terminalCounts++;
        if (dropAtTc) {
            dreq.dropDreq();
        }
    }
}
