package dev.burst.container.proxy.dispatch;

import dev.burst.container.proxy.dispatch.Outcome.Kind;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one group counted: requests and answers, rejects, discards, timeouts, lost workers, the burst
 * tasks_time buckets, and latency per group and per cmd. Recorded on whichever thread answers a task;
 * read by the admin API. Counters only grow.
 */
public final class GroupStats {

    /** burst's tasks_time bucket bounds, in milliseconds; a last bucket ("more") takes the rest. */
    public static final long[] TASKS_TIME_MS = {10, 50, 100, 500, 1000, 5000};

    /** Requests routed to this group. */
    public final LongAdder requests = new LongAdder();
    /** Requests of this group answered (any outcome). */
    public final LongAdder responses = new LongAdder();
    /** Tasks sent to a worker. */
    public final LongAdder workerRequests = new LongAdder();
    /** Of the tasks sent, those sent to a busy worker to hold (burst.group.&lt;g&gt;.prefetch). */
    public final LongAdder prefetched = new LongAdder();
    /** Held tasks a worker never started because it died: put back at the head of the queue. */
    public final LongAdder requeued = new LongAdder();
    /** Results received from a worker. */
    public final LongAdder workerResponses = new LongAdder();
    /** Refused at once: queue full or burst stopping. */
    public final LongAdder rejects = new LongAdder();
    /** Taken out of the queue unanswered by a worker: waited past queue-timeout, or cleared. */
    public final LongAdder discards = new LongAdder();
    /** Answered -10003: ran past task-timeout. */
    public final LongAdder timeouts = new LongAdder();
    /** Workers killed because a timer tick ran past task-timeout (no client was answered for it). */
    public final LongAdder stuckTicks = new LongAdder();
    /** Answered -10004: the worker died with it. */
    public final LongAdder workersLost = new LongAdder();
    /** Answered with any error. */
    public final LongAdder errors = new LongAdder();
    /** Answered -10001: the handler threw. (Of the errors, the rest are timeouts, lost workers and refusals.) */
    public final LongAdder handlerErrors = new LongAdder();
    /** Workers whose swap to a new generation got no answer in time: taken out of service for good. */
    public final LongAdder quarantined = new LongAdder();
    private final LongAdder[] tasksTime = new LongAdder[TASKS_TIME_MS.length + 1];
    private final Latency latency = new Latency();
    private final Map<Integer, CmdStats> cmds = new ConcurrentHashMap<>();

    /** Per cmd: its name (once known), requests, errors and latency. */
    public static final class CmdStats {
        private volatile String name = "";
        /** Answered requests of this cmd. */
        public final LongAdder requests = new LongAdder();
        /** Of them, answered with an error. */
        public final LongAdder errors = new LongAdder();
        private final Latency latency = new Latency();

        /** @return the cmd's name, "" when it has none */
        public String name() {
            return name;
        }

        /** @return time from accepting to answering */
        public Latency latency() {
            return latency;
        }
    }

    /** A fresh set of zero counters. */
    public GroupStats() {
        for (int i = 0; i < tasksTime.length; i++) {
            tasksTime[i] = new LongAdder();
        }
    }

    /**
     * @param cmd a cmd id
     * @return its counters, made on first use
     */
    public CmdStats cmd(int cmd) {
        return cmds.computeIfAbsent(cmd, c -> new CmdStats());
    }

    /**
     * @param cmd  a cmd id
     * @param name the name a plugin registered for it
     */
    public void name(int cmd, String name) {
        cmd(cmd).name = name;
    }

    /** @return per-cmd counters, by cmd id */
    public Map<Integer, CmdStats> cmds() {
        return cmds;
    }

    /** @return time from accepting to answering, every cmd of the group */
    public Latency latency() {
        return latency;
    }

    /**
     * @param bucket 0 .. {@link #TASKS_TIME_MS}.length (the last is "more")
     * @return answers whose time fell into that bucket
     */
    public long tasksTime(int bucket) {
        return tasksTime[bucket].sum();
    }

    /**
     * A task of this group was answered.
     *
     * @param cmd   its cmd
     * @param kind  how
     * @param nanos how long after it was accepted
     */
    public void answered(int cmd, Kind kind, long nanos) {
        responses.increment();
        CmdStats c = cmd(cmd);
        c.requests.increment();
        if (kind != Kind.REPLY && kind != Kind.NO_REPLY) {
            errors.increment();
            c.errors.increment();
        }
        switch (kind) {
            case HANDLER_ERROR -> handlerErrors.increment();
            case TIMED_OUT -> timeouts.increment();
            case WORKER_LOST -> workersLost.increment();
            default -> {
                // counted where they happen (rejects, discards) or not at all
            }
        }
        latency.record(nanos);
        c.latency.record(nanos);
        long ms = nanos / 1_000_000;
        int bucket = 0;
        while (bucket < TASKS_TIME_MS.length && ms > TASKS_TIME_MS[bucket]) {
            bucket++;
        }
        tasksTime[bucket].increment();
    }
}
