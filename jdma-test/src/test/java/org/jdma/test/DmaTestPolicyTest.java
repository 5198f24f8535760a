package org.jdma.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.util.List;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.dma.StreamingMapping;
import org.jdma.kernel.dma.debug.DmaDebugCategory;
import org.jdma.kernel.dma.debug.DmaDebugFailure;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.machine.MachineConfig;
import org.jdma.kernel.mm.DmaBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * The product side of {@link DmaTest}, seen from the outside through JUnit's test kit: per-category
 * allowances and denials, IOMMU faults failing a test unless declared, a test that takes its device
 * down itself, the machine configuration, and driver memory through the device's DMA API.
 */
class DmaTestPolicyTest {

    /** An IOVA nothing maps: the copy engine's reads of it fault under a translating IOMMU. */
    private static final long UNMAPPED = 0x1000_0000L;

    /** Maps a buffer and never checks the mapping: one MAP_ERROR_NOT_CHECKED report. */
    static void mapWithoutCheck(DmaTestEnvironment env) {
        DmaBuffer b = env.allocate(4096);
        long a = env.deviceDma().mapSingle(b.physicalAddress(), 4096, DmaDirection.TO_DEVICE);
        env.deviceDma().unmapSingle(a, 4096, DmaDirection.TO_DEVICE);
    }

    /** A copy from an address the device has no mapping for. */
    static OpResult copyFromUnmapped(DmaTestEnvironment env) {
        return env.copyEngine().executeUnchecked(Descriptor.memmove(UNMAPPED, UNMAPPED + 0x10_0000L, 64));
    }

    /** Sample tests, run only by the test kit. */
    static class Samples {

        @Test
        @DmaTest(allow = @AllowReport(category = DmaDebugCategory.MAP_ERROR_NOT_CHECKED, reason = "sample: the check is left out on purpose"))
        void allowedCategoryOnly(DmaTestEnvironment env) {
            mapWithoutCheck(env);
        }

        @Test
        @DmaTest(allow = @AllowReport(category = DmaDebugCategory.MAP_ERROR_NOT_CHECKED, reason = "sample"))
        void allowedCategoryAndALeak(DmaTestEnvironment env) {
            mapWithoutCheck(env);
            DmaBuffer b = env.allocate(4096);
            long a = env.deviceDma().mapSingle(b.physicalAddress(), 4096, DmaDirection.FROM_DEVICE);
            assertFalse(env.deviceDma().mappingError(a));
        }

        @Test
        @DmaTest(allow = @AllowReport(category = DmaDebugCategory.MAP_ERROR_NOT_CHECKED, reason = " "))
        void allowanceWithoutAReason(DmaTestEnvironment env) {
        }

        @Test
        @DmaTest(failOnReport = false, deny = DmaDebugCategory.FREE_NOT_ALLOCATED)
        void deniedCategory(DmaTestEnvironment env) {
            mapWithoutCheck(env);
            env.deviceDma().unmapSingle(0x7FFF_0000L, 64, DmaDirection.TO_DEVICE);
        }

        @Test
        @DmaTest(failOnReport = false, deny = DmaDebugCategory.FREE_NOT_ALLOCATED)
        void otherThanTheDeniedCategory(DmaTestEnvironment env) {
            mapWithoutCheck(env);
            assertEquals(1, env.debug().count(DmaDebugCategory.MAP_ERROR_NOT_CHECKED));
        }

        @Test
        @DmaTest(deny = DmaDebugCategory.FREE_NOT_ALLOCATED)
        void denyWhileFailingOnEveryReport(DmaTestEnvironment env) {
        }

        @Test
        @DmaTest(iommu = IommuMode.STRICT, allow = @AllowReport(category = DmaDebugCategory.DEVICE_ACCESS_NOT_MAPPED, reason = "sample: the device is sent to an unmapped IOVA on purpose"))
        void unexpectedIommuFault(DmaTestEnvironment env) {
            assertFalse(copyFromUnmapped(env).isSuccess());
        }

        @Test
        @DmaTest(iommu = IommuMode.STRICT, expectedIommuFaults = 1, allow = @AllowReport(category = DmaDebugCategory.DEVICE_ACCESS_NOT_MAPPED, reason = "sample: the device is sent to an unmapped IOVA on purpose"))
        void faultDeclaredInTheAnnotation(DmaTestEnvironment env) {
            assertFalse(copyFromUnmapped(env).isSuccess());
        }

        @Test
        @DmaTest(iommu = IommuMode.LAZY, allow = @AllowReport(category = DmaDebugCategory.DEVICE_ACCESS_NOT_MAPPED, reason = "sample: the device is sent to an unmapped IOVA on purpose"))
        void faultDeclaredAtRunTime(DmaTestEnvironment env) {
            env.expectIommuFaults(1);
            assertFalse(copyFromUnmapped(env).isSuccess());
            IommuFault f = env.iommuFaults().getFirst();
            assertEquals(UNMAPPED, f.iovaPage());
            assertTrue(f.read());
        }

        @Test
        @DmaTest(iommu = IommuMode.STRICT, expectedIommuFaults = 2, allow = @AllowReport(category = DmaDebugCategory.DEVICE_ACCESS_NOT_MAPPED, reason = "sample: the device is sent to an unmapped IOVA on purpose"))
        void fewerFaultsThanDeclared(DmaTestEnvironment env) {
            assertFalse(copyFromUnmapped(env).isSuccess());
        }

        @Test
        @DmaTest(coherent = false)
        void detachesItsDevice(DmaTestEnvironment env) {
            assertTrue(env.copyEngine().copy(env.allocate(4096), env.allocate(4096), 4096).isSuccess());
            env.detachDevice();
            assertFalse(env.layer().isAttached(env.device()));
            env.detachDevice();
        }

        @Test
        @DmaTest
        void unbindsItsDriverThroughTheKernel(DmaTestEnvironment env) {
            env.kernel().drivers().unbind(env.copyEngine().name());
        }

        @Test
        @DmaTest
        void detachesItsDeviceLeavingAMapping(DmaTestEnvironment env) {
            DmaBuffer b = env.allocate(4096);
            long a = env.deviceDma().mapSingle(b.physicalAddress(), 4096, DmaDirection.FROM_DEVICE);
            assertFalse(env.deviceDma().mappingError(a));
            env.detachDevice();
        }

        @Test
        @DmaTest
        void detachesBehindItsDriversBack(DmaTestEnvironment env) {
            env.dma().detach(env.device());
        }
    }

    private static EngineExecutionResults run(String method) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(Samples.class, method, DmaTestEnvironment.class.getName()))
                .execute();
    }

    private static void assertPasses(String method) {
        EngineExecutionResults r = run(method);
        r.testEvents().assertStatistics(s -> s.started(1).succeeded(1).failed(0));
    }

    private static Throwable failureOf(String method) {
        EngineExecutionResults results = run(method);
        List<Event> failed = results.testEvents().failed().list();
        assertEquals(1, failed.size(), () -> "expected one failed test, got " + results.testEvents().list());
        return failed.getFirst().getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
    }

    @Test
    void shouldPassATestWhoseOnlyReportIsOfAnAllowedCategory() {
        assertPasses("allowedCategoryOnly");
    }

    @Test
    void shouldStillFailOnCategoriesThatAreNotAllowed() {
        DmaDebugFailure f = assertInstanceOf(DmaDebugFailure.class, failureOf("allowedCategoryAndALeak"));
        assertEquals(List.of(DmaDebugCategory.LEAK_ON_DETACH), f.reports().stream().map(r -> r.category()).toList(), f::getMessage);
        assertTrue(f.getMessage().startsWith("1 DMA-API report"), f.getMessage());
    }

    @Test
    void shouldRefuseAnAllowanceWithoutAReason() {
        Throwable t = assertInstanceOf(ExtensionConfigurationException.class, failureOf("allowanceWithoutAReason"));
        assertTrue(t.getMessage().contains("MAP_ERROR_NOT_CHECKED") && t.getMessage().contains("reason is blank"), t.getMessage());
    }

    @Test
    void shouldFailOnADeniedCategoryWhenTheTestInspectsTheRest() {
        DmaDebugFailure f = assertInstanceOf(DmaDebugFailure.class, failureOf("deniedCategory"));
        assertEquals(List.of(DmaDebugCategory.FREE_NOT_ALLOCATED), f.reports().stream().map(r -> r.category()).toList(), f::getMessage);
    }

    @Test
    void shouldNotFailOnOtherCategoriesThanTheDeniedOnes() {
        assertPasses("otherThanTheDeniedCategory");
    }

    @Test
    void shouldRefuseDenyWhenEveryReportFailsAlready() {
        Throwable t = assertInstanceOf(ExtensionConfigurationException.class, failureOf("denyWhileFailingOnEveryReport"));
        assertTrue(t.getMessage().contains("failOnReport = false"), t.getMessage());
    }

    @Test
    void shouldFailOnAnUnexpectedIommuFaultListingDeviceAddressAndReason() {
        IommuFaultFailure f = assertInstanceOf(IommuFaultFailure.class, failureOf("unexpectedIommuFault"));
        assertEquals(1, f.faults().size());
        String m = f.getMessage();
        assertTrue(m.startsWith("1 IOMMU fault, expected 0"), m);
        assertTrue(m.contains("device 0000:00:04.0 read at 0x10000000"), m);
        assertTrue(m.contains("READ_NOT_PERMITTED") || m.contains("NOT_PRESENT"), m);
    }

    @Test
    void shouldPassWhenTheFaultWasDeclaredInTheAnnotation() {
        assertPasses("faultDeclaredInTheAnnotation");
    }

    @Test
    void shouldPassWhenTheFaultWasDeclaredAtRunTime() {
        assertPasses("faultDeclaredAtRunTime");
    }

    @Test
    void shouldFailWhenFewerFaultsHappenedThanDeclared() {
        IommuFaultFailure f = assertInstanceOf(IommuFaultFailure.class, failureOf("fewerFaultsThanDeclared"));
        assertTrue(f.getMessage().startsWith("1 IOMMU fault, expected 2"), f.getMessage());
    }

    @Test
    void shouldLetATestDetachItsOwnDevice() {
        assertPasses("detachesItsDevice");
    }

    @Test
    void shouldLetATestUnbindTheDriverThroughTheKernel() {
        assertPasses("unbindsItsDriverThroughTheKernel");
    }

    @Test
    void shouldReportALeakWhenTheTestDetachesItsDeviceWithAMappingLive() {
        DmaDebugFailure f = assertInstanceOf(DmaDebugFailure.class, failureOf("detachesItsDeviceLeavingAMapping"));
        assertEquals(DmaDebugCategory.LEAK_ON_DETACH, f.reports().getFirst().category(), f::getMessage);
    }

    @Test
    void shouldExplainADetachBehindTheBoundDriversBack() {
        Throwable t = assertInstanceOf(IllegalStateException.class, failureOf("detachesBehindItsDriversBack"));
        assertTrue(t.getMessage().contains("DmaTestEnvironment.detachDevice()"), t.getMessage());
    }

    @Test
    @DmaTest(coherent = false, iommu = IommuMode.STRICT, lineSize = 128, maskBits = 40, ramMiB = 64, seed = 9, cpus = 2)
    void shouldDescribeTheMachineItRunsOn(DmaTestMachine machine, DmaTestEnvironment env) {
        assertEquals(new DmaTestMachine(false, IommuMode.STRICT, 128, 2, DmaMask.bits(40), DmaMask.bits(40), 128L << 20, 9), machine);
        assertEquals(machine, env.configuration());
        assertEquals(2, env.machine().cpus().size(), "the machine really has the CPUs asked for");
        assertEquals("non-coherent, IOMMU STRICT, 128-byte lines, 2 CPUs, mask 40 bits (coherent 40), RAM 128 MiB, seed 9",
                machine.toString());
    }

    @Test
    @DmaTest
    void shouldRunOnTheMachinesDefaultCpus(DmaTestMachine machine, DmaTestEnvironment env) {
        assertEquals(MachineConfig.DEFAULT_CPUS, machine.cpus());
        assertEquals(MachineConfig.DEFAULT_CPUS, env.machine().cpus().size());
    }

    @Test
    @DmaTest(cpus = 1)
    void shouldRunOnOneCpuWhenAskedTo(DmaTestMachine machine, DmaTestEnvironment env) {
        assertEquals(1, env.machine().cpus().size());
        assertEquals("coherent, IOMMU OFF, 64-byte lines, 1 CPU, mask 32 bits (coherent 32), RAM 512 MiB, seed 1", machine.toString());
    }

    @Test
    @DmaTest(coherent = false)
    void shouldGiveDriverMemoryThroughTheDevicesDmaApi(DmaTestEnvironment env, DeviceDmaApi dma) {
        byte[] data = new byte[4096];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 13 + 1);
        }
        DmaBuffer src = env.allocate(data.length);
        DmaBuffer dst = env.allocate(data.length);
        src.write(0, data);
        try (StreamingMapping s = dma.mapStreaming(src, data.length, DmaDirection.TO_DEVICE);
             StreamingMapping d = dma.mapStreaming(dst, data.length, DmaDirection.FROM_DEVICE)) {
            assertTrue(env.copyEngine().execute(Descriptor.memmove(s.dmaAddress(), d.dmaAddress(), data.length)).isSuccess());
        }
        assertArrayEquals(data, dst.toByteArray(), "what the engine copied, seen by the CPU after the unmap");
        try (var ring = env.allocCoherent(256)) {
            assertTrue(DmaMask.BITS_32.covers(ring.dmaAddress(), ring.size()), ring::toString);
        }
        assertThrows(IllegalArgumentException.class, () -> env.allocate(0));
    }
}
