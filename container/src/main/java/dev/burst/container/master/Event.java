package dev.burst.container.master;

/**
 * What the master's loop reacts to. Signal handlers, exit callbacks, the control reader, timers and the
 * operation methods of {@link Master} only enqueue these.
 */
sealed interface Event {

    /** A Unix signal reached the master. */
    record SignalReceived(String name) implements Event {
    }

    /** A child process ended. */
    record ChildExited(Child child, int status) implements Event {
    }

    /** The proxy's worker socket accepts: workers may be spawned. */
    record ProxyUp() implements Event {
    }

    /** The proxy opened its client ports. */
    record ProxyListening(int httpPort, int boxPort) implements Event {
    }

    /** A worker connected and started its plugins. */
    record WorkerReady(long pid, int generation) implements Event {
    }

    /** The proxy asks for a worker's replacement (max-requests, leak, failed swap). */
    record RecycleAsked(long pid, String reason) implements Event {
    }

    /** A worker ran past task-timeout. */
    record WorkerStuck(long pid, String detail) implements Event {
    }

    /** The proxy finished a reload. */
    record ReloadDone(boolean ok, int generation, String report) implements Event {
    }

    /** A backoff delay ended: spawn this role again. */
    record RespawnDue(Role role) implements Event {
    }

    /** A replacement worker did not become ready in time. */
    record ReplacementTimedOut(long pid) implements Event {
    }

    /** burst.stop.timeout passed during a stop. */
    record StopDeadline() implements Event {
    }

    /** reload_workers. */
    record ReloadWorkers() implements Event {
    }

    /** restart_workers. */
    record RestartWorkers() implements Event {
    }

    /** change_group: the group's new worker count. */
    record ChangeGroup(String group, int workers) implements Event {
    }

    /** stop, graceful or fast. */
    record Stop(boolean fast) implements Event {
    }
}
