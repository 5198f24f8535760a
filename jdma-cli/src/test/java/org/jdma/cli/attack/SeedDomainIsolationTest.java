package org.jdma.cli.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.iommu.IoPermission;
import org.jdma.kernel.compat.hardware.IommuController;
import org.jdma.machine.bus.FaultReason;
import org.jdma.machine.dev.rogue.RogueDevice;
import org.jdma.spec.vtd.VtdFaultReason;
import org.junit.jupiter.api.Test;

/** Checklist row 50 on the seed-000 facade: a device attached to domain A cannot use an IOVA mapped only in domain B. */
class SeedDomainIsolationTest {

    @Test
    void shouldConfineADeviceToTheDomainItIsAttachedTo() {
        try (AttackBed bed = new AttackBed(AttackMode.STRICT, 5)) {
            RogueDevice rogue = bed.rogue();
            IommuController c = IommuController.probe(bed.kernel(), rogue.requester()).orElseThrow();
            assertTrue(c.init());
            IommuController.Domain a = c.createDomain(0x1_0000_0000L, 1L << 30, 0).orElseThrow();
            IommuController.Domain b = c.createDomain(0x1_4000_0000L, 1L << 30, 0).orElseThrow();
            DmaBuffer buf = bed.allocate(4096);
            byte[] secret = "only domain B maps this".getBytes();
            buf.write(0, secret);
            long iova = b.domain().allocIova(4096, -1L).orElseThrow();
            b.domain().map(iova, buf.physicalAddress(), 4096, IoPermission.READ);

            c.attach(a.id(), rogue.requester());
            RogueDevice.ReadOutcome inA = rogue.read(iova, secret.length);
            assertEquals(FaultReason.NO_PERMISSION, inA.result().reason(), inA.result().toString());
            assertEquals(VtdFaultReason.READ_NOT_PERMITTED.code(), inA.result().detail().code());
            assertEquals(0, inA.data().length);

            c.attach(b.id(), rogue.requester());
            RogueDevice.ReadOutcome inB = rogue.read(iova, secret.length);
            assertTrue(inB.result().isOk(), inB.result().toString());
            assertArrayEquals(secret, inB.data());
            assertEquals(VtdFaultReason.WRITE_NOT_PERMITTED.code(), rogue.write(iova, new byte[8]).detail().code(), "mapped read-only in B");
        }
    }
}
