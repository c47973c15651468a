package dev.burst.api;

/**
 * The identity of the worker running a plugin.
 *
 * @param group      the worker group's name
 * @param slot       the worker's slot in its group, from 1
 * @param pid        the worker process id
 * @param generation the plugin generation the worker runs, from 1
 */
public record WorkerInfo(String group, int slot, long pid, int generation) {

    /** @return the worker's id as logs and stat show it: {@code group#slot} */
    public String id() {
        return group + "#" + slot;
    }
}
