package dev.burst.container.master;

import dev.burst.container.protocol.WireMessage.Detail;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The replacements asked for (restart_workers, recycle) and the one in flight: spawn-first, one at a time,
 * in the order asked. Each {@link Replacement} moves through its states here, as the master hands in the
 * facts (a process is ready, one exited, a timeout); its new process is spawned only by {@link #advance()},
 * which the master's reconcile step calls. When one ends, its operation counts it.
 *
 * <p>Only the master's loop thread uses it.
 */
final class Replacements {

    private static final System.Logger LOG = System.getLogger(Replacements.class.getName());

    /** What a replacement needs of the master. */
    interface Host {
        /** @return the slot of a role, if the group has it */
        Optional<Slot> slot(Role role);

        /** Spawns a process for a role (with its secrets). */
        Child start(Role role) throws IOException;

        /** Drains a process through the proxy, then it stops. */
        void retire(Child child, String why);

        /** Kills a process the master gave up on. */
        void kill(Child child);
    }

    private final Host host;
    private final Operations operations;
    private final Timers timers;
    private final Duration startTimeout;
    private final Deque<Replacement> queued = new ArrayDeque<>();
    private Optional<Replacement> current = Optional.empty();

    /**
     * @param startTimeout how long a new process may take to be ready (burst.start.timeout)
     */
    Replacements(Host host, Operations operations, Timers timers, Duration startTimeout) {
        this.host = host;
        this.operations = operations;
        this.timers = timers;
        this.startTimeout = startTimeout;
    }

    /**
     * Asks for a replacement; it runs in its turn.
     *
     * @param old       the process to replace
     * @param reason    why, for the log
     * @param operation the operation that counts it
     */
    void add(Child old, String reason, Optional<Long> operation) {
        queued.add(new Replacement(old, reason, operation));
    }

    /** @return whether the slot's process is to be replaced (queued, or the replacement in flight) */
    boolean covers(Slot slot) {
        return Stream.concat(current.stream(), queued.stream()).anyMatch(r -> slot.holds(r.old()));
    }

    /** @return the new process of the replacement in flight, until its slot takes it */
    Optional<Child> fresh() {
        return current.flatMap(r -> r.fresh().filter(f -> host.slot(r.role()).filter(s -> s.holds(f)).isEmpty()));
    }

    /**
     * The reconcile step (while the proxy is up): the next replacement's turn, if none is in flight, and
     * its new process.
     */
    void advance() {
        while (true) {
            if (current.isEmpty()) {
                Replacement next = queued.poll();
                if (next == null) {
                    return;
                }
                Optional<Slot> slot = host.slot(next.role()).filter(s -> s.holds(next.old()));
                if (slot.isEmpty() || slot.get().state() != Slot.State.RUNNING) {
                    next.moveTo(Replacement.State.SKIPPED);
                    String why = slot.isEmpty() ? "exited before its turn" : "was not serving at its turn";
                    LOG.log(System.Logger.Level.INFO, "not replacing " + next.subject() + ": it " + why);
                    next.operation().ifPresent(id -> operations.handled(id, new Detail(next.subject(), why), Optional.empty()));
                    continue;
                }
                LOG.log(System.Logger.Level.INFO, "replacing " + next.role() + " (pid " + next.old().pid() + "): "
                        + next.reason());
                next.moveTo(Replacement.State.SPAWNING);
                current = Optional.of(next);
            }
            Replacement r = current.get();
            if (r.state() != Replacement.State.SPAWNING) {
                return;
            }
            try {
                Child fresh = host.start(r.role());
                r.spawned(fresh);
                host.slot(r.role()).orElseThrow().moveTo(Slot.State.REPLACING);
                timers.after(startTimeout, new Event.ReplacementTimedOut(fresh.pid()));
                return;
            } catch (IOException e) {
                finish(Replacement.State.FAILED, "cannot spawn a replacement: " + e.getMessage());
            }
        }
    }

    /**
     * A process is ready.
     *
     * @param pid its pid
     * @return whether it was the new process of the replacement in flight (handled here)
     */
    boolean ready(long pid) {
        Optional<Replacement> r = current.filter(x -> x.fresh().filter(f -> f.pid() == pid).isPresent());
        if (r.isEmpty()) {
            return false;
        }
        Slot slot = host.slot(r.get().role()).orElseThrow();
        Child fresh = r.get().fresh().orElseThrow();
        switch (r.get().state()) {
            case STARTING -> {
                slot.handOver(fresh, Slot.State.RUNNING);
                r.get().moveTo(Replacement.State.RETIRING);
                host.retire(r.get().old(), "replaced by pid " + pid);
            }
            case TAKING_OVER -> {
                slot.ready();
                finish(Replacement.State.DONE, "exited before it was replaced; pid " + pid + " serves");
            }
            default -> {
                // RETIRING already: a second READY changes nothing
            }
        }
        return true;
    }

    /** A drained process exited: if it was the old one of the replacement in flight, that one is done. */
    void retiredExited(Child child) {
        current.filter(r -> r.state() == Replacement.State.RETIRING && r.isOld(child)).ifPresent(r ->
                finish(Replacement.State.DONE, "replaced by pid " + r.fresh().orElseThrow().pid()));
    }

    /**
     * A process no slot holds exited.
     *
     * @return whether it was the new process of the replacement in flight: it failed, the old one keeps serving
     */
    boolean freshExited(Child child, String how) {
        Optional<Replacement> r = current.filter(x -> x.isFresh(child));
        if (r.isEmpty()) {
            return false;
        }
        host.slot(child.role()).orElseThrow().moveTo(Slot.State.RUNNING);
        finish(Replacement.State.FAILED, "replacement pid " + child.pid() + " " + how + " before it was ready; pid "
                + r.get().old().pid() + " keeps serving");
        return true;
    }

    /**
     * A slot's process exited (not in a stop), before the slot handles its death.
     *
     * @return true when it was the old process and its replacement, still booting, takes the slot: the slot
     *         has a process, there is no death to handle
     */
    boolean slotProcessExited(Slot slot, Child child, String how) {
        Optional<Replacement> old = current.filter(x -> x.isOld(child) && x.state() == Replacement.State.STARTING);
        if (old.isPresent()) {
            Child fresh = old.get().fresh().orElseThrow();
            LOG.log(System.Logger.Level.WARNING, child.role() + " (pid " + child.pid() + ") " + how
                    + " while its replacement (pid " + fresh.pid() + ") boots; the replacement takes its slot");
            slot.handOver(fresh, Slot.State.STARTING);
            old.get().moveTo(Replacement.State.TAKING_OVER);
            return true;
        }
        current.filter(x -> x.isFresh(child)).ifPresent(x -> finish(Replacement.State.FAILED,
                "replacement pid " + child.pid() + " " + how + " before it was ready"));
        return false;
    }

    /** burst.start.timeout passed for this new process: kill it if it is still not ready. */
    void timedOut(long pid) {
        current.filter(r -> (r.state() == Replacement.State.STARTING || r.state() == Replacement.State.TAKING_OVER)
                && r.fresh().filter(f -> f.pid() == pid).isPresent()).ifPresent(r -> {
                    LOG.log(System.Logger.Level.ERROR, "replacement " + r.role() + " (pid " + pid + ") was not ready within "
                            + "burst.start.timeout " + startTimeout + "; killing it"
                            + (r.state() == Replacement.State.STARTING ? ", keeping pid " + r.old().pid() : ""));
                    host.kill(r.fresh().orElseThrow());
                });
    }

    /** change_group removed the slot: a replacement in flight for it is cancelled, its new process drained. */
    void slotRemoved(Slot slot) {
        current.filter(r -> r.role().equals(slot.role())).ifPresent(r -> {
            r.fresh().filter(f -> !slot.holds(f)).ifPresent(f -> host.retire(f, "its slot was removed by change_group"));
            finish(Replacement.State.CANCELLED, "cancelled: its slot was removed by change_group");
        });
    }

    /**
     * burst stops: every replacement is cancelled (their operations end with the stop).
     *
     * @return the new process of the one in flight, if no slot holds it: the master still has to stop it
     */
    List<Child> cancelAll() {
        List<Child> orphans = new ArrayList<>(fresh().stream().toList());
        queued.forEach(r -> r.moveTo(Replacement.State.CANCELLED));
        queued.clear();
        current.ifPresent(r -> r.moveTo(Replacement.State.CANCELLED));
        current = Optional.empty();
        return orphans;
    }

    private void finish(Replacement.State end, String outcome) {
        Replacement r = current.orElseThrow();
        r.moveTo(end);
        current = Optional.empty();
        switch (end) {
            case DONE -> LOG.log(System.Logger.Level.INFO, r.role() + " replaced: pid " + r.old().pid() + " -> "
                    + r.fresh().map(f -> Long.toString(f.pid())).orElse("?"));
            case FAILED -> LOG.log(System.Logger.Level.ERROR, "replacing " + r.role() + " failed: " + outcome);
            default -> LOG.log(System.Logger.Level.INFO, "replacing " + r.role() + " (pid " + r.old().pid() + "): " + outcome);
        }
        r.operation().ifPresent(id -> operations.handled(id, new Detail(r.subject(), outcome),
                end == Replacement.State.FAILED ? Optional.of(outcome) : Optional.empty()));
    }
}
