package org.jdma.machine;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.jdma.machine.bus.BusMonitor;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.cache.CoherentCache;
import org.jdma.machine.cache.CpuCache;
import org.jdma.machine.dev.Device;
import org.jdma.machine.dev.DeviceContext;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.machine.firmware.MemoryMapEntry;
import org.jdma.machine.irq.InterruptController;
import org.jdma.machine.irq.Interrupts;
import org.jdma.machine.irq.MsiMessageLayout;
import org.jdma.machine.memory.AnonymousMemory;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.memory.RamRegion;
import org.jdma.machine.pci.PciFunction;
import org.jdma.machine.pci.RequesterId;
import org.jdma.machine.time.EventKernel;
import org.jdma.machine.time.TraceRecorder;

/**
 * An assembled machine: RAM, CPU cache, event kernel, interrupt controller and devices, wired as
 * {@link MachineConfig} says. It is the {@link Platform} an OS runs on. Closing it frees its RAM.
 */
public final class Machine implements Platform, AutoCloseable {

    private final MachineConfig config;
    private final Arena arena = Arena.ofShared();
    private final EventKernel kernel;
    private final PhysicalMemory memory = new PhysicalMemory();
    private final CpuCache cache;
    private final Cpu cpu;
    private final InterruptController interrupts;
    private final List<BusMonitor> monitors = new CopyOnWriteArrayList<>();
    private final List<Device> devices = new ArrayList<>();
    private final List<DmaPort> ports = new ArrayList<>();
    private final List<CopyEngine> copyEngines = new ArrayList<>();
    private final Clock clock;

    public Machine(MachineConfig config) {
        this.config = config;
        this.kernel = new EventKernel(config.seed(), new TraceRecorder());
        for (MachineConfig.Ram r : config.ram()) {
            if (MsiMessageLayout.INTERRUPT_RANGE_BASE < r.base() + r.size() && r.base() < MsiMessageLayout.INTERRUPT_RANGE_BASE + MsiMessageLayout.INTERRUPT_RANGE_SIZE) {
                throw new IllegalArgumentException("RAM region " + r.name() + " overlaps the interrupt range 0xfee00000");
            }
            memory.addRam(r.name(), r.base(), AnonymousMemory.map(r.size(), arena));
        }
        this.cache = new CoherentCache(memory, config.cacheLineSize());
        this.cpu = new Cpu(memory, cache, kernel, config.mmioAccessNs());
        this.interrupts = new InterruptController(kernel, config.interruptLatencyNs());
        for (int i = 0; i < config.copyEngines(); i++) {
            String name = "memcpy" + i;
            DeviceContext ctx = plugContext(name, RequesterId.of(0, MachineConfig.FIRST_COPY_ENGINE_DEVICE + i, 0));
            CopyEngine engine = new CopyEngine(config.copyEngine(), ctx);
            copyEngines.add(engine);
            plug(engine, ctx);
        }
        this.clock = new Clock() {
            @Override public long now() { return kernel.now(); }
            @Override public boolean runUntil(BooleanSupplier condition) { return kernel.runUntil(condition); }
            @Override public boolean runUntil(BooleanSupplier condition, long timeoutNs) {
                if (timeoutNs > Long.MAX_VALUE - kernel.now()) {
                    // A timeout past the end of time (Long.MAX_VALUE: "wait forever") is no deadline.
                    return kernel.runUntil(condition);
                }
                return kernel.runUntil(condition, kernel.now() + timeoutNs);
            }
            @Override public void runFor(long deltaNs) { kernel.runFor(deltaNs); }
            @Override public void runUntilIdle() { kernel.runUntilIdle(); }
        };
    }

    public static Machine createDefault() {
        return new Machine(MachineConfig.defaults());
    }

    private DeviceContext plugContext(String name, RequesterId rid) {
        long bar = MachineConfig.MMIO_BASE + devices.size() * MachineConfig.BAR_STRIDE;
        DmaPort port = new DmaPort(name, rid, memory, cache, interrupts, config.busTiming(), kernel::now, monitors);
        ports.add(port);
        return new DeviceContext(name, rid, kernel, port, bar, MachineConfig.BAR_STRIDE);
    }

    private void plug(Device d, DeviceContext ctx) {
        memory.addMmio(d.name(), ctx.barBase(), ctx.barSize(), d.registers());
        devices.add(d);
    }

    public MachineConfig config() { return config; }
    public EventKernel eventKernel() { return kernel; }
    public TraceRecorder trace() { return kernel.trace(); }
    public PhysicalMemory physicalMemory() { return memory; }
    public InterruptController interruptController() { return interrupts; }
    public List<Device> devices() { return List.copyOf(devices); }
    public List<DmaPort> dmaPorts() { return List.copyOf(ports); }
    public List<CopyEngine> copyEngines() { return List.copyOf(copyEngines); }

    public void addBusMonitor(BusMonitor m) { monitors.add(m); }
    public void removeBusMonitor(BusMonitor m) { monitors.remove(m); }

    @Override public Cpu cpu() { return cpu; }
    @Override public Clock clock() { return clock; }
    @Override public Interrupts interrupts() { return interrupts; }

    @Override
    public List<MemoryMapEntry> memoryMap() {
        List<MemoryMapEntry> map = new ArrayList<>();
        for (RamRegion r : memory.ramRegions()) {
            map.add(new MemoryMapEntry(r.base(), r.size(), MemoryMapEntry.Type.RAM));
        }
        for (var w : memory.mmioWindows()) {
            map.add(new MemoryMapEntry(w.base(), w.size(), MemoryMapEntry.Type.RESERVED));
        }
        map.add(new MemoryMapEntry(MsiMessageLayout.INTERRUPT_RANGE_BASE, MsiMessageLayout.INTERRUPT_RANGE_SIZE, MemoryMapEntry.Type.RESERVED));
        map.sort((a, b) -> Long.compareUnsigned(a.base(), b.base()));
        return List.copyOf(map);
    }

    @Override
    public List<PciFunction> pciFunctions() {
        return devices.stream().map(Device::pciFunction).toList();
    }

    /** Stops device threads (they must not touch RAM once it is unmapped), then frees RAM. */
    @Override
    public void close() {
        for (CopyEngine e : copyEngines) {
            e.stopThread();
        }
        arena.close();
    }
}
