package org.jdma.arch;

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

    @ArchTest
    static final ArchRule noPackageCycles = ArchitectureRules.noPackageCycles(ROOT);
}
