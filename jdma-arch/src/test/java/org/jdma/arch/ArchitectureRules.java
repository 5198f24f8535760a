package org.jdma.arch;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceRule;

/**
 * The architecture rules of {@code docs/DESIGN.md}, written once and pointed at a package root:
 * {@code org.jdma} for the real code ({@link ArchitectureTest}), a fixture root for the proof that
 * each rule fails on a violation ({@link ArchitectureRulesFailTest}). Under a root {@code r} the
 * layout is the project's: {@code r.platform} (the OS view), {@code r.spec} (datasheets),
 * {@code r.machine}, {@code r.kernel}, with the driver model in {@code r.kernel.driver} and one
 * package per driver under {@code r.kernel.drivers}.
 */
final class ArchitectureRules {

    private ArchitectureRules() { }

    /** What the DMA API is, for a driver: the API package and its pools (not the checker, not swiotlb). */
    private static String[] dmaApi(String root) {
        return new String[] {root + ".kernel.dma", root + ".kernel.dma.pool"};
    }

    /**
     * The platform API and the datasheets stand on their own: they depend on nothing of the
     * machine, the kernel or the tools above them.
     */
    static ArchRule platformDependsOnNothingAboveIt(String root) {
        return classes().that().resideInAnyPackage(root + ".platform..", root + ".spec..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(root + ".platform..", root + ".spec..", "java..")
                .because("the OS view of the machine is the bottom layer: kernel -> platform <- machine");
    }

    /**
     * The kernel compiles against the platform API and the datasheets only (and the JDK: its
     * {@code java.*} API and the Flight Recorder's {@code jdk.jfr}, for the kernel's own events).
     */
    static ArchRule kernelDependsOnlyOnThePlatformApi(String root) {
        return classes().that().resideInAPackage(root + ".kernel..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(root + ".kernel..", root + ".platform..", root + ".spec..", "java..",
                        "jdk.jfr..")
                .because("the kernel sees what an OS sees, never a machine object");
    }

    /** The machine knows nothing of any OS. */
    static ArchRule machineNeverDependsOnTheKernel(String root) {
        return noClasses().that().resideInAPackage(root + ".machine..")
                .should().dependOnClassesThat().resideInAPackage(root + ".kernel..")
                .because("the hardware knows nothing of the OS that runs on it");
    }

    /**
     * A driver depends only on its context (the driver model), the DMA API, the ring protocol, the
     * DMA channel allocator's driver interface (as a Linux DMA-engine driver includes
     * {@code <linux/dmaengine.h>}), the net-device API and its page pool (as a network driver
     * includes {@code <linux/netdevice.h>} and {@code <net/page_pool.h>}), the datasheets, the
     * platform API, the JDK and its own package.
     * Of the driver model, the kernel's side (the registry that binds, what it records of bound
     * devices) is out of reach: through it a driver would find other drivers. {@code mm.DmaBuffer} is allowed because it is the DMA
     * API's vocabulary for a buffer a client hands a driver
     * ({@code DeviceDmaApi.mapStreaming(DmaBuffer, ...)}); the rest of memory management is not.
     */
    static ArchRule driversDependOnlyOnTheirContextAndTheDmaApi(String root) {
        String[] dma = dmaApi(root);
        String model = root + ".kernel.driver";
        DescribedPredicate<JavaClass> driverSideOfTheModel = resideInAPackage(model)
                .and(not(name(model + ".DriverRegistry")))
                .and(not(name(model + ".BoundDevice")))
                .and(not(name(model + ".ProbeFailure")));
        return classes().that().resideInAPackage(root + ".kernel.drivers..")
                .should().onlyDependOnClassesThat(resideInAnyPackage(root + ".kernel.drivers..", dma[0], dma[1], root + ".kernel.ring..",
                        root + ".kernel.dmaengine", root + ".kernel.net", root + ".kernel.isadma", root + ".kernel.block", root + ".spec..", root + ".platform..", "java..")
                        .or(driverSideOfTheModel)
                        .or(name(root + ".kernel.mm.DmaBuffer")))
                .because("a driver sees its DriverContext, the DMA API, the ring protocol, dmaengine and the net-device API; never the machine, "
                        + "PCI enumeration, the IOMMU's internals, the checker or the driver registry");
    }

    /** A driver never sees another driver. */
    static ArchRule driversDoNotDependOnEachOther(String root) {
        return slices().matching(root + ".kernel.drivers.(*)..").namingSlices("driver $1")
                .should().notDependOnEachOther()
                .because("each driver is one package that can be added or removed alone");
    }

    /** No package depends, directly or through others, on itself. */
    static SliceRule noPackageCycles(String root) {
        return slices().matching(root + ".(**)").namingSlices("$1")
                .should().beFreeOfCycles()
                .because("packages are layered; a cycle makes two packages one");
    }
}
