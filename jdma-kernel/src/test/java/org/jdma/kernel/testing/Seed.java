package org.jdma.kernel.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The seed of a randomized test, as a parameter: {@code void shouldX(@Seed(0x5EED_0001L) long seed)},
 * resolved by the {@link Seeds} extension the test class registers. The test runs with
 * {@code value} unless {@code -Djdma.seed=N} replays another seed, or {@code -Djdma.seed=random}
 * draws a fresh one; every failure of the test names the seed it ran with and how to replay it.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
public @interface Seed {

    /** The seed the test runs with by default, so that a plain build is the same run every time. */
    long value();
}
