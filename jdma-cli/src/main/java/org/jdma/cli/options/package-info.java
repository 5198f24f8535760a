/** Option values several {@code jdma run} commands share: how an IOMMU mode is named on the command line and in reports. */
package org.jdma.cli.options;
