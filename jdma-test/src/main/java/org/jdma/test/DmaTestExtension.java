package org.jdma.test;

import java.lang.reflect.AnnotatedElement;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.dma.debug.DmaDebug;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.iommu.IommuSubsystem;
import org.jdma.platform.Cpu;
import org.jdma.machine.Machine;
import org.jdma.platform.Platform;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The extension behind {@link DmaTest}: builds a {@link DmaTestEnvironment} before each test,
 * injects its parts as parameters, and after the test detaches the device and fails the test with
 * the checker's reports and unexpected IOMMU faults. The environment is closed after each test
 * whatever happened. Uses only JUnit Jupiter API that 5.10+ and 6 both have.
 */
public final class DmaTestExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(DmaTestExtension.class);
    private static final String KEY = "environment";

    /** What each injectable type is, in the environment. */
    private static final Map<Class<?>, Function<DmaTestEnvironment, Object>> PARTS = Map.ofEntries(
            Map.entry(DmaTestEnvironment.class, e -> e),
            Map.entry(DmaApi.class, DmaTestEnvironment::dma),
            Map.entry(DmaDebug.class, DmaTestEnvironment::debug),
            Map.entry(DmaDevice.class, DmaTestEnvironment::device),
            Map.entry(DeviceDmaApi.class, e -> e.copyEngine().dma()),
            Map.entry(DmaMappingLayer.class, DmaTestEnvironment::layer),
            Map.entry(Machine.class, DmaTestEnvironment::machine),
            Map.entry(Platform.class, DmaTestEnvironment::machine),
            Map.entry(Cpu.class, DmaTestEnvironment::cpu),
            Map.entry(Kernel.class, DmaTestEnvironment::kernel),
            Map.entry(CopyEngineDriver.class, DmaTestEnvironment::copyEngine),
            Map.entry(IommuSubsystem.class, DmaTestEnvironment::iommu),
            Map.entry(DmaTestMachine.class, DmaTestEnvironment::configuration));

    @Override
    public void beforeEach(ExtensionContext context) {
        environment(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        DmaTestEnvironment env = context.getStore(NAMESPACE).remove(KEY, DmaTestEnvironment.class);
        if (env == null) {
            return;
        }
        try (env) {
            env.finish();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return PARTS.containsKey(parameter.getParameter().getType());
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return PARTS.get(parameter.getParameter().getType()).apply(environment(context));
    }

    private static DmaTestEnvironment environment(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            throw new ExtensionConfigurationException("@DmaTest parameters are per test: take them in the test method"
                    + " or a @BeforeEach method, not in a constructor or @BeforeAll");
        }
        return storedEnvironment(context.getStore(NAMESPACE), () -> DmaTestEnvironment.create(config(context)));
    }

    /**
     * The store's environment, made on first use. Only calls that JUnit Jupiter 5.10 and JUnit 6
     * both have: {@code Store.computeIfAbsent} is JUnit 6 only (a NoSuchMethodError under a JUnit 5
     * BOM), and {@code getOrComputeIfAbsent}, its 5.x name, is deprecated in 6; get and put are in both.
     * One test's callbacks run on one thread, so get-then-put cannot race.
     */
    private static DmaTestEnvironment storedEnvironment(ExtensionContext.Store store, Supplier<DmaTestEnvironment> create) {
        DmaTestEnvironment env = store.get(KEY, DmaTestEnvironment.class);
        if (env == null) {
            env = create.get();
            store.put(KEY, env);
        }
        return env;
    }

    /** The method's {@link DmaTest}, else the nearest one on its class or an enclosing class. */
    static DmaTest config(ExtensionContext context) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            AnnotatedElement element = c.getElement().orElse(null);
            if (element != null) {
                var found = AnnotationSupport.findAnnotation(element, DmaTest.class);
                if (found.isPresent()) {
                    return found.get();
                }
            }
        }
        throw new ExtensionConfigurationException("DmaTestExtension needs a @DmaTest annotation on the test or its class");
    }
}
