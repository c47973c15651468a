package dev.burst.container.master;

import java.time.Instant;

/** A child process that is not one: it records what the master asked of it. */
final class FakeChild implements Child {

    private final Role role;
    private final long pid;
    private final Instant started;
    private volatile boolean terminated;
    private volatile boolean killed;

    FakeChild(Role role, long pid, Instant started) {
        this.role = role;
        this.pid = pid;
        this.started = started;
    }

    @Override
    public Role role() {
        return role;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public Instant started() {
        return started;
    }

    @Override
    public void terminate() {
        terminated = true;
    }

    @Override
    public void kill() {
        killed = true;
    }

    /** @return whether the master asked it to stop (SIGTERM) */
    boolean terminated() {
        return terminated;
    }

    /** @return whether the master stopped it now (SIGKILL); may be set from another thread */
    boolean killed() {
        return killed;
    }

    /** @return whether the master has left it alone */
    boolean untouched() {
        return !terminated && !killed;
    }

    @Override
    public String toString() {
        return role + " pid " + pid;
    }
}
