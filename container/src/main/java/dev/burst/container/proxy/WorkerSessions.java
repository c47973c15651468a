package dev.burst.container.proxy;

import dev.burst.container.plugin.CmdSpec;
import dev.burst.container.process.SpawnSecrets;
import dev.burst.container.protocol.ProtocolException;
import dev.burst.container.protocol.UserId;
import dev.burst.container.protocol.WireMessage.Bind;
import dev.burst.container.protocol.WireMessage.BootFailed;
import dev.burst.container.protocol.WireMessage.CmdInfo;
import dev.burst.container.protocol.WireMessage.Hello;
import dev.burst.container.protocol.WireMessage.Leaked;
import dev.burst.container.protocol.WireMessage.LoadFailed;
import dev.burst.container.protocol.WireMessage.LongTick;
import dev.burst.container.protocol.WireMessage.LongTickDone;
import dev.burst.container.protocol.WireMessage.Push;
import dev.burst.container.protocol.WireMessage.Pushed;
import dev.burst.container.protocol.WireMessage.Ready;
import dev.burst.container.protocol.WireMessage.Recycle;
import dev.burst.container.protocol.WireMessage.Result;
import dev.burst.container.protocol.WireMessage.TimerReport;
import dev.burst.container.protocol.WireMessage.WorkerReady;
import dev.burst.container.protocol.WireMessage;
import dev.burst.container.proxy.dispatch.Effects;
import dev.burst.container.proxy.dispatch.GroupPool;
import dev.burst.container.proxy.dispatch.Outcome;
import dev.burst.container.proxy.dispatch.PoolWorker;
import dev.burst.container.proxy.dispatch.Task;
import dev.burst.container.proxy.users.Users;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every worker connection, from HELLO to its end: the HELLO checked against the master's per-spawn
 * secret, the boot LOAD, READY, RESULTs, the answers of swaps, long timer ticks, and the task a dying
 * worker held. It turns frames into operations of the worker's {@link GroupPool} and hands routing
 * changes to the {@link Dispatcher}; the matching itself is the pool's.
 *
 * <p>Threads: {@link #serve} runs on the connection's own platform thread (one per worker);
 * {@link #retire} on the proxy's main thread.
 */
final class WorkerSessions {

    private static final System.Logger LOG = System.getLogger(WorkerSessions.class.getName());

    private final Dispatcher dispatcher;
    private final Optional<byte[]> workerKey;
    private final Consumer<WireMessage> toMaster;
    private final Runnable onWorkerReady;
    private final Set<Long> retiredPids = ConcurrentHashMap.newKeySet();
    /** Worker connections per slot (group#slot): restarts are the connections after the first. */
    final Map<String, AtomicInteger> connectionsPerSlot = new ConcurrentHashMap<>();
    /** Per worker pid, the last report of its timers (for stat); gone with the worker's connection. */
    final Map<Long, TimerReport> timerReports = new ConcurrentHashMap<>();
    /** Worker connections refused: no or a wrong per-spawn secret, or an unknown group. */
    final LongAdder workersRefused = new LongAdder();
    /** READY or LOAD_FAILED frames ignored because they came when nothing waited for them. */
    final LongAdder lateAnswers = new LongAdder();

    /**
     * @param dispatcher    the groups, routes and the serving generation
     * @param workerKey     the key the master's worker secrets are made with; empty refuses every worker
     * @param toMaster      sends a control frame to the master (WORKER_READY, RECYCLE, BOOT_FAILED)
     * @param onWorkerReady called when a worker becomes ready
     */
    WorkerSessions(Dispatcher dispatcher, Optional<byte[]> workerKey, Consumer<WireMessage> toMaster,
                   Runnable onWorkerReady) {
        this.dispatcher = dispatcher;
        this.workerKey = workerKey;
        this.toMaster = toMaster;
        this.onWorkerReady = onWorkerReady;
    }

    /**
     * Runs one worker connection until it closes: HELLO, LOAD, READY, then RESULTs (and swaps).
     * Runs on the connection's own platform thread.
     */
    void serve(SocketChannel channel) {
        WorkerLink link;
        try {
            link = new WorkerLink(channel);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot set up a worker connection: " + e.getMessage());
            try {
                channel.close();
            } catch (IOException closing) {
                // the connection is unusable either way; the worker sees it end
            }
            return;
        }
        GroupPool pool = null;
        try {
            WireMessage first = link.read();
            if (!(first instanceof Hello hello)) {
                throw new ProtocolException("expected HELLO, got " + first.getClass().getSimpleName());
            }
            pool = admit(hello);
            if (pool == null) {
                return;
            }
            PoolWorker w = new PoolWorker(hello.group(), hello.slot(), hello.pid(), link);
            link.attach(w);
            pool.joined(w);
            connectionsPerSlot.computeIfAbsent(w.id(), k -> new AtomicInteger()).incrementAndGet();
            if (retiredPids.contains(w.pid())) {
                retire(pool, w);
            }
            link.send(Loads.of(dispatcher.generation(), pool.config()));
            while (true) {
                WireMessage m = link.read();
                switch (m) {
                    case Ready ready -> onReady(link, pool, ready);
                    case LoadFailed failed -> onLoadFailed(link, pool, failed);
                    case Result result -> onResult(link, pool, result);
                    case Bind bind -> onBind(link, bind);
                    case Push push -> onPush(link, push);
                    case TimerReport report -> timerReports.put(w.pid(), report);
                    case LongTick tick -> onLongTick(link, pool, tick);
                    case LongTickDone done -> {
                        Effects fx = new Effects();
                        pool.longTickDone(w, fx);
                        fx.run();
                    }
                    case Leaked leaked -> toMaster.accept(new Recycle(w.pid(), "generation " + leaked.generation()
                            + " leaked: " + leaked.detail()));
                    default -> throw new ProtocolException("unexpected " + m.getClass().getSimpleName() + " from " + link);
                }
            }
        } catch (EOFException e) {
            LOG.log(level(link), link + " disconnected" + running(link));
        } catch (IOException e) {
            LOG.log(level(link), link + " connection failed: " + e.getMessage() + running(link));
        } catch (IllegalStateException e) {
            LOG.log(System.Logger.Level.WARNING, link + " broke the protocol: " + e.getMessage() + "; closing it");
        } finally {
            link.close();
            PoolWorker w = link.worker();
            if (w != null) {
                timerReports.remove(w.pid());
            }
            if (w != null && pool != null) {
                retiredPids.remove(w.pid());
                Effects fx = new Effects();
                Optional<Task> lost = pool.left(w, fx);
                fx.run();
                dispatcher.rebuildRoutes();
                lost.ifPresent(t -> lose(w, t));
            }
        }
    }

    /** A worker told to stop is expected to go: DEBUG; any other loss is worth a WARN. */
    private static System.Logger.Level level(WorkerLink link) {
        PoolWorker w = link.worker();
        return w != null && w.state() == PoolWorker.State.STOPPING ? System.Logger.Level.DEBUG
                : System.Logger.Level.WARNING;
    }

    private static String running(WorkerLink link) {
        PoolWorker w = link.worker();
        Task t = w == null ? null : w.current();
        return t == null ? "" : " while running cmd " + t.cmd;
    }

    /** Checks a HELLO: a configured group, and a secret the master made for that group and slot. */
    private GroupPool admit(Hello hello) {
        GroupPool pool = dispatcher.groups().get(hello.group());
        String who = "worker " + hello.group() + "#" + hello.slot() + " pid " + hello.pid();
        if (pool == null) {
            workersRefused.increment();
            LOG.log(System.Logger.Level.WARNING, "refused a connection on the worker socket claiming to be " + who
                    + ": no such group");
            return null;
        }
        if (workerKey.isEmpty() || !SpawnSecrets.verifyWorker(workerKey.get(), hello.group(), hello.slot(), hello.secret())) {
            workersRefused.increment();
            LOG.log(System.Logger.Level.WARNING, "refused a connection on the worker socket claiming to be " + who
                    + ": " + (hello.secret().isEmpty() ? "no" : "a wrong") + " spawn secret (not a worker this master spawned)");
            return null;
        }
        return pool;
    }

    /** The worker died with a task: an idempotent one is run once more elsewhere, any other answered -10004. */
    private void lose(PoolWorker w, Task task) {
        GroupPool pool = dispatcher.groups().get(w.group());
        if (!task.retried() && w.idempotent(task.cmd) && dispatcher.accepting()) {
            LOG.log(System.Logger.Level.WARNING, w + " died while running idempotent cmd " + task.cmd
                    + "; running it again on another worker");
            Effects fx = new Effects();
            pool.retry(task, fx);
            fx.run();
            return;
        }
        task.complete(Outcome.workerLost(w + " died while running cmd " + task.cmd));
    }

    private void onReady(WorkerLink link, GroupPool pool, Ready ready) {
        PoolWorker w = link.worker();
        Map<Integer, CmdSpec> cmds = cmds(ready.cmds());
        PoolWorker.State state = w.state();
        if (state == PoolWorker.State.SWAPPING || state == PoolWorker.State.QUARANTINED) {
            if (ready.generation() == link.swapGeneration() && pool.swapAnswered(w)) {
                link.swapAnswered(ready);
            } else {
                lateAnswers.increment();
                LOG.log(System.Logger.Level.WARNING, w + " reported READY on generation " + ready.generation()
                        + " after its swap was given up; ignored (the worker is being replaced)");
            }
            return;
        }
        Effects fx = new Effects();
        boolean accepted = pool.ready(w, ready.generation(), cmds, fx);
        fx.run();
        if (!accepted) {
            lateAnswers.increment();
            LOG.log(System.Logger.Level.WARNING, w + " reported READY on generation " + ready.generation()
                    + " while " + state + "; ignored");
            return;
        }
        dispatcher.reported(pool, ready.generation(), cmds);
        LOG.log(System.Logger.Level.INFO, w + " ready on generation " + ready.generation());
        toMaster.accept(new WorkerReady(w.group(), w.slot(), w.pid(), ready.generation()));
        onWorkerReady.run();
    }

    private void onLoadFailed(WorkerLink link, GroupPool pool, LoadFailed failed) {
        PoolWorker w = link.worker();
        PoolWorker.State state = w.state();
        if (state == PoolWorker.State.SWAPPING || state == PoolWorker.State.QUARANTINED) {
            if (failed.generation() == link.swapGeneration() && pool.swapAnswered(w)) {
                link.swapAnswered(failed);
            } else {
                lateAnswers.increment();
                LOG.log(System.Logger.Level.WARNING, w + " reported LOAD_FAILED for generation " + failed.generation()
                        + " after its swap was given up; ignored");
            }
            return;
        }
        if (state == PoolWorker.State.STARTING) {
            LOG.log(System.Logger.Level.ERROR, w + " cannot start generation " + failed.generation() + ": "
                    + failed.reason());
            toMaster.accept(new BootFailed(w.group(), w.slot(), w.pid(), failed.generation(), failed.reason()));
            return;
        }
        lateAnswers.increment();
        LOG.log(System.Logger.Level.WARNING, w + " reported LOAD_FAILED while " + state + "; ignored");
    }

    /**
     * A timer tick of the worker has run long (LONG_TICK): until LONG_TICK_DONE, its pool times the tick,
     * not a task handed to the worker, and has the worker dumped and killed if it reaches task-timeout.
     */
    private void onLongTick(WorkerLink link, GroupPool pool, LongTick tick) {
        PoolWorker w = link.worker();
        String what = "a timer of plugin " + tick.plugin() + " (generation " + tick.generation() + ", "
                + tick.timer() + ")";
        LOG.log(System.Logger.Level.INFO, w + ": " + what + " has run " + tick.runningMillis() + " ms; it is timed"
                + " like a task, against task-timeout " + pool.config().taskTimeout());
        pool.longTick(w, TimeUnit.MILLISECONDS.toNanos(tick.runningMillis()), what);
    }

    /** A handler logged its connection in (or out); its RESULT comes after, so later tasks carry it. */
    private void onBind(WorkerLink link, Bind bind) {
        if (bind.user().isEmpty()) {
            dispatcher.users().logout(bind.connection());
            return;
        }
        Optional<String> invalid = UserId.invalid(bind.user());
        if (invalid.isPresent()) {
            throw new IllegalStateException("login of an invalid user id: " + invalid.get());
        }
        if (!dispatcher.users().login(bind.connection(), bind.user())) {
            LOG.log(System.Logger.Level.DEBUG, link + ": login of " + bind.user() + " on connection "
                    + bind.connection() + ", which is closed already");
        }
    }

    /**
     * A worker pushes: the frame goes on each target connection now, on this thread, so that the RESULT
     * read next (the handler's reply) is queued after it.
     */
    private void onPush(WorkerLink link, Push push) throws IOException {
        Users users = dispatcher.users();
        Users.PushResult r = switch (push.kind()) {
            case USERS -> users.toUsers(push.users(), push.cmd(), push.body());
            case ALL -> users.toAll(push.cmd(), push.body());
            case CLOSE_AFTER -> users.close(push.users(), push.cmd(), push.body());
            case CLOSE -> users.close(push.users(), 0, null);
        };
        if (push.pushId() != 0) {
            link.pushed(new Pushed(push.pushId(), r.delivered(), r.offline(), r.dropped(), r.offlineUsers()));
        }
    }

    private void onResult(WorkerLink link, GroupPool pool, Result result) throws IOException {
        link.flushPushed();
        Effects fx = new Effects();
        Task task = pool.result(link.worker(), result.taskId(), fx);
        fx.run(); // the worker's next task first: it works while the reply goes out
        if (task == null) {
            return; // the answer of a task already answered -10003; the master is killing this worker
        }
        task.complete(switch (result.status()) {
            case REPLY -> Outcome.reply(result.ret(), result.body());
            case NO_REPLY -> Outcome.noReply();
            case UNKNOWN_CMD -> Outcome.unknownCmd("unknown cmd " + task.cmd);
            case HANDLER_ERROR -> Outcome.handlerError(result.body());
        });
    }

    /**
     * @param info a worker's cmds as its READY listed them
     * @return them as the pools keep them
     */
    static Map<Integer, CmdSpec> cmds(List<CmdInfo> info) {
        return info.stream()
                .map(c -> new CmdSpec(c.id(), c.name(), c.idempotent()))
                .collect(Collectors.toUnmodifiableMap(CmdSpec::id, Function.identity(), (a, b) -> a));
    }

    /**
     * Drains the worker with this pid (restart, resize, recycle): no new task, STOP after the current
     * one. A pid not connected yet is drained as soon as it says HELLO.
     *
     * @param pid the worker's process id
     */
    void retire(long pid) {
        retiredPids.add(pid);
        for (GroupPool pool : dispatcher.groups().values()) {
            for (PoolWorker w : pool.workers()) {
                if (w.pid() == pid) {
                    retire(pool, w);
                }
            }
        }
    }

    private void retire(GroupPool pool, PoolWorker w) {
        LOG.log(System.Logger.Level.INFO, "draining " + w);
        Effects fx = new Effects();
        pool.retire(w, fx);
        fx.run();
        dispatcher.rebuildRoutes();
    }
}
