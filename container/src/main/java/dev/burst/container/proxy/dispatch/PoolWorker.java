package dev.burst.container.proxy.dispatch;

import dev.burst.container.plugin.CmdSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One worker as the dispatch core sees it: its state, the task it runs, what it serves. Every field
 * that changes is written under its {@link GroupPool}'s lock, by the pool, and only there; views read
 * the volatile ones without it.
 *
 * <p>States; {@link #moveTo} refuses any change this table does not list:
 * <pre>
 * STARTING    --READY--------------------------> READY
 * READY       --a reload takes it--------------> SWAPPING --answered (READY or LOAD_FAILED)--> READY
 * SWAPPING    --no answer within start-timeout-> QUARANTINED (never gets a task again; replaced)
 * READY, SWAPPING, DRAINING, QUARANTINED --its task, or a timer tick, ran past task-timeout--> STUCK
 *                                                                        (killed by the master)
 * STARTING, READY, SWAPPING, QUARANTINED --retired--> DRAINING --no task left--> STOPPING
 * any but EXITED --the proxy stops--> STOPPING
 * any         --connection lost-----------------> EXITED
 * </pre>
 * Only a READY worker gets tasks. A READY worker is either idle (in the pool's idle list, exactly once)
 * or runs exactly one task ({@link #current}); with burst.group.&lt;g&gt;.prefetch it may also hold tasks
 * it has not started ({@link #held}), which it runs next, in order, each once the one before is answered.
 */
public final class PoolWorker {

    /** Where a worker is in its life, as the proxy sees it. */
    public enum State { STARTING, READY, SWAPPING, QUARANTINED, DRAINING, STUCK, STOPPING, EXITED }

    private static final Map<State, Set<State>> NEXT = Map.of(
            State.STARTING, EnumSet.of(State.READY, State.DRAINING, State.STOPPING, State.EXITED),
            State.READY, EnumSet.of(State.SWAPPING, State.DRAINING, State.STUCK, State.STOPPING, State.EXITED),
            State.SWAPPING, EnumSet.of(State.READY, State.QUARANTINED, State.DRAINING, State.STUCK, State.STOPPING,
                    State.EXITED),
            State.QUARANTINED, EnumSet.of(State.DRAINING, State.STUCK, State.STOPPING, State.EXITED),
            State.DRAINING, EnumSet.of(State.STUCK, State.STOPPING, State.EXITED),
            State.STUCK, EnumSet.of(State.STOPPING, State.EXITED),
            State.STOPPING, EnumSet.of(State.EXITED),
            State.EXITED, EnumSet.noneOf(State.class));

    private final String group;
    private final int slot;
    private final long pid;
    private final Port port;
    private final long connectedNanos = System.nanoTime();
    private volatile State state = State.STARTING;
    private volatile Task current;
    /** Tasks sent to it while it runs {@link #current}, not started yet, in the order it will run them. */
    final ArrayDeque<Task> ahead = new ArrayDeque<>(2);
    /** {@link #ahead}'s size, for views that read it without the pool's lock. */
    private volatile int heldCount;
    /** Tasks given to it and not written yet, in the pool's order (guarded by itself); see {@link Effects#dispatch}. */
    private final ArrayDeque<Task> outbox = new ArrayDeque<>(4);
    /** The id of the task it ran when it became STUCK: a late RESULT of it means the next held task began. */
    long stuckTaskId = -1;
    private volatile int generation;
    private volatile Map<Integer, CmdSpec> cmds = Map.of();
    private volatile long served;
    long dispatchedNanos;
    /** Which timer of which plugin runs a long tick (LONG_TICK until LONG_TICK_DONE); null when none does. */
    String longTick;
    /** When that tick began. */
    long longTickSince;
    boolean idle;
    /** route=key: whether a keyless task goes before the slot's keyed ones next (they take turns). */
    boolean keylessTurn;
    boolean swapAnswered;
    long recycleAfter;
    boolean recycleAsked;

    /**
     * @param group its group
     * @param slot  its slot
     * @param pid   its process id
     * @param port  how to reach it
     */
    public PoolWorker(String group, int slot, long pid, Port port) {
        this.group = group;
        this.slot = slot;
        this.pid = pid;
        this.port = port;
    }

    void moveTo(State next) {
        if (state == next) {
            return;
        }
        if (!NEXT.get(state).contains(next)) {
            throw new IllegalStateException(this + ": no transition " + state + " -> " + next);
        }
        state = next;
    }

    void serving(int generation, Map<Integer, CmdSpec> cmds) {
        this.generation = generation;
        this.cmds = Map.copyOf(cmds);
    }

    void current(Task task) {
        this.current = task;
    }

    void post(Task task) {
        synchronized (outbox) {
            outbox.addLast(task);
        }
    }

    /** @return the tasks given to it and not written yet, in order, now taken out (by its port, as it writes them) */
    public List<Task> drainOutbox() {
        synchronized (outbox) {
            if (outbox.isEmpty()) {
                return List.of();
            }
            List<Task> out = new ArrayList<>(outbox);
            outbox.clear();
            return out;
        }
    }

    void servedOne() {
        served++;
    }

    /** @return whether its generation has a handler for the cmd */
    public boolean serves(int cmd) {
        return cmds.containsKey(cmd);
    }

    /** @return whether the cmd may run again on another worker after this one died with it */
    public boolean idempotent(int cmd) {
        CmdSpec c = cmds.get(cmd);
        return c != null && c.idempotent();
    }

    /** @return its group */
    public String group() {
        return group;
    }

    /** @return its slot */
    public int slot() {
        return slot;
    }

    /** @return its process id */
    public long pid() {
        return pid;
    }

    /** @return how the core reaches it */
    public Port port() {
        return port;
    }

    /** @return its state now */
    public State state() {
        return state;
    }

    /** @return the task it runs, if any */
    public Task current() {
        return current;
    }

    /** @return tasks sent to it that it has not started (prefetch) */
    public int held() {
        return heldCount;
    }

    /** After {@link #ahead} changed (under the pool's lock): what {@link #held} shows views. */
    void heldChanged() {
        heldCount = ahead.size();
    }

    /** @return whether it runs a task */
    public boolean busy() {
        return current != null;
    }

    /** @return the generation it runs (0 before its first READY) */
    public int generation() {
        return generation;
    }

    /** @return the cmds it serves */
    public Map<Integer, CmdSpec> cmds() {
        return cmds;
    }

    /** @return tasks it answered */
    public long served() {
        return served;
    }

    /** @return when it connected ({@link System#nanoTime()}) */
    public long connectedNanos() {
        return connectedNanos;
    }

    /** @return {@code group#slot} */
    public String id() {
        return group + "#" + slot;
    }

    @Override
    public String toString() {
        return "worker " + id() + " pid " + pid;
    }
}
