package org.jdma.kernel.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How a randomized test gets its seed, and how a failure names it. */
class SeedsTest {

    @RegisterExtension
    static final Seeds SEEDS = new Seeds();

    @Test
    void shouldUseTheAnnotatedSeedUnlessThePropertyNamesOne() {
        assertEquals(42, Seeds.choose(42, null));
        assertEquals(42, Seeds.choose(42, " "));
        assertEquals(7, Seeds.choose(42, "7"));
        assertEquals(-7, Seeds.choose(42, "-7"));
        assertEquals(0x5EED_0001L, Seeds.choose(42, "0x5eed0001"));
        assertEquals(-1L, Seeds.choose(42, "0xFFFFFFFFFFFFFFFF"), "describe prints a negative seed as 64-bit hex");
    }

    @Test
    void shouldDrawFreshSeedsWhenAskedForRandomOnes() {
        long a = Seeds.choose(42, "random");
        long b = Seeds.choose(42, "RANDOM");
        assertNotEquals(a, b, "two fresh 64-bit seeds (equal with chance 2^-64)");
    }

    @Test
    void shouldRejectAPropertyThatIsNoSeedNamingIt() {
        var e = assertThrows(ParameterResolutionException.class, () -> Seeds.choose(42, "0xZZ"));
        assertTrue(e.getMessage().contains("-Djdma.seed=0xZZ"), e.getMessage());
    }

    @Test
    void shouldNameTheSeedAndHowToReplayIt() {
        assertEquals("seed 0x5eed0001; replay with -Djdma.seed=0x5eed0001", Seeds.describe(0x5EED_0001L));
        assertEquals(-1L, Seeds.choose(0, Seeds.describe(-1L).replaceAll(".*=", "")), "the printed seed parses back");
    }

    @Test
    void shouldPassTheSeedToTheTest(@Seed(0x5EED_0002L) long seed) {
        if (System.getProperty(Seeds.PROPERTY) == null) {
            assertEquals(0x5EED_0002L, seed);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void shouldPassTheSeedAfterTheArgumentsOfAParameterizedTest(int argument, @Seed(0x5EED_0003L) long seed) {
        assertTrue(argument == 1 || argument == 2);
        if (System.getProperty(Seeds.PROPERTY) == null) {
            assertEquals(0x5EED_0003L, seed);
        }
    }
}
