package org.jdma.machine.bus;

import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdma.platform.DeviceAccessObserver;
import org.jdma.spec.pci.RequesterId;

/**
 * The machine's device-access observers ({@link DeviceAccessObserver}), shared by all its DMA
 * ports. A port asks {@link #active()} before each request: with no observer that is the only cost
 * on the data path (one read of a copy-on-write array).
 */
public final class AccessObservers {

    private final CopyOnWriteArrayList<DeviceAccessObserver> observers = new CopyOnWriteArrayList<>();

    public void add(DeviceAccessObserver o) {
        observers.add(Objects.requireNonNull(o, "observer"));
    }

    public void remove(DeviceAccessObserver o) {
        observers.remove(o);
    }

    /** Whether any observer is registered. */
    boolean active() {
        return !observers.isEmpty();
    }

    /** Tells every observer that {@code requester} is about to access [bus, bus + length). */
    void before(RequesterId requester, long bus, long length, boolean write) {
        for (DeviceAccessObserver o : observers) {
            o.deviceAccess(requester, bus, length, write);
        }
    }
}
