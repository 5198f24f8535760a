package org.jdma.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.NoSuchElementException;
import org.jdma.kernel.driver.Driver;
import org.jdma.kernel.drivers.crc32.Crc32Driver;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.Test;

/** The kernel's driver registrations: built in, replaced, added, removed; and its generic lookups. */
class KernelDriversTest {

    private static List<String> names(Kernel.Options o) {
        return o.drivers().stream().map(Driver::name).toList();
    }

    @Test
    void shouldRegisterTheCopyEngineDriverByDefault() {
        assertEquals(List.of("memcpy"), names(Kernel.Options.DEFAULTS));
        try (Machine m = new Machine(TestMachines.small(1)); Kernel k = Kernel.boot(m)) {
            assertSame(k.driver(CopyEngineDriver.class), k.copyEngine());
            assertEquals(List.of("memcpy0"), k.drivers().devices().stream().map(d -> d.name()).toList());
        }
    }

    @Test
    void shouldReplaceARegistrationOfTheSameNameInPlaceAndAppendOthers() {
        CopyEngineDriver.Options polled = CopyEngineDriver.Options.DEFAULTS.withMode(CopyEngineDriver.CompletionMode.POLLED);
        Kernel.Options o = Kernel.Options.DEFAULTS.withDriver(Crc32Driver.driver()).withDriver(CopyEngineDriver.driver(polled));
        assertEquals(List.of("memcpy", "crc"), names(o));
        try (Machine m = new Machine(TestMachines.small(1)); Kernel k = Kernel.boot(m, o)) {
            assertEquals(CopyEngineDriver.CompletionMode.POLLED, k.copyEngine().options().mode(), "the options travelled with the registration");
        }
        assertEquals(List.of("crc"), names(o.withoutDriver("memcpy")));
        assertEquals(List.of("memcpy", "crc"), names(o.withoutDriver("none")));
    }

    @Test
    void shouldSayWhatIsRegisteredWhenALookupFindsNoDriver() {
        try (Machine m = new Machine(TestMachines.small(1)); Kernel k = Kernel.boot(m, Kernel.Options.DEFAULTS.withoutDriver("memcpy"))) {
            var e = assertThrows(NoSuchElementException.class, k::copyEngine);
            assertTrue(e.getMessage().contains("no device is bound to a CopyEngineDriver (registered: none)"), e.getMessage());
            assertEquals(List.of(), k.drivers().devices());
        }
    }
}
