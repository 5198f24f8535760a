package org.jdma.cli.attack;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.platform.Cpu;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.machine.dev.rogue.RogueDevice;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.spec.msi.MsiMessageLayout;
import org.jdma.spec.pci.PciConfigLayout;
import org.jdma.spec.vtd.VtdInterruptRequestLayout;

/**
 * Runs every {@link Attack} against one freshly booted machine per mode and judges each outcome.
 * Each attack's decisive access is compared with what memory shows afterwards (read by the CPU),
 * and, when the device got a translation fault, with the fault record the kernel reported.
 */
public final class AttackSuite {

    /** How often the rogue retries a stale IOVA, virtual ns. */
    public static final long STALE_RETRY_STEP_NS = 100_000;
    /** How long it keeps retrying before it gives up, virtual ns (5 x the flush queue's 10 ms timeout). */
    public static final long STALE_RETRY_LIMIT_NS = 50_000_000;

    private static final byte[] SECRET = "kernel secret: 0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PEER_SECRET = "copy engine data: fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REUSED_SECRET = "reused frame: new owner's data!!".getBytes(StandardCharsets.US_ASCII);
    private static final long EVIL_PATTERN = 0x4141_4141_4141_4141L;
    private static final int EVIL_LENGTH = 64;

    private AttackSuite() { }

    /** Every attack on a machine booted in {@code mode}, each on its own machine so one cannot disturb the next. */
    public static List<AttackResult> run(AttackMode mode, long seed) {
        List<AttackResult> results = new ArrayList<>();
        for (Attack a : Attack.values()) {
            try (AttackBed bed = new AttackBed(mode, seed)) {
                results.addAll(run(a, bed));
            }
        }
        return results;
    }

    static List<AttackResult> run(Attack attack, AttackBed bed) {
        return switch (attack) {
            case READ_KERNEL_MEMORY -> List.of(readKernelMemory(bed));
            case WRITE_KERNEL_MEMORY -> List.of(writeKernelMemory(bed));
            case READ_PEER_BUFFER -> peerBuffer(bed, false);
            case WRITE_PEER_BUFFER -> peerBuffer(bed, true);
            case STALE_IOVA -> List.of(staleIova(bed));
            case WRITE_PAGE_TABLES -> pageTables(bed);
            case RMRR_OF_ANOTHER_DEVICE -> List.of(rmrr(bed));
            case MSI_WINDOW -> List.of(msiWindow(bed));
            case MSI_COMPATIBILITY -> List.of(forgedMsi(bed, Attack.MSI_COMPATIBILITY));
            case MSI_REMAPPABLE -> List.of(forgedMsi(bed, Attack.MSI_REMAPPABLE));
            case WRITE_INTERRUPT_TABLE -> List.of(interruptTable(bed));
            case SUB_PAGE_READ -> List.of(subPageRead(bed));
            case BUS_MASTER_DISABLED -> busMasterDisabled(bed);
        };
    }

    // ---- attacks --------------------------------------------------------------------------------

    private static AttackResult readKernelMemory(AttackBed bed) {
        DmaBuffer secret = bed.allocate(4096);
        secret.write(0, SECRET);
        return readAttack(bed, Attack.READ_KERNEL_MEMORY, String.format("physical %#x", secret.physicalAddress()),
                secret.physicalAddress(), SECRET, "the kernel's secret");
    }

    private static AttackResult writeKernelMemory(AttackBed bed) {
        DmaBuffer victim = bed.allocate(4096);
        victim.write(0, SECRET);
        return writeAttack(bed, Attack.WRITE_KERNEL_MEMORY, String.format("physical %#x", victim.physicalAddress()),
                victim.physicalAddress(), "the kernel buffer");
    }

    private static List<AttackResult> peerBuffer(AttackBed bed, boolean write) {
        DmaBuffer peer = bed.allocate(4096);
        peer.write(0, PEER_SECRET);
        long deviceAddress = bed.mapForPeer(peer);
        try {
            List<AttackResult> out = new ArrayList<>();
            Attack a = write ? Attack.WRITE_PEER_BUFFER : Attack.READ_PEER_BUFFER;
            out.add(write ? writeAttack(bed, a, String.format("physical %#x", peer.physicalAddress()), peer.physicalAddress(), "the copy engine's buffer")
                    : readAttack(bed, a, String.format("physical %#x", peer.physicalAddress()), peer.physicalAddress(), PEER_SECRET, "the copy engine's data"));
            if (deviceAddress != peer.physicalAddress()) {
                // The copy engine's IOVA means nothing in the rogue's own domain: try it too.
                peer.write(0, PEER_SECRET);
                out.add(write ? writeAttack(bed, a, String.format("the peer's IOVA %#x", deviceAddress), deviceAddress, peer, "the copy engine's buffer")
                        : readAttack(bed, a, String.format("the peer's IOVA %#x", deviceAddress), deviceAddress, PEER_SECRET, "the copy engine's data"));
            }
            return out;
        } finally {
            bed.unmapForPeer(deviceAddress);
        }
    }

    private static AttackResult staleIova(AttackBed bed) {
        RogueDevice rogue = bed.rogue();
        DmaBuffer buffer = bed.allocate(4096);
        long iova = bed.mapForRogue(buffer);
        String target = bed.mode() == AttackMode.OFF ? String.format("physical %#x (no IOVA without an IOMMU)", iova)
                : String.format("IOVA %#x", iova);
        RogueDevice.ReadOutcome legit = rogue.read(iova, REUSED_SECRET.length);
        if (legit.blocked()) {
            throw new IllegalStateException("the rogue's own mapping " + target + " does not work before the unmap: " + legit.result());
        }
        bed.unmapForRogue(iova);
        buffer.write(0, REUSED_SECRET); // the frame goes on to hold someone else's data
        long unmappedAt = bed.machine().clock().now();
        RogueDevice.ReadOutcome r = rogue.read(iova, REUSED_SECRET.length);
        long leakedFor = 0;
        boolean leakedAtAll = !r.blocked();
        String leaked = leakedAtAll ? new String(r.data(), StandardCharsets.US_ASCII) : "";
        if (leakedAtAll && !Arrays.equals(r.data(), REUSED_SECRET)) {
            throw new IllegalStateException("the stale IOVA " + target + " reached something other than the reused frame: " + leaked);
        }
        while (!r.blocked() && leakedFor < STALE_RETRY_LIMIT_NS) {
            bed.advance(STALE_RETRY_STEP_NS);
            leakedFor = bed.machine().clock().now() - unmappedAt;
            r = rogue.read(iova, REUSED_SECRET.length);
        }
        Optional<IommuFault> kernelFault = matchingKernelFault(bed, r.result());
        if (!r.blocked()) {
            return new AttackResult(Attack.STALE_IOVA, bed.mode(), target, false, String.format(
                    "still read the reused frame (\"%s\") %s after the unmap: nothing ever blocked it", leaked, formatNs(leakedFor)),
                    r.result(), rogue.requester(), kernelFault, bed.mode() == AttackMode.OFF ? OptionalLong.empty() : OptionalLong.of(leakedFor));
        }
        String effect = leakedAtAll
                ? String.format("read the reused frame (\"%s\") for %s after the unmap (retrying every %s), then blocked by"
                        + " the flush queue's invalidation%s", leaked, formatNs(leakedFor), formatNs(STALE_RETRY_STEP_NS),
                        bed.flushQueueStaleMaxNs().stream().mapToObj(ns -> "; the kernel's flush queue measured "
                                + formatNs(ns) + " from unmap to completed flush").findFirst().orElse(""))
                : "blocked at the first retry after the unmap";
        return new AttackResult(Attack.STALE_IOVA, bed.mode(), target, !leakedAtAll, effect, r.result(), rogue.requester(), kernelFault,
                OptionalLong.of(leakedFor));
    }

    /**
     * Writes where the unit's RTADDR_REG points, in every mode: the root table once the kernel has
     * set one; with the IOMMU off, whatever memory the register's reset value names (the write is
     * still attempted and judged by what memory shows). Then the copy engine's top-level page-table
     * page, when its domain has one.
     */
    private static List<AttackResult> pageTables(AttackBed bed) {
        long root = bed.rootTableRegister();
        boolean tables = bed.rootTable().isPresent();
        List<AttackResult> out = new ArrayList<>();
        out.add(writeAttack(bed, Attack.WRITE_PAGE_TABLES,
                String.format(tables ? "root table %#x" : "RTADDR_REG %#x (no root table set)", root), root,
                tables ? "the root table" : "the memory RTADDR_REG names"));
        OptionalLong table = bed.pageTablePage(AttackBed.PEER);
        if (table.isPresent()) {
            out.add(writeAttack(bed, Attack.WRITE_PAGE_TABLES, String.format("copy engine's page table %#x", table.getAsLong()),
                    table.getAsLong(), "the copy engine's page table"));
        }
        return out;
    }

    private static AttackResult rmrr(AttackBed bed) {
        return writeAttack(bed, Attack.RMRR_OF_ANOTHER_DEVICE, String.format("RMRR of 00:04.0 at %#x", AttackBed.RMRR_BASE),
                AttackBed.RMRR_BASE, "the copy engine's reserved region");
    }

    private static AttackResult msiWindow(AttackBed bed) {
        CopyEngine engine = bed.machine().devices(CopyEngine.class).getFirst();
        CopyEngineDriver driver = bed.kernel().copyEngine();
        int entry = CopyEngineDriver.COMPLETION_ENTRY;
        long address = engine.msix().address(entry);
        int data = engine.msix().data(entry);
        long before = driver.completionInterrupts();
        byte[] message = {(byte) data, (byte) (data >>> 8), (byte) (data >>> 16), (byte) (data >>> 24)};
        DmaResult r = bed.rogue().write(address, message);
        Optional<IommuFault> kernelFault = matchingKernelFault(bed, r);
        long after = driver.completionInterrupts();
        String effect = after > before
                ? String.format("an interrupt, not a memory write: the copy engine driver's completion handler ran (%d -> %d handled);"
                        + " DMA remapping never translates 0xfeexxxxx, only interrupt remapping can refuse it", before, after)
                : String.format("blocked: no handler ran (%d handled); the entry the message names answers only the copy engine's"
                        + " requester id", after);
        return new AttackResult(Attack.MSI_WINDOW, bed.mode(), String.format("MSI %#x data %#x", address, data),
                !r.isOk() && after == before, effect, r, bed.rogue().requester(), kernelFault, OptionalLong.empty());
    }

    /**
     * A message the rogue makes up: compatibility format naming the copy engine's completion vector
     * on CPU 0, or remappable format naming the last interrupt index of the table (nobody's).
     */
    private static AttackResult forgedMsi(AttackBed bed, Attack attack) {
        CopyEngineDriver driver = bed.kernel().copyEngine();
        int vector = driver.completionVector();
        boolean compatibility = attack == Attack.MSI_COMPATIBILITY;
        long address = compatibility ? MsiMessageLayout.address(0) : VtdInterruptRequestLayout.address(FORGED_INDEX, false);
        int data = compatibility ? MsiMessageLayout.data(vector) : 0;
        long before = driver.completionInterrupts();
        long dispatchedBefore = bed.machine().interruptController().dispatched(vector);
        byte[] message = {(byte) data, (byte) (data >>> 8), (byte) (data >>> 16), (byte) (data >>> 24)};
        DmaResult r = bed.rogue().write(address, message);
        Optional<IommuFault> kernelFault = matchingKernelFault(bed, r);
        long after = driver.completionInterrupts();
        long received = bed.machine().interruptController().dispatched(vector) - dispatchedBefore;
        boolean blocked = !r.isOk() && received == 0;
        String effect = blocked ? String.format("blocked: vector %d was not raised (the unit's own fault event was the only interrupt)", vector)
                : after > before ? String.format("vector %d reached the copy engine driver's completion handler (%d -> %d handled)",
                        vector, before, after)
                : String.format("vector %d was raised %d time(s)", vector, received);
        return new AttackResult(attack, bed.mode(), String.format("MSI %#x data %#x", address, data), blocked, effect, r,
                bed.rogue().requester(), kernelFault, OptionalLong.empty());
    }

    /** The index a forged remappable message names: the last of the kernel's table, which no driver holds. */
    static final int FORGED_INDEX = 4095;

    /** Writes the copy engine's interrupt remapping entry (with the IOMMU off: the memory its message address would index). */
    private static AttackResult interruptTable(AttackBed bed) {
        CopyEngine engine = bed.machine().devices(CopyEngine.class).getFirst();
        int entry = CopyEngineDriver.COMPLETION_ENTRY;
        OptionalLong table = bed.interruptRemapTable();
        if (table.isEmpty()) {
            DmaBuffer stand = bed.allocate(4096);
            stand.write(0, SECRET);
            AttackResult r = writeAttack(bed, Attack.WRITE_INTERRUPT_TABLE, String.format("physical %#x (no interrupt remapping table:"
                    + " a kernel page stands in)", stand.physicalAddress()), stand.physicalAddress(), "the kernel page");
            return r;
        }
        int index = VtdInterruptRequestLayout.index(engine.msix().address(entry), engine.msix().data(entry));
        long at = table.getAsLong() + 16L * index;
        return writeAttack(bed, Attack.WRITE_INTERRUPT_TABLE, String.format("IRTE %d at %#x", index, at), at,
                "the copy engine's interrupt remapping entry");
    }

    /**
     * The kernel maps a 512-byte buffer at the start of a page for the rogue to read; the rest of the
     * page holds a kernel secret. The rogue reads the whole page at the buffer's device address
     * rounded down: without bouncing the IOMMU maps the whole page (the granule), so the secret is
     * exposed; an untrusted device's mapping is bounced into a page of its own.
     */
    private static AttackResult subPageRead(AttackBed bed) {
        DmaBuffer page = bed.allocate(4096);
        byte[] mine = new byte[SUB_PAGE_BUFFER];
        java.util.Arrays.fill(mine, (byte) 'b');
        page.write(0, mine);
        byte[] secret = new byte[4096 - SUB_PAGE_BUFFER];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = SECRET[i % SECRET.length];
        }
        page.write(SUB_PAGE_BUFFER, secret);
        long iova = bed.mapForRogue(page, SUB_PAGE_BUFFER);
        long pageStart = iova & AttackResult.PAGE_MASK;
        RogueDevice.ReadOutcome r = bed.rogue().read(pageStart, 4096);
        Optional<IommuFault> kernelFault = matchingKernelFault(bed, r.result());
        byte[] got = r.data();
        long exposed = 0;
        long beyond = 0;
        long bufferAt = iova - pageStart;
        for (int i = 0; i < got.length; i++) {
            long off = i - bufferAt;
            if (off >= 0 && off < SUB_PAGE_BUFFER) {
                continue; // the device's own buffer
            }
            beyond++;
            long inPage = off - SUB_PAGE_BUFFER;
            if (inPage >= 0 && inPage < secret.length && got[i] == secret[(int) inPage]) {
                exposed++;
            }
        }
        boolean blocked = exposed == 0;
        String effect = r.blocked() && got.length == 0 ? "blocked: the device read nothing beyond its mapping"
                : exposed > 0 ? String.format("read %d bytes beyond its 512-byte buffer; %d of them are the kernel's secret"
                        + " that shares the page (\"%s...\")", beyond, exposed,
                        new String(secret, 0, 16, StandardCharsets.US_ASCII))
                : String.format("read %d bytes beyond its 512-byte buffer, none of them another owner's data (the buffer was bounced"
                        + " into a page of its own)", beyond);
        return new AttackResult(Attack.SUB_PAGE_READ, bed.mode(), String.format("page of IOVA %#x (512-byte buffer)", iova),
                blocked, effect, r.result(), bed.rogue().requester(), kernelFault, OptionalLong.empty(), exposed);
    }

    /** The buffer the kernel maps for the sub-page read. */
    static final int SUB_PAGE_BUFFER = 512;

    /**
     * Neither rogue has a driver, so the OS never set Bus Master Enable in either's Command register.
     * The compliant one's requests end in a master abort before they reach the bus, in every IOMMU
     * mode, and its Status register says so; the hostile one's hardware ignores the bit, so only the
     * IOMMU stands between it and memory.
     */
    private static List<AttackResult> busMasterDisabled(AttackBed bed) {
        DmaBuffer secret = bed.allocate(4096);
        secret.write(0, SECRET);
        long address = secret.physicalAddress();
        String target = String.format("physical %#x", address);
        List<AttackResult> out = new ArrayList<>();
        for (RogueDevice device : List.of(bed.compliant(), bed.rogue())) {
            AttackResult r = readAttack(bed, device, Attack.BUS_MASTER_DISABLED, target, address, SECRET, "the kernel's secret");
            int command = bed.configCommand(device.requester());
            int status = bed.configStatus(device.requester());
            String honours = device == bed.compliant() ? "honours it" : "ignores it";
            String state = String.format("%s: Command %#06x (Bus Master Enable %s; its hardware %s), Status %#06x (Received Master Abort %s)",
                    device.name(), command, (command & PciConfigLayout.COMMAND_BUS_MASTER) != 0 ? "set" : "clear", honours,
                    status, (status & PciConfigLayout.STATUS_RECEIVED_MASTER_ABORT) != 0 ? "set" : "clear");
            out.add(new AttackResult(r.attack(), r.mode(), r.target() + " from " + device.name(), r.blocked(),
                    r.effect() + "; " + state, r.device(), r.attacker(), r.kernelFault(), r.staleWindowNs()));
        }
        return out;
    }

    // ---- building blocks ------------------------------------------------------------------------

    private static AttackResult readAttack(AttackBed bed, Attack attack, String target, long address, byte[] secret, String what) {
        return readAttack(bed, bed.rogue(), attack, target, address, secret, what);
    }

    private static AttackResult readAttack(AttackBed bed, RogueDevice attacker, Attack attack, String target, long address,
                                           byte[] secret, String what) {
        RogueDevice.ReadOutcome r = attacker.read(address, secret.length);
        boolean leaked = r.data().length > 0 && Arrays.equals(r.data(), Arrays.copyOf(secret, r.data().length));
        Optional<IommuFault> kernelFault = matchingKernelFault(bed, attacker, r.result());
        boolean blocked = r.blocked() && r.data().length == 0;
        String effect = blocked ? "blocked: nothing came back"
                : leaked ? String.format("read %d bytes of %s: \"%s\"", r.data().length, what,
                        new String(r.data(), StandardCharsets.US_ASCII))
                : String.format("read %d bytes, not %s", r.data().length, what);
        return new AttackResult(attack, bed.mode(), target, blocked, effect, r.result(), attacker.requester(), kernelFault,
                OptionalLong.empty());
    }

    private static AttackResult writeAttack(AttackBed bed, Attack attack, String target, long address, String what) {
        return writeAttack(bed, attack, target, address, address, what);
    }

    private static AttackResult writeAttack(AttackBed bed, Attack attack, String target, long address, DmaBuffer victim, String what) {
        return writeAttack(bed, attack, target, address, victim.physicalAddress(), what);
    }

    /** Writes the evil pattern at bus {@code address}; {@code physical} is where the victim bytes lie. */
    private static AttackResult writeAttack(AttackBed bed, Attack attack, String target, long address, long physical, String what) {
        Cpu cpu = bed.machine().cpu();
        byte[] before = new byte[EVIL_LENGTH];
        cpu.read(physical, before);
        DmaResult r = bed.rogue().fill(address, EVIL_LENGTH, EVIL_PATTERN);
        byte[] after = new byte[EVIL_LENGTH];
        cpu.read(physical, after);
        boolean unchanged = Arrays.equals(before, after);
        Optional<IommuFault> kernelFault = matchingKernelFault(bed, r);
        boolean blocked = !r.isOk() && unchanged;
        String effect = blocked ? "blocked: " + what + " is unchanged"
                : unchanged ? String.format("the write went somewhere (%s), %s is unchanged", r, what)
                : String.format("overwrote %d bytes of %s", r.bytes(), what);
        return new AttackResult(attack, bed.mode(), target, blocked, effect, r, bed.rogue().requester(), kernelFault,
                OptionalLong.empty());
    }

    private static Optional<IommuFault> matchingKernelFault(AttackBed bed, DmaResult device) {
        return matchingKernelFault(bed, bed.rogue(), device);
    }

    /** The kernel's record of the device's fault: the one that matches, else the first for the attacker, else the first. */
    private static Optional<IommuFault> matchingKernelFault(AttackBed bed, RogueDevice attacker, DmaResult device) {
        List<IommuFault> reported = bed.takeKernelFaults();
        for (IommuFault k : reported) {
            if (AttackResult.sameFault(k, attacker.requester(), device)) {
                return Optional.of(k);
            }
        }
        return reported.stream().filter(k -> k.device().equals(attacker.requester())).findFirst()
                .or(() -> reported.stream().findFirst());
    }

    static String formatNs(long ns) {
        if (ns >= 1_000_000) {
            return String.format("%.1f ms", ns / 1e6);
        }
        if (ns >= 1_000) {
            return String.format("%.1f µs", ns / 1e3);
        }
        return ns + " ns";
    }
}
