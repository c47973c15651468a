package dev.burst.container.master;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * Records every spawn without starting a process. Exits are not reported through the callback: tests
 * hand the master {@link Event.ChildExited} themselves, as its loop would.
 */
final class FakeSpawner implements Spawner {

    /** Every child made, in spawn order. */
    final List<FakeChild> spawned = new ArrayList<>();
    /** The environment each child was given, by pid. */
    final Map<Long, Map<String, String>> environments = new java.util.HashMap<>();
    /** Roles whose spawn fails, as when the JVM cannot be started. */
    final Set<Role> failing = new HashSet<>();
    /** Pids whose thread dump was taken; written from the master's dump thread. */
    final List<Long> dumped = new CopyOnWriteArrayList<>();
    /** When children made from now on claim to have started. */
    Instant startedAt = Instant.now();
    private long nextPid = 1000;

    @Override
    public Child spawn(Role role, Map<String, String> environment, BiConsumer<Child, Integer> onExit)
            throws IOException {
        if (failing.contains(role)) {
            throw new IOException("cannot start " + role + " (test)");
        }
        FakeChild c = new FakeChild(role, nextPid++, startedAt);
        spawned.add(c);
        environments.put(c.pid(), Map.copyOf(environment));
        return c;
    }

    @Override
    public String threadDump(Child child) {
        dumped.add(child.pid());
        return "\"main\" #1 (test dump)";
    }

    List<Role> roles() {
        return spawned.stream().map(FakeChild::role).toList();
    }

    long count(Role role) {
        return spawned.stream().filter(c -> c.role().equals(role)).count();
    }

    FakeChild last(Role role) {
        return spawned.stream().filter(c -> c.role().equals(role)).reduce((a, b) -> b).orElseThrow();
    }

    Map<String, String> environment(Child child) {
        return environments.get(child.pid());
    }

    List<FakeChild> workers() {
        return spawned.stream().filter(c -> c.role().isWorker()).toList();
    }
}
