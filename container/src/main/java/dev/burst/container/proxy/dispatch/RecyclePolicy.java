package dev.burst.container.proxy.dispatch;

import dev.burst.container.config.GroupConfig;
import java.util.Optional;
import java.util.function.IntUnaryOperator;

/**
 * gunicorn's max_requests with jitter: a worker is recycled (replaced spawn-first) once it has served
 * max-requests plus a random number up to max-requests-jitter, drawn once per worker, so workers do not
 * all recycle at once. Asked once per worker. Runs under its pool's lock.
 */
final class RecyclePolicy {

    private final GroupConfig config;
    private final IntUnaryOperator jitter;

    /**
     * @param config the group's max-requests and max-requests-jitter
     * @param jitter draws 0..n inclusive for a bound n (random in production, fixed in tests)
     */
    RecyclePolicy(GroupConfig config, IntUnaryOperator jitter) {
        this.config = config;
        this.jitter = jitter;
    }

    /**
     * @param worker a worker that just answered a task (its count already includes it)
     * @return why it should be recycled now, once; empty otherwise
     */
    Optional<String> afterServed(PoolWorker worker) {
        if (config.maxRequests() <= 0 || worker.recycleAsked) {
            return Optional.empty();
        }
        if (worker.recycleAfter == 0) {
            worker.recycleAfter = config.maxRequests()
                    + (config.maxRequestsJitter() > 0 ? jitter.applyAsInt(config.maxRequestsJitter()) : 0);
        }
        if (worker.served() < worker.recycleAfter) {
            return Optional.empty();
        }
        worker.recycleAsked = true;
        return Optional.of("served " + worker.served() + " requests (max-requests " + config.maxRequests() + ")");
    }
}
