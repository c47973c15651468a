package dev.burst.container.master;

import dev.burst.container.config.BurstConfig;
import dev.burst.container.config.ConfigLoader;
import dev.burst.container.config.MapConfigSource;
import dev.burst.container.process.ExitCode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A master driven event by event, as its loop would drive it, with fakes for the processes, the timers
 * and the control link. Nothing runs by itself: exits, readiness and due timers are handed in by the test.
 */
final class Harness {

    final FakeSpawner spawner = new FakeSpawner();
    final FakeTimers timers = new FakeTimers();
    final FakeLink link = new FakeLink();
    final BurstConfig config;
    final Master master;

    private Harness(Path home, Map<String, String> settings) {
        config = ConfigLoader.from(MapConfigSource.config(settings), home);
        try {
            java.nio.file.Files.createDirectories(config.runDir());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        master = new Master(config, spawner, new LinkedBlockingQueue<>(), timers, link, LogRotation.of(Optional.empty()));
    }

    /**
     * @param home        burst.home (a temporary folder)
     * @param keysValues  settings: key, value, key, value ...
     * @return a master that has not begun
     */
    static Harness of(Path home, String... keysValues) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 0; i < keysValues.length; i += 2) {
            settings.put(keysValues[i], keysValues[i + 1]);
        }
        return new Harness(home, settings);
    }

    /** The master begins: it spawns the proxy. */
    FakeChild begin() {
        master.begin();
        return proxy();
    }

    /** The proxy spawned last proves its secret, then its worker socket is up: workers get spawned. */
    void proxyUp() {
        FakeChild p = proxy();
        link.connected = true;
        handle(new Event.ProxyConnected(p.pid()));
        handle(new Event.ProxyUp(p.pid()));
    }

    /** Begins, brings the proxy up, and has every worker report ready. */
    Harness running() {
        begin();
        proxyUp();
        spawner.workers().forEach(this::ready);
        return this;
    }

    void handle(Event event) {
        master.handle(event);
    }

    void exited(Child child, ExitCode code) {
        exited(child, code.code());
    }

    void exited(Child child, int status) {
        handle(new Event.ChildExited(child, status));
    }

    void ready(Child worker) {
        handle(new Event.WorkerReady(worker.pid(), 1));
    }

    void signal(String name) {
        handle(new Event.SignalReceived(name));
    }

    void admin(long request, String operation, String group, int workers) {
        handle(new Event.AdminCommand(request, operation, group, workers));
    }

    /** Fires every scheduled timer of this type, as if its time had come. */
    void fire(Class<? extends Event> type) {
        timers.take(type).forEach(this::handle);
    }

    FakeChild proxy() {
        return spawner.last(Role.PROXY);
    }

    FakeChild last(Role role) {
        return spawner.last(role);
    }

    long count(Role role) {
        return spawner.count(role);
    }

    List<OperationRecord> operations() {
        return master.operations();
    }

    OperationRecord lastOperation() {
        return master.operations().getLast();
    }
}
