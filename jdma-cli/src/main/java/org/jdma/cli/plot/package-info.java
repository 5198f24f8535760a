/**
 * PNG plots of the command line's sweeps (XChart, drawn headless): one helper that every
 * {@code --plot FILE} writes through, so each plot has the same size and file naming.
 */
package org.jdma.cli.plot;
