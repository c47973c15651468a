package dev.burst.container.master;

import java.time.Instant;

/** A running child process as the master sees it; implemented over {@link Process}, or by fakes in tests. */
public interface Child {

    /** @return what it is */
    Role role();

    /** @return its process id */
    long pid();

    /** @return when it was spawned */
    Instant started();

    /** Asks it to stop (SIGTERM). */
    void terminate();

    /** Stops it now (SIGKILL). */
    void kill();
}
