/** The jdma command line tool. */
module org.jdma.cli {
    requires org.jdma.kernel;
    requires org.jdma.machine;
    requires info.picocli;
    requires com.fasterxml.jackson.core;
    requires me.tongfei.progressbar;
    requires HdrHistogram;
    opens org.jdma.cli to info.picocli;
}
