package dev.burst.container.proxy;

import dev.burst.container.proxy.Outcome.Kind;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one group counted: requests and answers, rejects, discards, timeouts, lost workers, the burst
 * tasks_time buckets, and latency per group and per cmd. Recorded on whichever thread answers a task.
 */
final class GroupStats {

    /** burst's tasks_time bucket bounds, in milliseconds; a last bucket ("more") takes the rest. */
    static final long[] TASKS_TIME_MS = {10, 50, 100, 500, 1000, 5000};

    final LongAdder requests = new LongAdder();
    final LongAdder responses = new LongAdder();
    final LongAdder workerRequests = new LongAdder();
    final LongAdder workerResponses = new LongAdder();
    /** Refused at once: queue full or burst stopping. */
    final LongAdder rejects = new LongAdder();
    /** Taken out of the queue unanswered by a worker: waited past queue-timeout, or cleared. */
    final LongAdder discards = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder workersLost = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder[] tasksTime = new LongAdder[TASKS_TIME_MS.length + 1];
    final Latency latency = new Latency();
    final Map<Integer, CmdStats> cmds = new ConcurrentHashMap<>();

    /** Per cmd: its name (once known), requests, errors and latency. */
    static final class CmdStats {
        volatile String name = "";
        final LongAdder requests = new LongAdder();
        final LongAdder errors = new LongAdder();
        final Latency latency = new Latency();
    }

    GroupStats() {
        for (int i = 0; i < tasksTime.length; i++) {
            tasksTime[i] = new LongAdder();
        }
    }

    CmdStats cmd(int cmd) {
        return cmds.computeIfAbsent(cmd, c -> new CmdStats());
    }

    /** A task of this group was answered, {@code nanos} after it was accepted. */
    void answered(int cmd, Kind kind, long nanos) {
        responses.increment();
        CmdStats c = cmd(cmd);
        c.requests.increment();
        boolean error = kind != Kind.REPLY && kind != Kind.NO_REPLY;
        if (error) {
            errors.increment();
            c.errors.increment();
        }
        switch (kind) {
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
