package dev.burst.container.master;

/** What the master's loop reacts to. Signal handlers, exit callbacks and the control reader only enqueue these. */
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

    /** A backoff delay ended: spawn this role again. */
    record RespawnDue(Role role) implements Event {
    }

    /** burst.stop.timeout passed during a stop. */
    record StopDeadline() implements Event {
    }
}
