package org.jdma.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The progress bar of a run that can take more than a couple of seconds: on a terminal only
 * (never in tests, pipes or redirected output) and never when the caller does not want one
 * ({@code --json}, {@code --quiet}), as {@code jdma run nic} first did.
 */
final class Progress {

    private Progress() { }

    /** A bar of {@code max} steps, or null when none should be shown (callers step it only when non-null). */
    static ProgressBar bar(String task, long max, boolean wanted) {
        if (!wanted || System.console() == null || !System.console().isTerminal()) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250).build();
    }
}
