package org.jdma.arch;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The architecture rules, checked against the main classes of every module (platform, machine,
 * kernel, jdma-test, cli, bench, stress; jdma-fuzz has test sources only). Test classes are left
 * out: tests may reach across layers to build machines and look inside them.
 */
@AnalyzeClasses(packages = "org.jdma", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String ROOT = "org.jdma";

    @ArchTest
    static final ArchRule platformDependsOnNothingAboveIt = ArchitectureRules.platformDependsOnNothingAboveIt(ROOT);

    @ArchTest
    static final ArchRule kernelDependsOnlyOnThePlatformApi = ArchitectureRules.kernelDependsOnlyOnThePlatformApi(ROOT);

    @ArchTest
    static final ArchRule machineNeverDependsOnTheKernel = ArchitectureRules.machineNeverDependsOnTheKernel(ROOT);

    @ArchTest
    static final ArchRule driversDependOnlyOnTheirContextAndTheDmaApi = ArchitectureRules.driversDependOnlyOnTheirContextAndTheDmaApi(ROOT);

    @ArchTest
    static final ArchRule driversDoNotDependOnEachOther = ArchitectureRules.driversDoNotDependOnEachOther(ROOT);

    /**
     * TODO: drop the ignored edge when {@code IommuSubsystem} no longer builds VT-d units and
     * domains itself (a cleanup moves that into {@code iommu.vtd}); until then this class's imports
     * of {@code iommu.vtd} close the one package cycle in main code, {@code iommu -> iommu.vtd ->
     * iommu}, and nothing else is exempt.
     */
    @ArchTest
    static final ArchRule noPackageCycles = ArchitectureRules.noPackageCycles(ROOT)
            .ignoreDependency(name("org.jdma.kernel.iommu.IommuSubsystem"), resideInAPackage("org.jdma.kernel.iommu.vtd"));
}
