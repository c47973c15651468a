package dev.burst.container.master;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * One place the master keeps filled: the proxy, or one worker slot of a group ({@code game#2}). Its life
 * is one {@link State}; every change goes through {@link #moveTo}, which refuses a transition the table
 * below does not list (that would be a bug in the master, so it throws).
 *
 * <pre>
 * state      process  meaning                                   next
 * PENDING    none     wanted; reconcile spawns it (a worker     STARTING (spawned), BACKOFF (could not spawn),
 *                     only while the proxy is up)               STOPPING
 * STARTING   yes      booting; not ready yet                    RUNNING (ready), PENDING (died after a stable run),
 *                                                               BACKOFF (died quickly), GIVEN_UP (boot-retries boot
 *                                                               failures in a row), STOPPING
 * RUNNING    yes      ready and serving (the proxy: PROXY_UP)   REPLACING (a replacement was spawned beside it),
 *                                                               PENDING, BACKOFF, GIVEN_UP (as STARTING), STOPPING
 * REPLACING  yes      serving, with its replacement booting     RUNNING (the replacement took over, or failed and
 *                     beside it ({@link Replacement})           this one keeps serving), STARTING (this one died: the
 *                                                               booting replacement is the slot's process), STOPPING
 * BACKOFF    none     died quickly; waits for its retry         PENDING (the backoff is over), STOPPING
 * GIVEN_UP   none     failed to boot boot-retries times in a    PENDING (a reload succeeded, restart_workers),
 *                     row; not respawned, its group degraded    STOPPING
 * STOPPING   maybe    burst stops; asked (or about) to stop     (final)
 * </pre>
 *
 * A slot above its group's size is no slot: change_group removes it and its process drains.
 *
 * <p>Only the master's loop thread touches a slot.
 */
final class Slot {

    /** A slot's life; transitions in the class comment. */
    enum State {
        PENDING, STARTING, RUNNING, REPLACING, BACKOFF, GIVEN_UP, STOPPING;

        private Set<State> next() {
            return switch (this) {
                case PENDING -> EnumSet.of(STARTING, BACKOFF, STOPPING);
                case STARTING -> EnumSet.of(RUNNING, PENDING, BACKOFF, GIVEN_UP, STOPPING);
                case RUNNING -> EnumSet.of(REPLACING, PENDING, BACKOFF, GIVEN_UP, STOPPING);
                case REPLACING -> EnumSet.of(RUNNING, STARTING, STOPPING);
                case BACKOFF, GIVEN_UP -> EnumSet.of(PENDING, STOPPING);
                case STOPPING -> EnumSet.noneOf(State.class);
            };
        }

        /** @return whether a slot in this state has a process */
        boolean hasProcess() {
            return this == STARTING || this == RUNNING || this == REPLACING;
        }
    }

    /** A run shorter than this counts as a quick death, which backs off before the next spawn. */
    static final Duration STABLE_UPTIME = Duration.ofSeconds(2);
    /** The longest backoff between spawns. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final Role role;
    private State state = State.PENDING;
    private Optional<Child> process = Optional.empty();
    private int bootFailures;
    private int quickDeaths;
    private long backoffTicket;
    private Optional<String> bootFailure = Optional.empty();
    private Optional<String> degraded = Optional.empty();

    Slot(Role role) {
        this.role = role;
    }

    Role role() {
        return role;
    }

    State state() {
        return state;
    }

    /** @return the slot's process: the starting or serving one (during a replacement, the old one) */
    Optional<Child> process() {
        return process;
    }

    /** @return whether this is the slot's process */
    boolean holds(Child child) {
        return process.filter(p -> p.pid() == child.pid()).isPresent();
    }

    /**
     * The one place a slot changes state.
     *
     * @param next the new state
     * @throws IllegalStateException when the table does not allow it
     */
    void moveTo(State next) {
        if (!state.next().contains(next)) {
            throw new IllegalStateException(role + ": no transition " + state + " -> " + next);
        }
        state = next;
        if (!next.hasProcess() && next != State.STOPPING) {
            process = Optional.empty();
        }
    }

    /** PENDING -> STARTING with the process just spawned. */
    void spawned(Child child) {
        moveTo(State.STARTING);
        process = Optional.of(child);
    }

    /** STARTING -> RUNNING: it booted, so it is no longer failing at boot, and its group is healthy again. */
    void ready() {
        moveTo(State.RUNNING);
        bootFailures = 0;
        degraded = Optional.empty();
    }

    /** REPLACING -> RUNNING or STARTING: the replacement is the slot's process from now on. */
    void handOver(Child fresh, State next) {
        moveTo(next);
        process = Optional.of(fresh);
    }

    /** The slot's process is gone during a stop. */
    void stopped() {
        process = Optional.empty();
    }

    /**
     * The slot's process ended (not in a stop): decides between respawning at once, backing off, and
     * giving up, and moves there.
     *
     * @param bootError   whether it exited with the boot-error (or config-error) code
     * @param quick       whether it ran shorter than {@link #STABLE_UPTIME}
     * @param bootRetries boot failures in a row after which the slot is given up
     * @return the new state: PENDING, BACKOFF or GIVEN_UP
     */
    State died(boolean bootError, boolean quick, int bootRetries) {
        bootFailures = bootError ? bootFailures + 1 : 0;
        quickDeaths = quick || bootError ? quickDeaths + 1 : 0;
        if (bootError && bootFailures >= bootRetries) {
            moveTo(State.GIVEN_UP);
        } else {
            moveTo(quickDeaths == 0 ? State.PENDING : State.BACKOFF);
            if (state == State.BACKOFF) {
                backoffTicket++;
            }
        }
        return state;
    }

    /** PENDING -> BACKOFF: the process could not be started at all; try again after the longest backoff. */
    void spawnFailed() {
        quickDeaths++;
        moveTo(State.BACKOFF);
        backoffTicket++;
    }

    /** @return how long this backoff lasts: 200 ms, doubling with each quick death in a row, at most 10 s */
    Duration backoff() {
        return Duration.ofMillis(Math.min(100L << Math.min(quickDeaths, 10), MAX_BACKOFF.toMillis()));
    }

    /** @return the ticket of the current backoff, so an earlier backoff's timer cannot end it */
    long backoffTicket() {
        return backoffTicket;
    }

    /** GIVEN_UP -> PENDING: another chance, with a clean count. */
    void retry() {
        moveTo(State.PENDING);
        bootFailures = 0;
        quickDeaths = 0;
    }

    /** @return boot failures in a row */
    int bootFailures() {
        return bootFailures;
    }

    /**
     * @param reason why its last booting process could not start its plugins (the proxy relays it)
     */
    void bootFailed(String reason) {
        bootFailure = Optional.of(reason);
    }

    /** @return why its last booting process could not start its plugins, if the proxy said */
    Optional<String> bootFailure() {
        return bootFailure;
    }

    /** Marks the slot's group degraded because of this slot, until a process of it is ready. */
    void degrade(String why) {
        degraded = Optional.of(why);
    }

    /** @return why this slot makes its group degraded, if it does */
    Optional<String> degraded() {
        return degraded;
    }

    @Override
    public String toString() {
        return role + " " + state + process.map(p -> " pid " + p.pid()).orElse("");
    }
}
