package org.jdma.machine.dev.nvme;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The controller's outstanding commands by {@link Command#key(int, int) key} (SQ id and CID). A CID
 * is 16 bits and unique among one SQ's outstanding commands (NVMe Base 2.0 §4.2, Command
 * Identifier), so each SQ id has 256 pages of 256 slots, a page made when a CID first reaches it:
 * fetching and completing a command are two array loads, with no key to box or hash, and a queue's
 * commands list in CID order. One command per key: a second with the same key is a CID conflict,
 * which the caller refuses. Not thread-safe: the controller runs on the machine thread.
 */
final class CommandTable {

    private static final int PAGE_BITS = 8;
    private static final int PAGE_SLOTS = 1 << PAGE_BITS;
    private static final int PAGES = (1 << 16) >>> PAGE_BITS;

    /** Per SQ id: its pages (null until one of its CIDs is used), each null until a CID reaches it. */
    private final Command[][][] bySq;
    private int size;

    /** A table for SQ ids 0 (admin) to {@link NvmeConfig#MAX_IO_QUEUES}. */
    CommandTable() {
        this(NvmeConfig.MAX_IO_QUEUES);
    }

    CommandTable(int maxSqid) {
        this.bySq = new Command[maxSqid + 1][][];
    }

    int size() {
        return size;
    }

    /** The command under {@code key}, or null. */
    Command get(long key) {
        Command[] page = page(key, false);
        return page == null ? null : page[slot(key)];
    }

    /** Adds {@code c} under {@code key} unless a command is there already; returns that one, else null. */
    Command putIfAbsent(long key, Command c) {
        Command[] page = page(key, true);
        int i = slot(key);
        Command there = page[i];
        if (there == null) {
            page[i] = c;
            size++;
        }
        return there;
    }

    /** Removes and returns the command under {@code key}, or null. */
    Command remove(long key) {
        Command[] page = page(key, false);
        if (page == null) {
            return null;
        }
        int i = slot(key);
        Command there = page[i];
        if (there != null) {
            page[i] = null;
            size--;
        }
        return there;
    }

    /** Forgets every command (the pages stay for the CIDs that come next). */
    void clear() {
        for (Command[][] pages : bySq) {
            if (pages != null) {
                for (Command[] page : pages) {
                    if (page != null) {
                        Arrays.fill(page, null);
                    }
                }
            }
        }
        size = 0;
    }

    /** The commands of SQ {@code sqid}, by ascending CID. */
    List<Command> of(int sqid) {
        List<Command> found = new ArrayList<>();
        Command[][] pages = sqid >= 0 && sqid < bySq.length ? bySq[sqid] : null;
        if (pages != null) {
            for (Command[] page : pages) {
                if (page != null) {
                    for (Command c : page) {
                        if (c != null) {
                            found.add(c);
                        }
                    }
                }
            }
        }
        return found;
    }

    private Command[] page(long key, boolean make) {
        int sqid = Command.sqid(key);
        if (sqid < 0 || sqid >= bySq.length) {
            throw new IllegalArgumentException("SQ id " + sqid + " is beyond this table's " + (bySq.length - 1));
        }
        Command[][] pages = bySq[sqid];
        if (pages == null) {
            if (!make) {
                return null;
            }
            pages = bySq[sqid] = new Command[PAGES][];
        }
        int p = (int) (key & 0xFFFF) >>> PAGE_BITS;
        Command[] page = pages[p];
        if (page == null && make) {
            page = pages[p] = new Command[PAGE_SLOTS];
        }
        return page;
    }

    private static int slot(long key) {
        return (int) key & (PAGE_SLOTS - 1);
    }
}
