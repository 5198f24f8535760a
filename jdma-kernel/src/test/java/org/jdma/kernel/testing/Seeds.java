package org.jdma.kernel.testing;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * Resolves {@link Seed} parameters and puts the seed into every failure of the test, so a failing
 * random run can be replayed: the message starts with
 * {@code [seed 0x…; replay with -Djdma.seed=0x…]}, the original failure is its cause (and an
 * {@link AssertionFailedError} keeps its expected and actual values).
 *
 * <p>The system property {@value #PROPERTY} overrides every {@link Seed}'s default: a number
 * (decimal, or hexadecimal with {@code 0x}) replays that seed, {@code random} draws a fresh seed
 * for each test (a soak run; the failure names the seed).
 *
 * <p>A test class registers it as a field, not with {@code @ExtendWith}:
 * {@code @RegisterExtension static final Seeds SEEDS = new Seeds();}. The tests run inside the
 * kernel's module, which opens only the packages that hold the selected test classes, so JUnit
 * could not instantiate an extension of this package by reflection.
 */
public final class Seeds implements ParameterResolver, TestExecutionExceptionHandler {

    /** The system property that replays a seed ({@code -Djdma.seed=0x1234}) or asks for fresh ones ({@code random}). */
    public static final String PROPERTY = "jdma.seed";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Seeds.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.isAnnotated(Seed.class) && parameter.getParameter().getType() == long.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Seed annotation = parameter.findAnnotation(Seed.class)
                .orElseThrow(() -> new ParameterResolutionException("no @Seed on " + parameter.getParameter()));
        long seed = choose(annotation.value(), System.getProperty(PROPERTY));
        context.getStore(NAMESPACE).put(context.getUniqueId(), seed);
        return seed;
    }

    /** {@code fallback} unless {@code property} names a seed or asks for a random one. */
    static long choose(long fallback, String property) {
        if (property == null || property.isBlank()) {
            return fallback;
        }
        String p = property.strip().toLowerCase(Locale.ROOT);
        if (p.equals("random")) {
            return new SplittableRandom().nextLong();
        }
        try {
            return p.startsWith("0x") ? Long.parseUnsignedLong(p.substring(2), 16) : Long.parseLong(p);
        } catch (NumberFormatException e) {
            throw new ParameterResolutionException("-D" + PROPERTY + "=" + property
                    + ": not a seed (a decimal number, 0x followed by hex digits, or random)", e);
        }
    }

    /** How a failure names its seed. */
    public static String describe(long seed) {
        return String.format("seed %#x; replay with -D%s=%#x", seed, PROPERTY, seed);
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        Long seed = context.getStore(NAMESPACE).get(context.getUniqueId(), Long.class);
        if (seed == null || failure instanceof TestAbortedException) {
            throw failure;
        }
        // An assertion's own message says what failed; any other exception is named by its type too.
        String message = "[" + describe(seed) + "] " + (failure instanceof AssertionError ? failure.getMessage() : failure);
        AssertionError named = failure instanceof AssertionFailedError f && f.isExpectedDefined() && f.isActualDefined()
                ? new AssertionFailedError(message, f.getExpected().getValue(), f.getActual().getValue(), failure)
                : new AssertionFailedError(message, failure);
        named.setStackTrace(failure.getStackTrace());
        throw named;
    }
}
