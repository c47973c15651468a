package dev.burst.container.proxy.dispatch;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One accepted client request on its way to a worker. Answered exactly once: the first
 * {@link #complete(Outcome)} wins, later ones are ignored (and say so by returning false).
 */
public final class Task {

    /** The proxy's id for it, unique in this proxy's life; the worker echoes it in its RESULT. */
    public final long id;
    /** The command id. */
    public final int cmd;
    /** The client's sequence number (0 for HTTP). */
    public final int sn;
    /** The client's address, for the handler. */
    public final String client;
    /** Where it came from (a connection, or one HTTP request): the queue serves sources in turn. */
    public final long source;
    /** The payload. */
    public final byte[] body;
    /** The client connection a login binds (Box or WebSocket); 0 for HTTP. */
    public final long connection;
    /** The user bound to the connection when the task was accepted (a disconnect event: the user who left); "" when none. */
    public final String user;
    /**
     * The task's key: the connection's user, else the client's Burst-Key header; "" when none. A group
     * with route=key runs a key's tasks on one slot, one at a time; the handler reads it as request.key().
     */
    public final String key;
    /** When it was accepted ({@link System#nanoTime()}). */
    public final long acceptedNanos;
    /** Set when an idempotent task is run again after its worker died: it is retried once only. */
    boolean retried;
    private final Consumer<Outcome> onDone;
    private final AtomicBoolean done = new AtomicBoolean();

    /**
     * @param id     the proxy's task id
     * @param cmd    the command id
     * @param sn     the client's sequence number
     * @param client the client's address
     * @param source the connection (or request) it came from
     * @param body   the payload
     * @param onDone receives the one answer, on whichever thread gives it
     */
    public Task(long id, int cmd, int sn, String client, long source, byte[] body, Consumer<Outcome> onDone) {
        this(id, cmd, sn, client, source, body, 0, "", "", onDone, System.nanoTime());
    }

    /**
     * A task of a client connection (or a disconnect event).
     *
     * @param id         the proxy's task id
     * @param cmd        the command id
     * @param sn         the client's sequence number
     * @param client     the client's address
     * @param source     the connection (or request) it came from
     * @param body       the payload
     * @param connection the connection a login would bind; 0 for none
     * @param user       the connection's user; "" for none
     * @param key        the task's key (the user, else the Burst-Key header); "" for none
     * @param onDone     receives the one answer, on whichever thread gives it
     */
    public Task(long id, int cmd, int sn, String client, long source, byte[] body, long connection, String user,
                String key, Consumer<Outcome> onDone) {
        this(id, cmd, sn, client, source, body, connection, user, key, onDone, System.nanoTime());
    }

    /** A keyed task accepted at a given time, for tests. */
    Task(long id, int cmd, String key, long source, Consumer<Outcome> onDone, long acceptedNanos) {
        this(id, cmd, 0, "test", source, new byte[0], 0, "", key, onDone, acceptedNanos);
    }

    Task(long id, int cmd, int sn, String client, long source, byte[] body, Consumer<Outcome> onDone,
         long acceptedNanos) {
        this(id, cmd, sn, client, source, body, 0, "", "", onDone, acceptedNanos);
    }

    private Task(long id, int cmd, int sn, String client, long source, byte[] body, long connection, String user,
                 String key, Consumer<Outcome> onDone, long acceptedNanos) {
        this.id = id;
        this.cmd = cmd;
        this.sn = sn;
        this.client = client;
        this.source = source;
        this.body = body;
        this.connection = connection;
        this.user = user;
        this.key = key;
        this.onDone = onDone;
        this.acceptedNanos = acceptedNanos;
    }

    /**
     * Answers the task, if nobody did yet.
     *
     * @param outcome the answer
     * @return whether this call answered it
     */
    public boolean complete(Outcome outcome) {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        onDone.accept(outcome);
        return true;
    }

    /** @return whether it was answered */
    public boolean isDone() {
        return done.get();
    }

    /** @return whether it already had its one retry after a lost worker */
    public boolean retried() {
        return retried;
    }

    boolean waitedLongerThan(long nanos, long now) {
        return now - acceptedNanos > nanos;
    }
}
