package org.jdma.kernel.compat.veridian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdma.machine.iommu.vtd.VtdConfig;
import org.junit.jupiter.api.Test;

/** Checklist row 62 (decoding half): SAGAW, MGAW and C from CAP/ECAP values. */
class IommuUnitTest {

    @Test
    void shouldDecodeTheCapabilitiesAVtdConfigAdvertises() {
        VtdConfig c = VtdConfig.DEFAULT.withPageWalkCoherent(false).withAddressWidth(48, 0x4);
        IommuUnit u = new IommuUnit(0xFED9_0000L, 0, c.cap(), c.ecap(), true);
        assertEquals(48, u.mgawBits());
        assertEquals(0x4, u.sagaw());
        assertFalse(u.pageWalkCoherent());
        assertTrue(u.passThrough());
        assertTrue(u.queuedInvalidation());
        assertEquals(256, u.domainCount());
    }
}
