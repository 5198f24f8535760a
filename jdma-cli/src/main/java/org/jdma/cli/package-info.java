/**
 * The {@code jdma} command: picocli commands that assemble a machine, boot the kernel side on it,
 * run a scenario and report on it.
 */
package org.jdma.cli;
