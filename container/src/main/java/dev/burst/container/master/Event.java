package dev.burst.container.master;

import dev.burst.container.protocol.WireMessage.Detail;
import java.util.List;

/**
 * What the master's loop reacts to. Signal handlers, exit callbacks, the control socket's reader and the
 * timers only enqueue these; the loop applies each one (it changes facts or targets) and then reconciles.
 */
sealed interface Event {

    /** A Unix signal reached the master. */
    record SignalReceived(String name) implements Event {
    }

    /** A child process ended. */
    record ChildExited(Child child, int status) implements Event {
    }

    /** The proxy with this pid proved its secret on the control socket: it is the master's link now. */
    record ProxyConnected(long pid) implements Event {
    }

    /** The proxy with this pid says its worker socket accepts: workers may be spawned. */
    record ProxyUp(long pid) implements Event {
    }

    /** The proxy opened its client ports. */
    record ProxyListening(int httpPort, int boxPort) implements Event {
    }

    /** A worker connected and started its plugins. */
    record WorkerReady(long pid, int generation) implements Event {
    }

    /** A booting worker could not start its plugins (the proxy relays its LOAD_FAILED). */
    record BootFailed(String group, int slot, long pid, int generation, String reason) implements Event {
    }

    /** The proxy asks for a worker's replacement (max-requests, leak, failed swap). */
    record RecycleAsked(long pid, String reason) implements Event {
    }

    /** A worker ran past task-timeout. */
    record WorkerStuck(long pid, String detail) implements Event {
    }

    /**
     * The proxy finished a reload.
     *
     * @param operation the master's operation id from RELOAD; 0 when the proxy ran it on its own
     */
    record ReloadDone(long operation, boolean ok, int tried, int serving, String summary, List<Detail> details)
            implements Event {
    }

    /**
     * The admin API asks for an operation.
     *
     * @param request   the proxy's id of the call, echoed in the operation's records
     * @param operation reload_workers, restart_workers, change_group or stop
     * @param group     change_group's group
     * @param workers   change_group's size
     */
    record AdminCommand(long request, String operation, String group, int workers) implements Event {
    }

    /** A slot's backoff ended; {@code ticket} tells this backoff from an earlier one of the same slot. */
    record BackoffOver(Role role, long ticket) implements Event {
    }

    /** A replacement worker did not become ready within burst.start.timeout. */
    record ReplacementTimedOut(long pid) implements Event {
    }

    /** burst.stop.timeout passed during a stop. */
    record StopDeadline() implements Event {
    }

    /** Periodic: check what can go wrong without an event (the control socket file removed). */
    record Housekeeping() implements Event {
    }
}
