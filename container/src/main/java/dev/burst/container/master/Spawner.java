package dev.burst.container.master;

import java.io.IOException;
import java.util.Map;
import java.util.function.BiConsumer;

/** Starts child processes; the master's only way to make one, so its logic can be tested with fakes. */
public interface Spawner {

    /**
     * Starts a child.
     *
     * @param role        what to start
     * @param environment variables to set in the child's environment (its per-spawn secret, ...): never on
     *                    its command line, which every local user can read
     * @param onExit      called once, on any thread, with the child and its exit status when it ends
     * @return the running child
     * @throws IOException when the process cannot be started
     */
    Child spawn(Role role, Map<String, String> environment, BiConsumer<Child, Integer> onExit) throws IOException;

    /**
     * Captures a child's thread dump. Blocking; the master calls it off its loop thread.
     *
     * @param child a live child
     * @return the dump's text, or why there is none
     */
    String threadDump(Child child);
}
