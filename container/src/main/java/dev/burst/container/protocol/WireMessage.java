package dev.burst.container.protocol;

import java.util.List;

/** The frames between proxy and workers and between master and proxy; layouts in {@link dev.burst.container.protocol}. */
public sealed interface WireMessage {

    /**
     * A worker introduces itself.
     *
     * @param group  its group
     * @param slot   its slot in the group
     * @param pid    its process id
     * @param secret the per-spawn secret the master gave it (environment, not the command line); the proxy
     *               accepts only a worker whose secret the master made for this group and slot
     */
    record Hello(String group, int slot, long pid, String secret) implements WireMessage {
        @Override
        public String toString() {
            return "Hello[group=" + group + ", slot=" + slot + ", pid=" + pid + "]";
        }
    }

    /**
     * The proxy introduces itself to the master: the first frame on the control socket.
     *
     * @param pid    its process id
     * @param secret the per-spawn secret the master gave it; any other connection is refused
     */
    record ProxyHello(long pid, String secret) implements WireMessage {
        @Override
        public String toString() {
            return "ProxyHello[pid=" + pid + "]";
        }
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

    /**
     * A request for a worker to run, or (cmd {@link #DISCONNECT_CMD}) a disconnect event for its
     * disconnect handlers: then {@code user} is the user who left and the body one byte, the reason's code.
     *
     * @param taskId     the proxy's task id, echoed in the RESULT
     * @param cmd        the cmd
     * @param sn         the client's sequence number
     * @param client     the client's address
     * @param connection the client's connection id; 0 for HTTP (nothing to log in)
     * @param user       the user bound to the connection; "" when none
     * @param key        the task's key (the user, else the client's Burst-Key header); "" when none
     * @param body       the payload
     */
    record Task(long taskId, int cmd, int sn, String client, long connection, String user, String key, byte[] body)
            implements WireMessage {

        /** A task without a key (its user, if any, is not taken as one). */
        public Task(long taskId, int cmd, int sn, String client, long connection, String user, byte[] body) {
            this(taskId, cmd, sn, client, connection, user, "", body);
        }

        /** A task of no connection (HTTP, and tests). */
        public Task(long taskId, int cmd, int sn, String client, byte[] body) {
            this(taskId, cmd, sn, client, 0, "", "", body);
        }
    }

    /**
     * The pseudo cmd of disconnect events: a worker whose generation has disconnect handlers lists it in
     * READY; clients cannot send it (the proxy routes no frame to it).
     */
    int DISCONNECT_CMD = Integer.MIN_VALUE;

    /**
     * A handler bound its task's connection to a user (login), or unbound it (logout: user "").
     *
     * @param connection the connection id, from the task
     * @param user       the user id; "" to unbind
     */
    record Bind(long connection, String user) implements WireMessage {
    }

    /**
     * A worker pushes a frame to users, or closes their connections.
     *
     * @param pushId the worker's id for it, echoed in PUSHED; 0 when it wants no answer
     * @param kind   what to do
     * @param users  the users ({@link PushKind#ALL}: none)
     * @param cmd    the frame's cmd
     * @param body   the frame's payload (for {@link PushKind#CLOSE}: none is sent)
     */
    record Push(long pushId, PushKind kind, List<String> users, int cmd, byte[] body) implements WireMessage {
    }

    /** What a PUSH does; on the wire by {@link #code()}. */
    enum PushKind {
        /** the frame to each connection of the users */
        USERS(0),
        /** the frame to every connection that has a user */
        ALL(1),
        /** the frame to each connection of the users, then close them */
        CLOSE_AFTER(2),
        /** close each connection of the users, no frame */
        CLOSE(3);

        private final int code;

        PushKind(int code) {
            this.code = code;
        }

        /** @return the byte written for it */
        public int code() {
            return code;
        }
    }

    /**
     * What a worker's timers did, per plugin, since its generation started: sent by the task thread between
     * tasks, at most once a second and only when a timer ran.
     *
     * @param generation the generation the timers belong to
     * @param plugins    the counts of each plugin that has timers
     */
    record TimerReport(int generation, List<TimerCount> plugins) implements WireMessage {
    }

    /**
     * One plugin's timer counts.
     *
     * @param plugin        the plugin
     * @param runs          ticks run
     * @param failures      ticks that threw
     * @param skipped       planned ticks skipped because the one before ran late
     * @param lateP99Micros how late ticks started, 99th percentile, microseconds
     * @param lateMaxMicros the latest a tick started, microseconds
     */
    record TimerCount(String plugin, long runs, long failures, long skipped, long lateP99Micros, long lateMaxMicros) {
    }

    /**
     * A timer tick has run long (a quarter of the group's task-timeout, at most a second): until
     * {@link LongTickDone}, the worker reads no frame, so the proxy times the tick instead of a task it
     * handed the worker meanwhile, and has the worker dumped and killed if the tick reaches task-timeout.
     * Sent by the worker's tick watch, from its own thread, at most once per timer pass.
     *
     * @param generation    the generation of the timer
     * @param plugin        the plugin that started it
     * @param timer         what timer: {@code every 100 ms}, {@code after}
     * @param runningMillis how long the tick had run when the watch saw it
     */
    record LongTick(int generation, String plugin, String timer, long runningMillis) implements WireMessage {
    }

    /**
     * The timer pass of a {@link LongTick} has ended: the worker reads frames again. Sent by the task thread
     * before anything else it sends after that pass.
     *
     * @param runningMillis how long it was since the long tick began
     */
    record LongTickDone(long runningMillis) implements WireMessage {
    }

    /**
     * The proxy's answer to a PUSH.
     *
     * @param pushId       the worker's id for it
     * @param delivered    connections that got the frame
     * @param offline      named users without a connection
     * @param dropped      connections closed as slow consumers instead
     * @param offlineUsers the first of those users
     */
    record Pushed(long pushId, int delivered, int offline, int dropped, List<String> offlineUsers)
            implements WireMessage {
    }

    /** A worker's answer to a task. */
    record Result(long taskId, Status status, int ret, byte[] body) implements WireMessage {
    }

    /** How a task ended in the worker; on the wire by {@link #code()}, never by position. */
    enum Status {
        /** the handler replied */
        REPLY(0),
        /** the handler returned without replying */
        NO_REPLY(1),
        /** no handler for the cmd */
        UNKNOWN_CMD(2),
        /** the handler threw before replying */
        HANDLER_ERROR(3);

        private final int code;

        Status(int code) {
            this.code = code;
        }

        /** @return the byte written for it */
        public int code() {
            return code;
        }
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

    /**
     * The master asks the proxy to reload the plugins (reload_workers).
     *
     * @param operation the master's operation id, echoed in {@link Reloaded}
     */
    record Reload(long operation) implements WireMessage {
    }

    /**
     * How a reload ended.
     *
     * @param operation the operation id of the {@link Reload}
     * @param ok        whether every worker now runs the tried generation
     * @param tried     the generation the reload snapshotted and tried (0 when no snapshot was taken)
     * @param serving   the generation serving when it ended
     * @param summary   one line: what happened
     * @param details   per worker or file: what happened to it
     */
    record Reloaded(long operation, boolean ok, int tried, int serving, String summary, List<Detail> details)
            implements WireMessage {
    }

    /**
     * One line of an operation's details.
     *
     * @param subject what it is about: {@code worker game#2 pid 4121}, a plugin file
     * @param outcome what happened to it
     */
    record Detail(String subject, String outcome) {
    }

    /** The master asks the proxy to drain a worker: no new task, STOP after the current one. */
    record Retire(long pid) implements WireMessage {
    }

    /**
     * The admin API asks the master for an operation.
     *
     * @param request   the proxy's id for this call, echoed in the {@link Operation} it opens (0 = none)
     * @param operation reload_workers, restart_workers, change_group or stop
     * @param group     the group (change_group), else ""
     * @param workers   the new size (change_group), else 0
     */
    record AdminCommand(long request, String operation, String group, int workers) implements WireMessage {
    }

    /**
     * The master's record of an operation, sent to the proxy whenever it changes (and all kept ones
     * when a proxy connects), so the admin API serves the master's history.
     *
     * @param id             1, 2, 3 ... per master
     * @param kind           reload_workers, restart_workers, change_group, recycle, stop
     * @param trigger        who asked: {@code SIGHUP}, {@code admin API}, {@code max-requests} ...
     * @param state          running, done, failed, refused
     * @param startedMillis  epoch milliseconds
     * @param finishedMillis epoch milliseconds, or -1 while running
     * @param outcome        one line: what was asked, and how it ended
     * @param request        the {@link AdminCommand#request()} that opened it, else 0
     * @param details        per worker: what happened to it
     */
    record Operation(long id, String kind, String trigger, String state, long startedMillis, long finishedMillis,
                     String outcome, long request, List<Detail> details) implements WireMessage {
    }

    /**
     * A worker could not start its plugins when it booted (its LOAD_FAILED, before it ever served): the
     * master names the cause when it gives the slot up.
     *
     * @param group      the worker's group
     * @param slot       its slot
     * @param pid        its process id
     * @param generation the generation it could not start
     * @param reason     why, naming the plugin
     */
    record BootFailed(String group, int slot, long pid, int generation, String reason) implements WireMessage {
    }

    /**
     * The master tells the proxy whether a group is degraded (slots given up after boot failures), so
     * stat and /health/ready can say so.
     *
     * @param group    the group
     * @param degraded whether some of its slots are given up
     * @param reason   why ("" when not degraded)
     */
    record GroupHealth(String group, boolean degraded, String reason) implements WireMessage {
    }

    /**
     * A group's target size, told to the proxy when change_group (or TTIN/TTOU) sets it and to every new
     * proxy at its hello: a route=key group spreads its keys over slots 1..workers.
     *
     * @param group   the group
     * @param workers its target number of workers (slots)
     */
    record GroupSize(String group, int workers) implements WireMessage {
    }

    /** The master asks the proxy to shut down. */
    record Shutdown(boolean fast) implements WireMessage {
    }
}
