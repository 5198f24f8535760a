package org.jdma.machine.dev.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jdma.spec.nvme.SubmissionEntryLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The controller's table of outstanding commands, checked against a plain map. */
class CommandTableTest {

    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final CommandTable table = new CommandTable();
    private final SubmissionQueue[] queues = new SubmissionQueue[NvmeConfig.MAX_IO_QUEUES + 1];

    /** A command {@code cid} of queue {@code sqid} (one queue object per id, as the controller has). */
    private Command command(int sqid, int cid) {
        if (queues[sqid] == null) {
            queues[sqid] = new SubmissionQueue(sqid, 0, 2, null);
        }
        Command c = new Command();
        c.entry().set(LE_SHORT, SubmissionEntryLayout.CID, (short) cid);
        c.fetched(queues[sqid], 0);
        return c;
    }

    /**
     * Random puts, gets and removes over a small key space, with keys of CIDs in sequence, CIDs far
     * apart on every page and queue ids up to the controller's highest, against a reference that
     * cannot be wrong; the queue listing agrees with the reference's, by CID, all along.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void shouldAgreeWithAMapUnderRandomPutsGetsAndRemoves(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<Long, Command> reference = new HashMap<>();
        int[][] space = new int[300][];
        for (int i = 0; i < space.length; i++) {
            space[i] = switch (i % 3) {
                case 0 -> new int[] {1, i};                                   // one I/O queue, CIDs in sequence
                case 1 -> new int[] {random.nextInt(4), random.nextInt(65_536)}; // a few queues, any CID
                default -> new int[] {NvmeConfig.MAX_IO_QUEUES - i % 8, (i << 8) & 0xFFFF}; // high queue ids, one CID a page
            };
        }
        for (int step = 0; step < 40_000; step++) {
            int[] k = space[random.nextInt(space.length)];
            long key = Command.key(k[0], k[1]);
            int op = random.nextInt(100);
            if (op < (reference.size() < 200 ? 50 : 35)) {
                Command c = command(k[0], k[1]);
                assertSame(reference.putIfAbsent(key, c), table.putIfAbsent(key, c), "step " + step + ": put " + key);
            } else if (op < 80) {
                assertSame(reference.remove(key), table.remove(key), "step " + step + ": remove " + key);
            } else {
                assertSame(reference.get(key), table.get(key), "step " + step + ": get " + key);
            }
            assertEquals(reference.size(), table.size(), "step " + step);
            if (step % 1_000 == 0) {
                assertListings(reference, k[0]);
            }
        }
        for (int[] k : space) {
            assertListings(reference, k[0]);
        }
        for (int[] k : space) {
            long key = Command.key(k[0], k[1]);
            assertSame(reference.remove(key), table.remove(key), "final remove " + key);
            assertNull(table.get(key));
        }
        assertEquals(0, table.size());
    }

    private void assertListings(Map<Long, Command> reference, int sqid) {
        List<Command> expected = new ArrayList<>();
        for (Command c : reference.values()) {
            if (c.sq.id == sqid) {
                expected.add(c);
            }
        }
        expected.sort(Comparator.comparingInt(Command::cid));
        assertEquals(expected, table.of(sqid), "queue " + sqid);
    }

    @Test
    void shouldRefuseASecondCommandUnderOneKeyAndForgetEverythingOnClear() {
        Command first = command(1, 7);
        Command conflict = command(1, 7);
        assertNull(table.putIfAbsent(first.key(), first));
        assertSame(first, table.putIfAbsent(conflict.key(), conflict), "the one there stays");
        assertSame(first, table.get(Command.key(1, 7)));
        for (int cid = 0; cid < 100; cid++) {
            Command c = command(2, cid);
            table.putIfAbsent(c.key(), c);
        }
        assertEquals(101, table.size());
        table.clear();
        assertEquals(0, table.size());
        assertNull(table.get(Command.key(1, 7)));
        assertEquals(List.of(), table.of(2));
        assertNull(table.putIfAbsent(conflict.key(), conflict), "empty again");
    }

    @Test
    void shouldRefuseAQueueIdBeyondTheController() {
        int beyond = NvmeConfig.MAX_IO_QUEUES + 1;
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> table.get(Command.key(beyond, 0)));
        assertEquals("SQ id " + beyond + " is beyond this table's " + NvmeConfig.MAX_IO_QUEUES, e.getMessage());
    }
}
