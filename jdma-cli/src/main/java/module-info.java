/** The jdma command line tool. */
module org.jdma.cli {
    requires org.jdma.kernel;
    requires org.jdma.machine;
    requires info.picocli;
    requires com.fasterxml.jackson.core;
    requires me.tongfei.progressbar;
    requires xchart;
    requires java.desktop;
    requires HdrHistogram;
    requires jdk.jfr;
    opens org.jdma.cli to info.picocli;
    opens org.jdma.cli.trace to info.picocli;
    opens org.jdma.cli.nic to info.picocli;
    opens org.jdma.cli.soak to info.picocli;
}
