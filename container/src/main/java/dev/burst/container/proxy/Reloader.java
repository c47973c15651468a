package dev.burst.container.proxy;

import dev.burst.container.config.BurstConfig;
import dev.burst.container.plugin.Generation;
import dev.burst.container.plugin.GenerationStore;
import dev.burst.container.plugin.PluginException;
import dev.burst.container.protocol.WireMessage;
import dev.burst.container.protocol.WireMessage.Detail;
import dev.burst.container.protocol.WireMessage.LoadFailed;
import dev.burst.container.protocol.WireMessage.Ready;
import dev.burst.container.proxy.dispatch.Effects;
import dev.burst.container.proxy.dispatch.GroupPool;
import dev.burst.container.proxy.dispatch.PoolWorker;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * reload_workers: snapshot {@code plugins/} as a new generation; swap one canary worker per group; if
 * every canary starts it, commit (new workers load it) and swap the others one at a time per group; if
 * any canary fails, swap the canaries that did start back, so the old generation serves everywhere
 * (nginx keeps the old cycle when the new one fails to initialize). A worker gets no task while it
 * swaps. A worker that does not answer its swap in time is quarantined — it may still finish starting
 * the new generation later, so it never serves again — and replaced spawn-first.
 *
 * <p>Threads: one reload at a time, on its own virtual thread; a request while one runs is refused
 * with a reason (and takes no generation number), never interleaved.
 */
final class Reloader {

    private static final System.Logger LOG = System.getLogger(Reloader.class.getName());
    private static final int ROLL_PASSES = 3;

    private final BurstConfig config;
    private final Dispatcher dispatcher;
    private final GenerationStore store;
    /** The generation that served before the current one (its files stay cached); reload thread only. */
    private Optional<Generation> previous = Optional.empty();
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Optional<ReloadReport> last = Optional.empty();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();

    Reloader(BurstConfig config, Dispatcher dispatcher, GenerationStore store) {
        this.config = config;
        this.dispatcher = dispatcher;
        this.store = store;
    }

    /**
     * Starts a reload unless one is running.
     *
     * @param operation the master's operation id, carried into the report
     * @param onDone    receives the report, on the reload's thread (or at once when refused)
     */
    void start(long operation, Consumer<ReloadReport> onDone) {
        if (!running.compareAndSet(false, true)) {
            int serving = dispatcher.generation().number();
            Instant now = Instant.now();
            onDone.accept(new ReloadReport(operation, 0, serving, false, 0,
                    List.of("a reload is already running; this one was refused"), List.of(), now, now));
            return;
        }
        Thread.ofVirtual().name("reload").start(() -> {
            try {
                ReloadReport report = run(operation);
                last = Optional.of(report);
                (report.ok() ? succeeded : failed).increment();
                onDone.accept(report);
            } finally {
                running.set(false);
            }
        });
    }

    /**
     * @param ok which outcome
     * @return reloads that ended that way
     */
    long count(boolean ok) {
        return (ok ? succeeded : failed).sum();
    }

    /** @return the last reload's report, if any */
    Optional<ReloadReport> last() {
        return last;
    }

    private ReloadReport run(long operation) {
        Instant started = Instant.now();
        Generation current = dispatcher.generation();
        List<String> failures = new ArrayList<>();
        List<Detail> details = new ArrayList<>();
        int n;
        try {
            n = store.nextNumber();
        } catch (PluginException e) {
            failures.add("cannot number a new generation: " + e.getMessage());
            return new ReloadReport(operation, 0, current.number(), false, 0, failures, details, started, Instant.now());
        }
        Generation next;
        try {
            next = store.take(n, config.pluginsDir(), config.groups(), config.followSymlinks());
        } catch (PluginException e) {
            failures.add(e.getMessage());
            prune(current, previous);
            return new ReloadReport(operation, n, current.number(), false, 0, failures, details, started, Instant.now());
        }
        LOG.log(System.Logger.Level.INFO, "reload: generation " + n + " snapshot holds " + next.files().size()
                + " file(s); trying it on one canary per group");

        List<Map.Entry<GroupPool, PoolWorker>> canaries = new ArrayList<>();
        for (GroupPool pool : dispatcher.groups().values()) {
            Optional<PoolWorker> canary = pool.workers().stream()
                    .filter(w -> w.state() == PoolWorker.State.READY)
                    .min((a, b) -> Boolean.compare(a.busy(), b.busy()));
            if (canary.isEmpty()) {
                continue;
            }
            Optional<String> failure = swap(pool, canary.get(), next);
            if (failure.isPresent()) {
                failures.add("group " + pool.config().name() + " canary " + canary.get() + ": " + failure.get());
                details.add(new Detail(canary.get().toString(), "canary: did not start generation " + n + ": "
                        + failure.get()));
                for (var done : canaries) {
                    Optional<String> back = swap(done.getKey(), done.getValue(), current);
                    details.add(new Detail(done.getValue().toString(), back.map(f -> "could not return to generation "
                            + current.number() + ": " + f).orElse("back on generation " + current.number())));
                    back.ifPresent(f -> recycle(done.getValue(), "could not return to generation " + current.number()
                            + ": " + f));
                }
                store.discard(next);
                prune(current, previous);
                return new ReloadReport(operation, n, current.number(), false, 0, failures, details, started,
                        Instant.now());
            }
            LOG.log(System.Logger.Level.INFO, "reload: canary " + canary.get() + " runs generation " + n);
            details.add(new Detail(canary.get().toString(), "canary: swapped to generation " + n));
            canaries.add(Map.entry(pool, canary.get()));
        }

        dispatcher.commit(next);
        try {
            store.commit(next);
        } catch (PluginException e) {
            LOG.log(System.Logger.Level.ERROR, "reload: generation " + n + " serves, but it could not be recorded in "
                    + config.runDir() + " (" + e.getMessage() + "); a respawned proxy would serve generation "
                    + current.number());
        }
        int swapped = canaries.size();
        for (int pass = 0; pass < ROLL_PASSES; pass++) {
            boolean more = false;
            for (GroupPool pool : dispatcher.groups().values()) {
                for (PoolWorker w : pool.workers()) {
                    if (w.generation() >= n || w.state() != PoolWorker.State.READY) {
                        continue;
                    }
                    more = true;
                    Optional<String> failure = swap(pool, w, next);
                    if (failure.isPresent()) {
                        failures.add(w + ": " + failure.get());
                        details.add(new Detail(w.toString(), "did not swap to generation " + n + ": " + failure.get()));
                        if (w.state() != PoolWorker.State.QUARANTINED) {
                            recycle(w, "could not swap to generation " + n + ": " + failure.get());
                        }
                    } else {
                        swapped++;
                        details.add(new Detail(w.toString(), "swapped to generation " + n));
                        LOG.log(System.Logger.Level.INFO, "reload: " + w + " runs generation " + n);
                    }
                }
            }
            if (!more) {
                break;
            }
        }
        prune(next, Optional.of(current));
        previous = Optional.of(current);
        return new ReloadReport(operation, n, n, failures.isEmpty(), swapped, failures, details, started, Instant.now());
    }

    /** Deletes cached jars of generations that neither serve nor came just before; a failure is logged. */
    private void prune(Generation serving, Optional<Generation> before) {
        try {
            GenerationStore.Pruned p = store.prune(serving, before);
            if (p.files() > 0) {
                LOG.log(System.Logger.Level.INFO, "reload: pruned " + p.files() + " cached jar(s), " + p.bytes()
                        + " bytes, of generations no longer serving");
            }
        } catch (PluginException e) {
            LOG.log(System.Logger.Level.WARNING, "reload: cannot prune the plugin cache: " + e.getMessage());
        }
    }

    /**
     * Swaps one worker to a generation: out of dispatch once its task ends, LOAD, wait for the answer,
     * back into dispatch — unless it gave no answer in time, then it is quarantined for good.
     *
     * @return empty on success, else why not
     */
    private Optional<String> swap(GroupPool pool, PoolWorker w, Generation gen) {
        WorkerLink link = (WorkerLink) w.port();
        link.prepareSwap(gen.number());
        Effects fx = new Effects();
        boolean taken = pool.beginSwap(w, fx);
        fx.run();
        if (!taken) {
            return Optional.of("it is " + w.state() + ", not READY");
        }
        try {
            link.freeForSwapFuture().get(freeWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            end(pool, w, Optional.empty());
            return Optional.of("its task did not end within " + freeWait());
        } catch (ExecutionException e) {
            return Optional.of(e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end(pool, w, Optional.empty());
            return Optional.of("interrupted");
        }
        try {
            link.send(Loads.of(gen, pool.config()));
        } catch (IOException e) {
            return Optional.of("connection lost: " + e.getMessage());
        }
        WireMessage answer;
        try {
            answer = link.swapAnswerFuture().get(config.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            String why = "no answer to LOAD of generation " + gen.number() + " within burst.start.timeout "
                    + config.startTimeout();
            Effects q = new Effects();
            if (pool.swapTimedOut(w, why + "; quarantined", q)) {
                q.run();
                dispatcher.rebuildRoutes();
                LOG.log(System.Logger.Level.ERROR, "reload: " + w + ": " + why + "; it gets no more tasks and is replaced");
                return Optional.of(why + " (quarantined and replaced)");
            }
            answer = link.swapAnswerFuture().getNow(null); // answered just in time
            if (answer == null) {
                return Optional.of(why);
            }
        } catch (ExecutionException e) {
            return Optional.of(e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
        return switch (answer) {
            case Ready r -> {
                end(pool, w, Optional.of(new GroupPool.Started(r.generation(), WorkerSessions.cmds(r.cmds()))));
                yield Optional.empty();
            }
            case LoadFailed f -> {
                end(pool, w, Optional.empty());
                yield Optional.of(f.reason());
            }
            default -> Optional.of("unexpected answer " + answer.getClass().getSimpleName());
        };
    }

    private void end(GroupPool pool, PoolWorker w, Optional<GroupPool.Started> started) {
        Effects fx = new Effects();
        pool.endSwap(w, started, fx);
        fx.run();
        dispatcher.swapped(pool, w);
    }

    /** How long a swap waits for the worker's running task: the longest task-timeout, plus slack. */
    private Duration freeWait() {
        return config.groups().stream().map(c -> c.taskTimeout()).max(Duration::compareTo)
                .orElse(Duration.ofSeconds(30)).plusSeconds(5);
    }

    private void recycle(PoolWorker w, String reason) {
        LOG.log(System.Logger.Level.WARNING, "reload: " + w + " " + reason + "; asking for its replacement");
        dispatcher.recycle(w, reason);
    }
}
