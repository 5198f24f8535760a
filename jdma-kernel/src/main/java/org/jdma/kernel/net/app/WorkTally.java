package org.jdma.kernel.net.app;

/**
 * {@link CpuWork}'s counts as mutable fields: what a {@link PollLoop} adds up poll after poll
 * without making a record per poll. Not thread-safe (a poll loop runs on the machine thread).
 */
final class WorkTally {
    long batches;
    long idlePolls;
    long rxPackets;
    long txPackets;
    long maps;
    long unmaps;
    long syncs;
    long invalidations;

    void clear() {
        batches = 0;
        idlePolls = 0;
        rxPackets = 0;
        txPackets = 0;
        maps = 0;
        unmaps = 0;
        syncs = 0;
        invalidations = 0;
    }

    void add(CpuWork w) {
        batches += w.batches();
        idlePolls += w.idlePolls();
        rxPackets += w.rxPackets();
        txPackets += w.txPackets();
        maps += w.maps();
        unmaps += w.unmaps();
        syncs += w.syncs();
        invalidations += w.invalidations();
    }

    void add(WorkTally w) {
        batches += w.batches;
        idlePolls += w.idlePolls;
        rxPackets += w.rxPackets;
        txPackets += w.txPackets;
        maps += w.maps;
        unmaps += w.unmaps;
        syncs += w.syncs;
        invalidations += w.invalidations;
    }

    /** Adds what happened between {@code before} and {@code now} (two readings of the same counters). */
    void addDelta(WorkTally now, WorkTally before) {
        batches += now.batches - before.batches;
        idlePolls += now.idlePolls - before.idlePolls;
        rxPackets += now.rxPackets - before.rxPackets;
        txPackets += now.txPackets - before.txPackets;
        maps += now.maps - before.maps;
        unmaps += now.unmaps - before.unmaps;
        syncs += now.syncs - before.syncs;
        invalidations += now.invalidations - before.invalidations;
    }

    /** Whether this holds idle polls and nothing else. */
    boolean onlyIdle() {
        return idlePolls > 0 && batches == 0 && rxPackets == 0 && txPackets == 0 && maps == 0 && unmaps == 0 && syncs == 0
                && invalidations == 0;
    }

    CpuWork toWork() {
        return new CpuWork(batches, idlePolls, rxPackets, txPackets, maps, unmaps, syncs, invalidations);
    }
}
