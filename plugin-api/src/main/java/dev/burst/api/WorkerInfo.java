package dev.burst.api;

import java.util.Objects;

/**
 * The identity of the worker running a plugin: its group, its slot, its pid and the plugin generation.
 * Immutable. A final class, not a record, so that fields can be added without breaking compiled plugins.
 */
public final class WorkerInfo {

    private final String group;
    private final int slot;
    private final long pid;
    private final int generation;

    /**
     * The constructor of API 0.1.0, where {@code WorkerInfo} was a record; kept so that plugins compiled
     * against it still link. Use {@link #of(String, int, long, int)}.
     *
     * @param group      the worker group's name
     * @param slot       the worker's slot in its group, from 1
     * @param pid        the worker process id
     * @param generation the plugin generation the worker runs, from 1
     * @deprecated use {@link #of(String, int, long, int)}
     */
    @Deprecated
    public WorkerInfo(String group, int slot, long pid, int generation) {
        this.group = Objects.requireNonNull(group, "group");
        this.slot = slot;
        this.pid = pid;
        this.generation = generation;
    }

    /**
     * burst makes these; a plugin's own tests may too.
     *
     * @param group      the worker group's name
     * @param slot       the worker's slot in its group, from 1
     * @param pid        the worker process id
     * @param generation the plugin generation the worker runs, from 1
     * @return the identity
     */
    @SuppressWarnings("deprecation")
    public static WorkerInfo of(String group, int slot, long pid, int generation) {
        return new WorkerInfo(group, slot, pid, generation);
    }

    /** @return the worker group's name */
    public String group() {
        return group;
    }

    /** @return the worker's slot in its group, from 1 */
    public int slot() {
        return slot;
    }

    /** @return the worker process id */
    public long pid() {
        return pid;
    }

    /** @return the plugin generation the worker runs, from 1 */
    public int generation() {
        return generation;
    }

    /** @return the worker's id as logs and stat show it: {@code group#slot} */
    public String id() {
        return group + "#" + slot;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkerInfo w && w.group.equals(group) && w.slot == slot && w.pid == pid
                && w.generation == generation;
    }

    @Override
    public int hashCode() {
        return Objects.hash(group, slot, pid, generation);
    }

    @Override
    public String toString() {
        return "worker " + id() + " (pid " + pid + ", generation " + generation + ")";
    }
}
