/**
 * The verification method of Linux's dmatest (drivers/dma/dmatest.c): byte patterns that make any
 * misplaced, missing or extra byte visible, and the six-region check of source and destination.
 */
package org.jdma.cli.dmatest;
