package org.jdma.arch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Each architecture rule fails on a violation: pointed at the fixture ({@code org.jdma.arch.fixture},
 * which breaks each rule once on purpose) it throws, and the message names the offending class and
 * what it depends on. And the real check sees every module's main classes, so that a rule cannot
 * pass because it looked at nothing.
 */
class ArchitectureRulesFailTest {

    private static final String FIXTURE = "org.jdma.arch.fixture";
    private static final JavaClasses FIXTURE_CLASSES = new ClassFileImporter().importPackages(FIXTURE);

    private static String violationOf(ArchRule rule) {
        AssertionError e = assertThrows(AssertionError.class, () -> rule.check(FIXTURE_CLASSES), rule.getDescription());
        return e.getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "expected '" + p + "' in:\n" + message);
        }
    }

    @Test
    void shouldFailWhenThePlatformDependsOnTheMachine() {
        assertMentions(violationOf(ArchitectureRules.platformDependsOnNothingAboveIt(FIXTURE)),
                "fixture.platform.Api", "fixture.machine.Board");
    }

    @Test
    void shouldFailWhenTheKernelDependsOnAMachineClass() {
        String m = violationOf(ArchitectureRules.kernelDependsOnlyOnThePlatformApi(FIXTURE));
        assertMentions(m, "fixture.kernel.Boot", "fixture.machine.Board");
    }

    @Test
    void shouldFailWhenTheMachineDependsOnTheKernel() {
        assertMentions(violationOf(ArchitectureRules.machineNeverDependsOnTheKernel(FIXTURE)),
                "fixture.machine.Board", "fixture.kernel.Boot");
    }

    @Test
    void shouldFailWhenADriverReachesPastItsContext() {
        String m = violationOf(ArchitectureRules.driversDependOnlyOnTheirContextAndTheDmaApi(FIXTURE));
        assertMentions(m, "fixture.kernel.drivers.bad.BadDriver", "fixture.kernel.iommu.Internals", "fixture.kernel.driver.DriverRegistry");
        assertFalse(m.contains("Class <org.jdma.arch.fixture.kernel.drivers.good.GoodDriver>"), "the good driver keeps to its context:\n" + m);
    }

    @Test
    void shouldFailWhenADriverUsesAnotherDriver() {
        assertMentions(violationOf(ArchitectureRules.driversDoNotDependOnEachOther(FIXTURE)),
                "driver bad", "driver good", "BadDriver", "GoodDriver");
    }

    @Test
    void shouldFailOnAPackageCycle() {
        assertMentions(violationOf(ArchitectureRules.noPackageCycles(FIXTURE)), "Cycle detected: kernel -> ", "machine");
        // The fixture's other cycle, on its own (ArchUnit reports one cycle of a rule's classes here).
        JavaClasses cycle = new ClassFileImporter().importPackages(FIXTURE + ".kernel.cycle");
        AssertionError e = assertThrows(AssertionError.class, () -> ArchitectureRules.noPackageCycles(FIXTURE).check(cycle));
        assertMentions(e.getMessage(), "Cycle detected", "kernel.cycle.a", "kernel.cycle.b", "A.next()");
    }

    @Test
    void shouldCheckTheMainClassesOfEveryModuleAndNoTestClass() {
        JavaClasses main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("org.jdma");
        Set<String> names = main.stream().map(c -> c.getName()).collect(Collectors.toSet());
        for (String c : new String[] {"org.jdma.platform.Platform", "org.jdma.spec.crc32.Crc32Registers", "org.jdma.machine.Machine",
                "org.jdma.kernel.Kernel", "org.jdma.kernel.driver.DriverContext", "org.jdma.kernel.drivers.crc32.Crc32Driver",
                "org.jdma.test.DmaTestExtension", "org.jdma.cli.Main", "org.jdma.bench.BenchMain"}) {
            assertTrue(names.contains(c), c + " is among the classes the rules check");
        }
        assertTrue(names.stream().anyMatch(n -> n.startsWith("org.jdma.stress.")), "the stress module's main classes are checked");
        assertTrue(names.stream().noneMatch(n -> n.startsWith(FIXTURE)), "the fixture is test code: not checked as main code");
        assertFalse(names.contains(ArchitectureRulesFailTest.class.getName()), "no test class is checked as main code");
    }
}
