/**
 * Trace export: the machine's {@code TraceRecorder} records, plus the ring slices the CLI's
 * workloads record, written as Chrome trace-event JSON, which Perfetto and chrome://tracing open.
 */
package org.jdma.cli.trace;
