package org.jdma.test;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.jdma.kernel.dma.debug.DmaDebugCategory;

/**
 * One checker category a {@link DmaTest} tolerates, and why: reports of that category do not
 * fail the test (the others still do). The reason is required and must say why the report is
 * expected, so a reader of the test knows it was not silenced by accident.
 *
 * <pre>{@code
 * @DmaTest(coherent = false, allow = @AllowReport(category = DmaDebugCategory.PARTIAL_CACHE_LINE,
 *         reason = "the legacy descriptor layout packs two descriptors per line; tracked as issue 42"))
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface AllowReport {

    /** The category whose reports are tolerated. */
    DmaDebugCategory category();

    /** Why the report is expected (not blank). */
    String reason();
}
