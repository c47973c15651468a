package dev.burst.container.master;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * One spawn-first replacement of a worker (restart_workers, recycle): a new process starts in the same
 * slot beside the old one; once it is ready it takes the slot over and the old one is retired (drained
 * by the proxy: it finishes its task and gets no new one, then stops). The master runs one replacement at
 * a time, in the order asked, so a group never runs below its size.
 *
 * <pre>
 * state        meaning                                          next
 * QUEUED       waits for its turn                               SPAWNING (its turn, and the old process still
 *                                                               serves its slot), SKIPPED (it does not any more)
 * SPAWNING     its turn: the master's reconcile step spawns     STARTING (spawned), FAILED (could not spawn)
 *              the new process
 * STARTING     the new process boots beside the old one         RETIRING (ready: it takes the slot, the old one
 *                                                               drains), TAKING_OVER (the old one died meanwhile),
 *                                                               FAILED (it died, or was not ready within
 *                                                               burst.start.timeout: the old one keeps serving)
 * TAKING_OVER  the old one died; the new one, still booting,    DONE (ready), FAILED (it died too)
 *              is the slot's process already
 * RETIRING     the new one serves; the old one drains           DONE (the old one exited)
 * DONE, FAILED, SKIPPED, CANCELLED: ended. Any state that has not ended may become CANCELLED (burst
 * stops, or change_group removed the slot).
 * </pre>
 *
 * <p>Only the master's loop thread touches a replacement.
 */
final class Replacement {

    /** A replacement's life; transitions in the class comment. */
    enum State {
        QUEUED, SPAWNING, STARTING, TAKING_OVER, RETIRING, DONE, FAILED, SKIPPED, CANCELLED;

        private Set<State> next() {
            return switch (this) {
                case QUEUED -> EnumSet.of(SPAWNING, SKIPPED, CANCELLED);
                case SPAWNING -> EnumSet.of(STARTING, FAILED, CANCELLED);
                case STARTING -> EnumSet.of(RETIRING, TAKING_OVER, FAILED, CANCELLED);
                case TAKING_OVER -> EnumSet.of(DONE, FAILED, CANCELLED);
                case RETIRING -> EnumSet.of(DONE, CANCELLED);
                case DONE, FAILED, SKIPPED, CANCELLED -> EnumSet.noneOf(State.class);
            };
        }

        /** @return whether the replacement is over */
        boolean ended() {
            return next().isEmpty();
        }
    }

    private final Child old;
    private final String reason;
    private final Optional<Long> operation;
    private State state = State.QUEUED;
    private Optional<Child> fresh = Optional.empty();

    /**
     * @param old       the process to replace
     * @param reason    why (restart_workers, max-requests ...), for the log
     * @param operation the operation it is part of
     */
    Replacement(Child old, String reason, Optional<Long> operation) {
        this.old = old;
        this.reason = reason;
        this.operation = operation;
    }

    Role role() {
        return old.role();
    }

    Child old() {
        return old;
    }

    String reason() {
        return reason;
    }

    Optional<Long> operation() {
        return operation;
    }

    State state() {
        return state;
    }

    /** @return the new process, once spawned */
    Optional<Child> fresh() {
        return fresh;
    }

    /** @return whether this child is the new process */
    boolean isFresh(Child child) {
        return fresh.filter(f -> f.pid() == child.pid()).isPresent();
    }

    /** @return whether this child is the old process */
    boolean isOld(Child child) {
        return old.pid() == child.pid();
    }

    /**
     * The one place a replacement changes state.
     *
     * @param next the new state
     * @throws IllegalStateException when the table does not allow it
     */
    void moveTo(State next) {
        if (!state.next().contains(next)) {
            throw new IllegalStateException("replacement of " + old.role() + " pid " + old.pid() + ": no transition "
                    + state + " -> " + next);
        }
        state = next;
    }

    /** SPAWNING -> STARTING with the new process. */
    void spawned(Child child) {
        moveTo(State.STARTING);
        fresh = Optional.of(child);
    }

    /** @return "worker game#1 pid 4121": what the operation's detail line is about */
    String subject() {
        return old.role() + " pid " + old.pid();
    }
}
