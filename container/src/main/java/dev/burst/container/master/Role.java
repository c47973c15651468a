package dev.burst.container.master;

/**
 * What a child process is.
 *
 * @param name  proxy or worker
 * @param group the worker's group ("" for the proxy)
 * @param slot  the worker's slot, from 1 (0 for the proxy)
 */
public record Role(String name, String group, int slot) {

    /** The proxy's role. */
    public static final Role PROXY = new Role("proxy", "", 0);

    /**
     * @param group the group
     * @param slot  the slot, from 1
     * @return a worker's role
     */
    public static Role worker(String group, int slot) {
        return new Role("worker", group, slot);
    }

    /** @return whether this is a worker */
    public boolean isWorker() {
        return name.equals("worker");
    }

    @Override
    public String toString() {
        return isWorker() ? "worker " + group + "#" + slot : name;
    }
}
