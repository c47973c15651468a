package dev.burst.container.proxy;

import dev.burst.container.config.BurstConfig;
import dev.burst.container.plugin.Generation;
import dev.burst.container.plugin.PluginException;
import dev.burst.container.plugin.PluginSnapshot;
import dev.burst.container.protocol.WireMessage.Load;
import dev.burst.container.protocol.WireMessage.LoadFailed;
import dev.burst.container.protocol.WireMessage.Recycle;
import dev.burst.container.protocol.WireMessage;
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
 * reload_workers: snapshot {@code plugins/} as generation N+1; swap one canary worker per group; if every
 * canary starts it, commit (new workers load N+1) and swap the others one at a time per group; if any
 * canary fails, swap the canaries that did start back to N, so N serves everywhere (nginx keeps the old
 * cycle when the new one fails to initialize). A worker gets no task while it swaps.
 *
 * <p>Threads: one reload at a time, on its own virtual thread; a request while one runs is refused
 * with a reason, never interleaved.
 */
final class Reloader {

    private static final System.Logger LOG = System.getLogger(Reloader.class.getName());
    private static final int ROLL_PASSES = 3;

    private final BurstConfig config;
    private final Dispatcher dispatcher;
    private final Consumer<WireMessage> toMaster;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Optional<ReloadReport> last = Optional.empty();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();

    Reloader(BurstConfig config, Dispatcher dispatcher, Consumer<WireMessage> toMaster) {
        this.config = config;
        this.dispatcher = dispatcher;
        this.toMaster = toMaster;
    }

    /**
     * Starts a reload unless one is running.
     *
     * @param onDone receives the report, on the reload's thread (or at once when refused)
     */
    void start(Consumer<ReloadReport> onDone) {
        if (!running.compareAndSet(false, true)) {
            int serving = dispatcher.generation().number();
            Instant now = Instant.now();
            onDone.accept(new ReloadReport(serving + 1, serving, false, 0,
                    List.of("a reload is already running; this one was refused"), now, now));
            return;
        }
        Thread.ofVirtual().name("reload").start(() -> {
            try {
                ReloadReport report = run();
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

    private ReloadReport run() {
        Instant started = Instant.now();
        Generation current = dispatcher.generation();
        int n = current.number() + 1;
        List<String> failures = new ArrayList<>();
        Generation next;
        try {
            next = PluginSnapshot.take(config.pluginsDir(), config.pluginCache(), n, config.groups(),
                    config.followSymlinks());
        } catch (PluginException e) {
            failures.add(e.getMessage());
            return new ReloadReport(n, current.number(), false, 0, failures, started, Instant.now());
        }
        LOG.log(System.Logger.Level.INFO, "reload: generation " + n + " snapshot holds " + next.files().size()
                + " file(s); trying it on one canary per group");

        List<Map.Entry<GroupQueue, WorkerLink>> canaries = new ArrayList<>();
        for (GroupQueue g : dispatcher.groups().values()) {
            Optional<WorkerLink> canary = g.workers().stream()
                    .filter(w -> w.state() == WorkerLink.State.READY)
                    .min((a, b) -> Boolean.compare(a.busy(), b.busy()));
            if (canary.isEmpty()) {
                continue;
            }
            Optional<String> failure = swap(g, canary.get(), next);
            if (failure.isPresent()) {
                failures.add("group " + g.config.name() + " canary " + canary.get() + ": " + failure.get());
                for (var done : canaries) {
                    swap(done.getKey(), done.getValue(), current)
                            .ifPresent(f -> recycle(done.getValue(), "could not return to generation "
                                    + current.number() + ": " + f));
                }
                return new ReloadReport(n, current.number(), false, 0, failures, started, Instant.now());
            }
            LOG.log(System.Logger.Level.INFO, "reload: canary " + canary.get() + " runs generation " + n);
            canaries.add(Map.entry(g, canary.get()));
        }

        dispatcher.commit(next);
        int swapped = canaries.size();
        for (int pass = 0; pass < ROLL_PASSES; pass++) {
            boolean more = false;
            for (GroupQueue g : dispatcher.groups().values()) {
                for (WorkerLink w : g.workers()) {
                    if (w.generation >= n || w.state() != WorkerLink.State.READY) {
                        continue;
                    }
                    more = true;
                    Optional<String> failure = swap(g, w, next);
                    if (failure.isPresent()) {
                        failures.add(w + ": " + failure.get());
                        recycle(w, "could not swap to generation " + n + ": " + failure.get());
                    } else {
                        swapped++;
                        LOG.log(System.Logger.Level.INFO, "reload: " + w + " runs generation " + n);
                    }
                }
            }
            if (!more) {
                break;
            }
        }
        return new ReloadReport(n, n, failures.isEmpty(), swapped, failures, started, Instant.now());
    }

    /**
     * Swaps one worker to a generation: out of dispatch once its task ends, LOAD, wait for the answer,
     * back into dispatch either way.
     *
     * @return empty on success, else why not
     */
    private Optional<String> swap(GroupQueue g, WorkerLink w, Generation gen) {
        try {
            g.beginSwap(w).get(config.groups().stream().map(c -> c.taskTimeout()).max(Duration::compareTo)
                    .orElse(Duration.ofSeconds(30)).plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
            w.send(Loads.of(gen, g.config));
            WireMessage answer = w.swapAnswer.get(config.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return answer instanceof LoadFailed f ? Optional.of(f.reason()) : Optional.empty();
        } catch (ExecutionException e) {
            return Optional.of(e.getCause().getMessage());
        } catch (TimeoutException e) {
            return Optional.of("no answer in time");
        } catch (IOException e) {
            return Optional.of("connection lost: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        } finally {
            g.endSwap(w);
        }
    }

    private void recycle(WorkerLink w, String reason) {
        LOG.log(System.Logger.Level.WARNING, "reload: " + w + " " + reason + "; asking for its replacement");
        toMaster.accept(new Recycle(w.pid, reason));
    }
}
