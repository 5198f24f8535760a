package org.jdma.machine.dev.memcpy;

import static org.jdma.machine.dev.memcpy.EngineRig.*;
import static org.jdma.spec.memcpy.CopyEngineRegisters.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CHAIN (a jdma extension, opcode 0x30): descriptors linked through next-link addresses, the last
 * marked LAST, run in order as one transfer with one completion record and one interrupt
 * (checklist row 23); errors end the chain and name the link; loops and over-long chains are
 * bounded.
 */
class CopyEngineChainTest {

    private static final int RCI_FLAGS = RECORD_FLAGS | CopyDescriptorLayout.FLAG_RCI;
    /** Where the tests put links (64-byte aligned), deliberately out of order in memory. */
    private static final long LINKS = DATA + 0x30_0000;

    private static Desc chain(long firstLink, long record) {
        return new Desc().op(Opcode.CHAIN.code(), RCI_FLAGS).src(firstLink).completion(record).handle(0);
    }

    /** A MEMMOVE link to {@code next}, or the last link when {@code next} is -1. */
    private static Desc moveLink(long src, long dst, long size, long next) {
        Desc d = new Desc().op(Opcode.MEMMOVE.code(), next == -1 ? CopyDescriptorLayout.FLAG_LINK_LAST : 0).src(src).dst(dst).size(size);
        return next == -1 ? d : d.qword(CopyDescriptorLayout.NEXT_LINK, next);
    }

    private static Desc noopLink(long next) {
        Desc d = new Desc().op(Opcode.NOOP.code(), next == -1 ? CopyDescriptorLayout.FLAG_LINK_LAST : 0);
        return next == -1 ? d : d.qword(CopyDescriptorLayout.NEXT_LINK, next);
    }

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 13 + seed);
        }
        return b;
    }

    private static int[] countInterrupts(EngineRig rig) {
        int vector = rig.machine.interrupts().allocateVector();
        int[] handled = new int[1];
        rig.machine.interrupts().register(vector, v -> handled[0]++);
        rig.msix(0, rig.machine.interrupts().messageFor(vector));
        return handled;
    }

    /** Three links at A, B, C (C before A in memory): move 1 KiB, copy it on, overwrite a part. */
    private static long threeLinks(EngineRig rig, long b1, long b2) {
        long a = LINKS + 0x400, b = LINKS + 0x1000, c = LINKS;
        rig.cpu.write(a, moveLink(DATA, b1, 1024, b).bytes);
        rig.cpu.write(b, moveLink(b1, b2, 1024, c).bytes);
        rig.cpu.write(c, new Desc().op(Opcode.MEMFILL.code(), CopyDescriptorLayout.FLAG_LINK_LAST)
                .src(0x2222_2222_2222_2222L).dst(b2).size(256).bytes);
        return a;
    }

    @Test
    void shouldMoveEveryLinksBytesInOrderWithOneRecordAndOneInterrupt() {
        try (EngineRig rig = new EngineRig()) {
            int[] handled = countInterrupts(rig);
            rig.enable(16);
            byte[] src = pattern(1024, 5);
            rig.cpu.write(DATA, src);
            long b1 = DATA + 0x1_0000, b2 = DATA + 0x2_0000;
            rig.submit(chain(threeLinks(rig, b1, b2), recordAddress(0)));
            rig.runIdle();

            Completion rec = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.SUCCESS, rec.code());
            assertEquals(3, rec.bytesCompleted(), "descs_completed: every link");
            assertEquals(new ChainFields(0, 0), rig.chainFields(recordAddress(0)), "no link failed");
            assertArrayEquals(src, rig.bytes(b1, 1024), "link 0");
            byte[] expected = src.clone();
            Arrays.fill(expected, 0, 256, (byte) 0x22);
            assertArrayEquals(expected, rig.bytes(b2, 1024), "link 1 read what link 0 wrote, link 2 overwrote a part");
            assertEquals(1, handled[0], "one interrupt for the chain");
            assertEquals(1, rig.reg64(COMPLETED), "the chain is one ring descriptor");
            assertEquals(3, rig.engine.chainLinksCompleted());
            assertEquals(STATE_RUNNING | STATUS_IDLE, rig.reg(STATUS));
        }
    }

    @Test
    void shouldStoreEveryLinksDataBeforeTheChainsStatusByteAndOnlyThenSendTheMsi() {
        try (EngineRig rig = new EngineRig()) {
            int vector = rig.machine.interrupts().allocateVector();
            MsiMessage msg = rig.machine.interrupts().messageFor(vector);
            rig.machine.interrupts().register(vector, v -> { });
            rig.msix(0, msg);
            rig.enable(16);
            rig.cpu.write(DATA, pattern(1024, 1));
            long b1 = DATA + 0x1_0000, b2 = DATA + 0x2_0000;
            long first = threeLinks(rig, b1, b2);
            List<String> seen = new ArrayList<>();
            rig.machine.addBusMonitor((rid, access, addr, len, msi, ok, t) ->
                    seen.add((msi ? "MSI " : "") + access + " " + Long.toHexString(addr) + "+" + len));
            rig.submit(chain(first, recordAddress(0)));
            rig.runIdle();

            long rec = recordAddress(0);
            assertEquals(List.of(
                    "READ " + Long.toHexString(RING) + "+64",
                    "READ " + Long.toHexString(first) + "+64",
                    "READ " + Long.toHexString(DATA) + "+1024",
                    "WRITE " + Long.toHexString(b1) + "+1024",
                    "READ " + Long.toHexString(LINKS + 0x1000) + "+64",
                    "READ " + Long.toHexString(b1) + "+1024",
                    "WRITE " + Long.toHexString(b2) + "+1024",
                    "READ " + Long.toHexString(LINKS) + "+64",
                    "WRITE " + Long.toHexString(b2) + "+256",
                    "WRITE " + Long.toHexString(rec + 1) + "+31",
                    "WRITE " + Long.toHexString(rec) + "+1",
                    "MSI WRITE " + Long.toHexString(msg.address()) + "+4"), seen,
                    "links fetched and run in chain order, then one record (status byte last), then one MSI");
        }
    }

    @Test
    void shouldEndTheChainAtAFaultingMiddleLinkNameItAndGoOn() {
        try (EngineRig rig = new EngineRig()) {
            int[] handled = countInterrupts(rig);
            rig.enable(16);
            rig.cpu.write(DATA, pattern(512, 3));
            long l0 = LINKS, l1 = LINKS + 0x40, l2 = LINKS + 0x80;
            rig.cpu.write(l0, moveLink(DATA, DATA + 0x1_0000, 512, l1).bytes);
            rig.cpu.write(l1, moveLink(DATA, HOLE, 512, l2).bytes);
            rig.cpu.write(l2, moveLink(DATA, DATA + 0x3_0000, 512, -1).bytes);
            rig.submit(chain(l0, recordAddress(0)));
            int next = rig.submit(memmove(DATA, DATA + 0x4_0000, 64, recordAddress(1)));
            rig.runIdle();

            Completion rec = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.PAGE_FAULT_NOBOF, rec.code(), "the failed link's status");
            assertTrue(rec.writeFault());
            assertEquals(HOLE, rec.faultAddress());
            assertEquals(1, rec.bytesCompleted(), "one link completed: link 1 failed");
            assertEquals(new ChainFields(0, l1), rig.chainFields(recordAddress(0)), "the failed link by address");
            assertArrayEquals(pattern(512, 3), rig.bytes(DATA + 0x1_0000, 512), "link 0 ran");
            assertArrayEquals(new byte[512], rig.bytes(DATA + 0x3_0000, 512), "link 2 never ran");
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(next)).code(), "the engine goes on");
            assertEquals(1, handled[0], "one interrupt, for the chain (the next descriptor asks for none)");
            assertEquals(0, rig.reg(ERROR), "a link error is no ring error");
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldStopACyclicChainAfterTheMostLinksAChainMayHaveAndGoOn() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            long l0 = LINKS, l1 = LINKS + 0x200;
            rig.cpu.write(l0, noopLink(l1).bytes);
            rig.cpu.write(l1, noopLink(l0).bytes); // back to the first: no LAST anywhere
            rig.submit(chain(l0, recordAddress(0)));
            int next = rig.submit(noop(recordAddress(1)));
            rig.runIdle();

            Completion rec = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.DESC_CNT_ERANGE, rec.code());
            assertEquals(CopyDescriptorLayout.MAX_CHAIN_LINKS, rec.bytesCompleted());
            assertEquals(l0, rig.chainFields(recordAddress(0)).linkAddress(), "the link it would have fetched next");
            assertEquals(CopyDescriptorLayout.MAX_CHAIN_LINKS, rig.engine.chainLinksCompleted());
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(next)).code());
            assertEquals(STATE_RUNNING | STATUS_IDLE, rig.reg(STATUS));
        }
    }

    @Test
    void shouldRunAChainOfTheMostLinksButStopOneLinkLonger() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            int max = CopyDescriptorLayout.MAX_CHAIN_LINKS;
            long longList = LINKS + 0x10_0000;
            for (int i = 0; i <= max; i++) {
                long here = LINKS + (long) i * CopyDescriptorLayout.SIZE;
                rig.cpu.write(here, noopLink(i == max - 1 ? -1 : here + CopyDescriptorLayout.SIZE).bytes);
                long there = longList + (long) i * CopyDescriptorLayout.SIZE;
                rig.cpu.write(there, noopLink(i == max ? -1 : there + CopyDescriptorLayout.SIZE).bytes);
            }
            rig.submit(chain(LINKS, recordAddress(0)));
            rig.submit(chain(longList, recordAddress(1)));
            rig.runIdle();

            Completion full = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.SUCCESS, full.code());
            assertEquals(max, full.bytesCompleted());
            Completion over = rig.record(recordAddress(1));
            assertEquals(CompletionStatus.DESC_CNT_ERANGE, over.code());
            assertEquals(max, over.bytesCompleted());
            assertEquals(longList + (long) max * CopyDescriptorLayout.SIZE, rig.chainFields(recordAddress(1)).linkAddress());
        }
    }

    @Test
    void shouldEndTheChainAtALinkItCannotReadOrThatIsMisaligned() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            rig.cpu.write(LINKS, noopLink(HOLE).bytes);
            rig.cpu.write(LINKS + 0x40, noopLink(LINKS + 0x88).bytes);
            rig.submit(chain(LINKS, recordAddress(0)));
            rig.submit(chain(LINKS + 0x40, recordAddress(1)));
            rig.runIdle();

            Completion unreadable = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.BATCH_PAGE_FAULT, unreadable.code());
            assertEquals(HOLE, unreadable.faultAddress());
            assertEquals(1, unreadable.bytesCompleted());
            assertEquals(HOLE, rig.chainFields(recordAddress(0)).linkAddress());
            Completion misaligned = rig.record(recordAddress(1));
            assertEquals(CompletionStatus.DESCLIST_ALIGN, misaligned.code());
            assertEquals(1, misaligned.bytesCompleted());
            assertEquals(LINKS + 0x88, rig.chainFields(recordAddress(1)).linkAddress());
            assertEquals(STATE_RUNNING, rig.state(), "neither halts the engine");
            assertEquals(0, rig.reg(ERROR));
        }
    }

    @Test
    void shouldRejectALinkThatAsksForItsOwnRecordOrIsNotASimpleOperation() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            rig.cpu.write(LINKS, noopLink(LINKS + 0x40).bytes);
            rig.cpu.write(LINKS + 0x40, noopLink(-1).op(Opcode.NOOP.code(), CopyDescriptorLayout.FLAG_LINK_LAST | RECORD_FLAGS).bytes);
            rig.cpu.write(LINKS + 0x80, new Desc().op(Opcode.BATCH.code(), CopyDescriptorLayout.FLAG_LINK_LAST).src(LINKS).size(2).bytes);
            rig.cpu.write(LINKS + 0xC0, noopLink(-1).setByte(CopyDescriptorLayout.OP_SPECIFIC, 1).bytes);
            rig.submit(chain(LINKS, recordAddress(0)));
            rig.submit(chain(LINKS + 0x80, recordAddress(1)));
            rig.submit(chain(LINKS + 0xC0, recordAddress(2)));
            rig.runIdle();

            Completion ownRecord = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.INVALID_FLAGS, ownRecord.code());
            assertEquals(RECORD_FLAGS, ownRecord.invalidFlags(), "the link's CRAV and RCR");
            assertEquals(1, ownRecord.bytesCompleted());
            assertEquals(CompletionStatus.BAD_OPCODE, rig.record(recordAddress(1)).code(), "no batch inside a chain");
            assertEquals(CompletionStatus.NOZERO_RESERVE, rig.record(recordAddress(2)).code());
        }
    }

    @Test
    void shouldFollowTheChainThroughTheRemappingUnit() {
        try (EngineRig rig = new EngineRig()) {
            VtdUnit unit = CopyEngineThroughVtdTest.translate(rig);
            // The links live at DATA, which the device reaches only at IOVA REMAPPED (read-only).
            long iova = CopyEngineThroughVtdTest.REMAPPED;
            byte[] src = pattern(256, 9);
            rig.cpu.write(DATA + 0x800, src);
            rig.cpu.write(DATA, moveLink(iova + 0x800, DATA + 0x1_0000, 128, iova + 0x40).bytes);
            rig.cpu.write(DATA + 0x40, moveLink(iova + 0x880, DATA + 0x2_0000, 128, -1).bytes);
            rig.enable(16);
            rig.submit(chain(iova, recordAddress(0)));
            rig.runIdle();

            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(0)).code());
            assertArrayEquals(Arrays.copyOfRange(src, 0, 128), rig.bytes(DATA + 0x1_0000, 128));
            assertArrayEquals(Arrays.copyOfRange(src, 128, 256), rig.bytes(DATA + 0x2_0000, 128));
            assertTrue(unit.pendingFaultRecords().isEmpty());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRunAChainOnTheDeviceThread() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            byte[] src = pattern(1024, 7);
            rig.cpu.write(DATA, src);
            long b1 = DATA + 0x1_0000, b2 = DATA + 0x2_0000;
            long first = threeLinks(rig, b1, b2);
            rig.engine.startThread();
            rig.submit(chain(first, recordAddress(0)));
            rig.awaitRecord(recordAddress(0));
            byte[] expected = src.clone();
            Arrays.fill(expected, 0, 256, (byte) 0x22);
            assertArrayEquals(expected, rig.bytes(b2, 1024), "the record is published after every link's data");
            rig.engine.stopThread();
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(0)).code());
            assertEquals(3, rig.record(recordAddress(0)).bytesCompleted());
        }
    }
}
