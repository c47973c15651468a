package dev.burst.container.protocol;

import java.util.List;

/** The frames between proxy and workers and between master and proxy; layouts in {@link dev.burst.container.protocol}. */
public sealed interface WireMessage {

    /** A worker introduces itself. */
    record Hello(String group, int slot, long pid) implements WireMessage {
    }

    /** The proxy tells a worker which plugin generation to load. */
    record Load(int generation, List<PluginFiles> plugins) implements WireMessage {
    }

    /**
     * One plugin of a generation.
     *
     * @param name  plugin name
     * @param files the cached jar files that make it up (the plugin jar and its libraries)
     */
    record PluginFiles(String name, List<String> files) {
    }

    /** A worker started a generation and serves these cmds. */
    record Ready(int generation, List<CmdInfo> cmds) implements WireMessage {
    }

    /**
     * A cmd a worker serves.
     *
     * @param id         cmd id
     * @param name       name, "" when none
     * @param idempotent may be retried on another worker
     */
    record CmdInfo(int id, String name, boolean idempotent) {
    }

    /** A worker could not start a generation. */
    record LoadFailed(int generation, String reason) implements WireMessage {
    }

    /** A request for a worker to run. */
    record Task(long taskId, int cmd, int sn, String client, byte[] body) implements WireMessage {
    }

    /** A worker's answer to a task. */
    record Result(long taskId, Status status, int ret, byte[] body) implements WireMessage {
    }

    /** How a task ended in the worker. */
    enum Status {
        /** the handler replied */
        REPLY,
        /** the handler returned without replying */
        NO_REPLY,
        /** no handler for the cmd */
        UNKNOWN_CMD,
        /** the handler threw before replying */
        HANDLER_ERROR
    }

    /** A retired generation's class loaders are still reachable after the leak check. */
    record Leaked(int generation, String detail) implements WireMessage {
    }

    /** Finish the current task, then exit. */
    record Stop() implements WireMessage {
    }

    /** The proxy's worker socket accepts connections. */
    record ProxyUp() implements WireMessage {
    }

    /** The proxy's client listeners are open. */
    record Listening(int httpPort, int boxPort) implements WireMessage {
    }

    /** A worker is connected and runs its plugins: a replacement may take over from the one it replaces. */
    record WorkerReady(String group, int slot, long pid, int generation) implements WireMessage {
    }

    /** The proxy asks the master to replace a worker, spawn-first (max-requests reached, leaked generation). */
    record Recycle(long pid, String reason) implements WireMessage {
    }

    /** A worker ran past its task-timeout: the master dumps its threads into the log and kills it. */
    record Stuck(long pid, String detail) implements WireMessage {
    }

    /** The master asks the proxy to reload the plugins (reload_workers). */
    record Reload() implements WireMessage {
    }

    /**
     * How a reload ended.
     *
     * @param ok         whether every worker now runs the new generation
     * @param generation the generation now serving
     * @param report     what happened, for logs and the admin API
     */
    record Reloaded(boolean ok, int generation, String report) implements WireMessage {
    }

    /** The master asks the proxy to drain a worker: no new task, STOP after the current one. */
    record Retire(long pid) implements WireMessage {
    }

    /**
     * The admin API asks the master for a process-level operation.
     *
     * @param operation restart_workers, change_group or stop
     * @param group     the group (change_group), else ""
     * @param workers   the new size (change_group), else 0
     */
    record AdminCommand(String operation, String group, int workers) implements WireMessage {
    }

    /** The master asks the proxy to shut down. */
    record Shutdown(boolean fast) implements WireMessage {
    }
}
