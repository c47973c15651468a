package dev.burst.container.worker;

import dev.burst.container.config.ConfigException;
import dev.burst.container.plugin.Handover;
import dev.burst.container.plugin.PluginException;
import dev.burst.container.plugin.PluginGeneration;
import dev.burst.container.plugin.PluginJars;
import dev.burst.container.plugin.Registered;
import dev.burst.container.plugin.TimerQueue;
import dev.burst.container.plugin.TimerStats;
import dev.burst.container.process.ExitCode;
import dev.burst.container.protocol.ProtocolException;
import dev.burst.container.protocol.RetCode;
import dev.burst.container.protocol.WireMessage;
import dev.burst.container.protocol.WireMessage.CmdInfo;
import dev.burst.container.protocol.WireMessage.Load;
import dev.burst.container.protocol.WireMessage.LoadFailed;
import dev.burst.container.protocol.WireMessage.Pushed;
import dev.burst.container.protocol.WireMessage.Ready;
import dev.burst.container.protocol.WireMessage.Result;
import dev.burst.container.protocol.WireMessage.Status;
import dev.burst.container.protocol.WireMessage.Stop;
import dev.burst.container.protocol.WireMessage.Task;
import dev.burst.container.protocol.WireMessage.TimerCount;
import dev.burst.container.protocol.WireMessage.TimerReport;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.Config;

/**
 * The task thread of one plugin generation: a platform thread, named {@code task gen N}, that starts the
 * generation, reads the proxy's frames, runs every handler, and stops the generation when it retires,
 * then ends. Whatever the plugin or its libraries left in the thread's ThreadLocals (Jackson's buffer
 * recycler, a formatter cache ...) goes with the thread, so it cannot keep a retired generation loaded.
 * The thread that runs the handlers is the one that waits for the next frame: no hand-off per task. It
 * runs the generation's timers too, between tasks: it waits for the next frame until the next timer is
 * due, runs the due timers, and waits again ({@link TimerQueue}).
 *
 * <p>Its life, each step on this thread:
 * <pre>
 *   start()s the generation, then takeOver()s the state the one before handed off (at boot: none)
 *        │                 ──failed or refused──> LOAD_FAILED, ends (the serving thread, or at boot the worker, goes on)
 *        │ started
 *   waits until the generation before it has stopped (at boot: at once)
 *   READY, then serves: TASK -> RESULT, one at a time (a handler's BIND and PUSH frames go before its
 *        RESULT); PUSHED completes a push's stage; a TASK of the disconnect pseudo cmd runs the
 *        disconnect handlers; between frames, the timers that are due
 *        (stopping the generation cancels its timers: none runs once it retired; a long tick is reported
 *        by the worker's {@link TickWatch}, as this thread is inside it, and its end by this thread)
 *        ├─ LOAD: asks its plugins for their state (handOff(), changing nothing), launches the next
 *        │        generation's thread with a copy and waits for its start() and takeOver();
 *        │        handOff failed, start failed or state refused: keeps serving, its state as it was;
 *        │        started: stop()s its own generation, hands over, ends
 *        └─ STOP, SIGTERM (after the running task) or the proxy gone: stop()s its generation,
 *                 hands the worker its exit code, ends
 * </pre>
 * {@code start()}, handlers, ticks and {@code stop()} run with the plugin module's class loader as the context
 * class loader. The thread inherits no inheritable ThreadLocals: a value a plugin put there must not
 * follow into the next generation's thread.
 *
 * <p>The state hand-off ({@link dev.burst.api.StateHandoff}) happens at the LOAD, the one point where the
 * old generation's last task and ticks are done and nothing of it runs until the swap's outcome: the copy
 * is the state as the last task left it, and costs nothing on the task path.
 */
final class TaskThread implements Runnable {

    private static final System.Logger LOG = System.getLogger(TaskThread.class.getName());

    private final Worker worker;
    private final Load load;
    /** The generation serving when this one was asked for; empty at boot. */
    private final OptionalInt serving;
    /** The state that generation handed off; dropped once this generation started. This thread only. */
    private Handover inherited;
    /** Completed by this thread once the generation's start() returned: whether it started. */
    private final CompletableFuture<Boolean> started = new CompletableFuture<>();
    /** Completed once the generation before has stopped (with its number; empty at boot): this one may serve. */
    private final CompletableFuture<OptionalInt> predecessorStopped = new CompletableFuture<>();
    /**
     * The generation of this thread, and the only reference to it: a local variable in the serving loop's
     * frame would hold it too. This thread only; null once stopped.
     */
    private PluginGeneration generation;
    /** How often at most the timers' counts go to the proxy. */
    private static final long TIMER_REPORT_EVERY = TimeUnit.SECONDS.toNanos(1);
    /** This thread only: when the timers' counts were last looked at, and the runs they had then. */
    private long timersReportedNanos = System.nanoTime() - TIMER_REPORT_EVERY;
    private long timersReportedRuns;

    private TaskThread(Worker worker, Load load, OptionalInt serving, Handover inherited) {
        this.worker = worker;
        this.load = load;
        this.serving = serving;
        this.inherited = inherited;
    }

    /**
     * Starts the thread of a generation; it runs that generation's start() at once.
     *
     * @param worker    the worker it serves
     * @param load      the generation to run
     * @param serving   the generation serving now (empty at boot), for the log
     * @param inherited the state the serving generation handed off, for the new one's takeOver()
     * @return the thread's handle, to await its start and hand over to it
     */
    static TaskThread launch(Worker worker, Load load, OptionalInt serving, Handover inherited) {
        TaskThread task = new TaskThread(worker, load, serving, inherited);
        Thread thread = Thread.ofPlatform()
                .name(name(load.generation()))
                .inheritInheritableThreadLocals(false)
                .unstarted(task);
        thread.setContextClassLoader(TaskThread.class.getClassLoader());
        thread.start();
        return task;
    }

    /**
     * @param generation a generation number
     * @return the name of its task thread, as thread dumps show it
     */
    static String name(int generation) {
        return "task gen " + generation;
    }

    /**
     * Waits until the generation's start() (and its takeOver(), on a swap) returned. Called by the thread
     * that launched this one.
     *
     * @return whether it started; if not, LOAD_FAILED is sent already and this thread has ended
     */
    boolean awaitStarted() {
        return started.join();
    }

    /**
     * Lets this thread serve: the generation before has stopped.
     *
     * @param previous that generation's number; empty at boot
     */
    void takeOver(OptionalInt previous) {
        predecessorStopped.complete(previous);
    }

    @Override
    public void run() {
        try {
            if (!startGeneration()) {
                return;
            }
            OptionalInt previous = predecessorStopped.join();
            Optional<ExitCode> end = serve(previous);
            if (end.isPresent()) {
                stopGeneration();
                worker.exit(end.get());
            }
        } catch (RuntimeException | Error e) {
            // A bug, or the JVM failing under a handler (OutOfMemoryError ...): the worker ends rather than
            // hangs; the proxy answers a running task "worker lost" and the master respawns.
            started.complete(false);
            LOG.log(System.Logger.Level.ERROR, Thread.currentThread().getName() + " failed; the worker exits", e);
            worker.exit(ExitCode.FAILURE);
        }
    }

    /** @return whether the generation started; if not, the proxy is told so */
    private boolean startGeneration() {
        try {
            Handover state = inherited;
            inherited = null; // the copy goes with the start: the plugins keep what they took over
            generation = PluginGeneration.start(load.generation(), jars(load), worker.identity(),
                    pluginConfig(), worker.gateway(), state);
            started.complete(true);
            return true;
        } catch (PluginException e) {
            refuse(worker, load, serving, e);
            started.complete(false);
            return false;
        }
    }

    /**
     * Tells the proxy (LOAD_FAILED) and the log why a generation does not serve.
     *
     * @param serving the generation that serves on; empty at boot
     */
    private static void refuse(Worker worker, Load load, OptionalInt serving, PluginException e) {
        LOG.log(System.Logger.Level.ERROR, "cannot start generation " + load.generation()
                + (serving.isPresent() ? "; staying on " + serving.getAsInt() : "") + ": " + e.getMessage(), e.getCause());
        try {
            worker.link().send(new LoadFailed(load.generation(), truncate(e.getMessage())));
        } catch (IOException io) {
            // The proxy is gone: whoever reads next finds that out and ends the worker.
            LOG.log(System.Logger.Level.DEBUG, "cannot send LOAD_FAILED: " + io.getMessage());
        }
    }

    /**
     * @return the configuration the generation's plugins see: at boot the worker's, on a reload the
     *         sources read again
     * @throws PluginException if they cannot be read, naming the file or key
     */
    private Config pluginConfig() throws PluginException {
        try {
            return worker.pluginConfig(serving.isEmpty());
        } catch (ConfigException e) {
            throw new PluginException("cannot read the configuration again: " + e.getMessage(), e);
        }
    }

    /**
     * Says READY, then reads and answers frames until this generation retires or the worker ends.
     *
     * @param previous the generation this one replaced; empty at boot
     * @return the worker's exit code; empty when the next generation took over
     */
    private Optional<ExitCode> serve(OptionalInt previous) {
        ProxyLink link = worker.link();
        try {
            worker.ticks().watch(generation.timers());
            link.send(ready(generation));
            List<Integer> cmds = generation.cmds().stream().map(c -> c.id()).toList();
            if (previous.isPresent()) {
                LOG.log(System.Logger.Level.INFO, "swapped generation " + previous.getAsInt() + " for "
                        + generation.number() + ", cmds " + cmds);
            } else {
                LOG.log(System.Logger.Level.INFO, "ready: generation " + generation.number() + ", "
                        + load.plugins().size() + " plugin(s), cmds " + cmds);
            }
            while (true) {
                WireMessage m = nextFrameOrTimers(link);
                if (m == null) {
                    continue;
                }
                switch (m) {
                    case Task t -> {
                        link.busy(true);
                        Registered route = generation.handler(t.cmd()).orElse(null);
                        if (t.cmd() == WireMessage.DISCONNECT_CMD) {
                            link.send(TaskRun.disconnected(t, generation.disconnectHandlers()));
                        } else if (route == null) {
                            link.send(unknown(t));
                        } else {
                            TaskRun run = TaskRun.run(t, route, worker.gateway());
                            link.send(run.result());
                            run.after();
                        }
                        link.busy(false);
                        if (worker.stopRequested()) {
                            LOG.log(System.Logger.Level.INFO, "stopping after the task, as SIGTERM asked");
                            return Optional.of(ExitCode.OK);
                        }
                    }
                    case Pushed p -> worker.gateway().pushed(p);
                    case Load next -> {
                        if (swap(next)) {
                            return Optional.empty();
                        }
                    }
                    case Stop s -> {
                        LOG.log(System.Logger.Level.INFO, "stopping as the proxy asked");
                        return Optional.of(ExitCode.OK);
                    }
                    default -> throw new ProtocolException("unexpected " + m.getClass().getSimpleName() + " from the proxy");
                }
            }
        } catch (EOFException e) {
            if (worker.stopRequested()) {
                LOG.log(System.Logger.Level.INFO, "stopping, as SIGTERM asked");
                return Optional.of(ExitCode.OK);
            }
            LOG.log(System.Logger.Level.ERROR, "the proxy closed the connection; exiting");
            return Optional.of(ExitCode.FAILURE);
        } catch (IOException e) {
            if (worker.stopRequested()) {
                return Optional.of(ExitCode.OK);
            }
            LOG.log(System.Logger.Level.ERROR, "lost the proxy: " + e);
            return Optional.of(ExitCode.FAILURE);
        }
    }

    /**
     * Runs the timers that are due, then waits for the next frame until the next timer is due: the one
     * place this thread waits, so a tick never runs beside a task and needs no other thread.
     *
     * @return the next frame; null when a timer became due first
     */
    private WireMessage nextFrameOrTimers(ProxyLink link) throws IOException {
        TimerQueue timers = generation.timers();
        if (timers.runDue()) {
            worker.ticks().passEnded();
        }
        if (timers.any()) {
            reportTimers(link, timers);
            return link.poll(timers.nextDue());
        }
        return link.read();
    }

    /**
     * Tells the proxy what the generation's timers did (TIMER_REPORT), at most once a second and only when a
     * timer ran since the last report: between tasks, on this thread, so no report ever waits for a task.
     */
    private void reportTimers(ProxyLink link, TimerQueue timers) throws IOException {
        long now = System.nanoTime();
        if (now - timersReportedNanos < TIMER_REPORT_EVERY) {
            return;
        }
        timersReportedNanos = now;
        List<TimerStats.Snapshot> counts = timers.stats();
        long runs = counts.stream().mapToLong(TimerStats.Snapshot::runs).sum();
        if (runs == timersReportedRuns) {
            return;
        }
        timersReportedRuns = runs;
        link.send(new TimerReport(generation.number(), counts.stream()
                .map(c -> new TimerCount(c.plugin(), c.runs(), c.failures(), c.skipped(), c.lateP99Micros(),
                        c.lateMaxMicros()))
                .toList()));
    }

    /**
     * Swaps generations: this one's plugins hand their state off (a copy; they change nothing), then the
     * next one starts on its own thread and takes the state over, so if it fails or refuses, this one
     * never stopped serving and its state is as it was. If it started, this one stops (on this thread),
     * its loaders go to the leak watch, and the next thread takes over. The proxy sends no task meanwhile.
     *
     * @return whether the next generation took over (this thread then ends)
     */
    private boolean swap(Load next) {
        Handover state;
        try {
            state = generation.handOff(next.plugins().stream().map(p -> p.name()).collect(Collectors.toSet()));
        } catch (PluginException e) {
            refuse(worker, next, OptionalInt.of(generation.number()), e);
            return false;
        }
        TaskThread successor = launch(worker, next, OptionalInt.of(generation.number()), state);
        if (!successor.awaitStarted()) {
            return false;
        }
        int old = generation.number();
        try {
            retire();
        } finally {
            successor.takeOver(OptionalInt.of(old));
        }
        return true;
    }

    /** Stops this generation and has the leak watch check that its class loaders go away. */
    private void retire() {
        int number = generation.number();
        List<ClassLoader> loaders = generation.classLoaders();
        stopGeneration();
        worker.leaks().retire(number, loaders);
    }

    /** The plugins' stop() (a failing one is logged), then their jars closed. */
    private void stopGeneration() {
        PluginGeneration g = generation;
        generation = null;
        worker.ticks().unwatch(g.timers());
        try {
            g.close();
        } catch (UncheckedIOException e) {
            LOG.log(System.Logger.Level.WARNING, "generation " + g.number() + ": " + e.getMessage(), e.getCause());
        }
    }

    /** An unknown cmd is answered here; the proxy routes only the cmds a READY announced, so rarely. */
    private static Result unknown(Task task) {
        return new Result(task.taskId(), Status.UNKNOWN_CMD, RetCode.UNKNOWN_CMD,
                ("unknown cmd " + task.cmd()).getBytes(StandardCharsets.UTF_8));
    }

    private static List<PluginJars> jars(Load load) {
        return load.plugins().stream().map(p -> new PluginJars(p.name(), p.files())).toList();
    }

    private static Ready ready(PluginGeneration g) {
        return new Ready(g.number(), g.cmds().stream().map(c -> new CmdInfo(c.id(), c.name(), c.idempotent())).toList());
    }

    static String truncate(String s) {
        return s.length() > 4000 ? s.substring(0, 4000) + "..." : s;
    }
}
