package dev.burst.container.proxy;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One accepted client request on its way to a worker. Answered exactly once: the first
 * {@link #complete(Outcome)} wins, later ones are ignored.
 */
final class Task {

    final long id;
    final int cmd;
    final int sn;
    final String client;
    final byte[] body;
    final long acceptedNanos;
    /** Set when an idempotent task is run again after its worker died: it is retried once only. */
    boolean retried;
    private final Consumer<Outcome> onDone;
    private final AtomicBoolean done = new AtomicBoolean();

    Task(long id, int cmd, int sn, String client, byte[] body, Consumer<Outcome> onDone) {
        this.id = id;
        this.cmd = cmd;
        this.sn = sn;
        this.client = client;
        this.body = body;
        this.onDone = onDone;
        this.acceptedNanos = System.nanoTime();
    }

    /**
     * Answers the task, if nobody did yet.
     *
     * @param outcome the answer
     * @return whether this call answered it
     */
    boolean complete(Outcome outcome) {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        onDone.accept(outcome);
        return true;
    }

    boolean waitedLongerThan(long nanos, long now) {
        return now - acceptedNanos > nanos;
    }
}
