package dev.burst.container.worker;

import dev.burst.api.AfterHook;
import dev.burst.api.BeforeHook;
import dev.burst.api.BeforeSendHook;
import dev.burst.api.Disconnect;
import dev.burst.api.DisconnectHandler;
import dev.burst.api.DisconnectReason;
import dev.burst.api.Response;
import dev.burst.container.plugin.Registered;
import dev.burst.container.plugin.Registered.Hook;
import dev.burst.container.protocol.DisconnectCode;
import dev.burst.container.protocol.RetCode;
import dev.burst.container.protocol.WireMessage.Result;
import dev.burst.container.protocol.WireMessage.Status;
import dev.burst.container.protocol.WireMessage.Task;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One task through its hooks and its handler, in the order the plugin API documents: before hooks, the
 * handler (unless a before hook answered or threw), before-send hooks, then, once the caller has sent
 * the result, the after hooks. It is also the {@link Response} the before-send hooks see and the outcome
 * the after hooks see.
 *
 * <p>Threads: the generation's task thread; each hook and the handler run with their own plugin's class
 * loader as the context loader.
 */
final class TaskRun implements Response {

    private static final System.Logger LOG = System.getLogger(TaskRun.class.getName());
    private static final byte[] EMPTY = new byte[0];

    private final Task task;
    private final Registered route;
    private final TaskRequest request;
    private final long startedNanos = System.nanoTime();
    private long finishedNanos;
    private Kind kind;
    private int ret;
    private byte[] body;
    private Throwable failure;
    /** What threw first: {@link #HANDLER} or a before hook, for the error text. */
    private String failedIn;

    private static final String HANDLER = "handler";

    private TaskRun(Task task, Registered route, Gateway gateway) {
        this.task = task;
        this.route = route;
        this.request = new TaskRequest(task, gateway);
    }

    /**
     * Runs the before hooks, the handler and the before-send hooks of a task.
     *
     * @param task    the task
     * @param route   its cmd's handler and hooks
     * @param gateway where logins go
     * @return the run, holding the result to send; then call {@link #after()}
     */
    static TaskRun run(Task task, Registered route, Gateway gateway) {
        TaskRun run = new TaskRun(task, route, gateway);
        run.handle();
        return run;
    }

    private void handle() {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        try {
            for (Hook<BeforeHook> h : route.before()) {
                t.setContextClassLoader(h.loader());
                Throwable thrown = call(() -> h.hook().before(request));
                if (thrown != null) {
                    failed(thrown, "before hook of plugin " + h.plugin());
                    break;
                }
                if (request.answered()) {
                    break;
                }
            }
            if (failure == null && !request.answered()) {
                t.setContextClassLoader(route.loader());
                Throwable thrown = call(() -> route.handler().handle(request));
                if (thrown != null) {
                    failed(thrown, HANDLER);
                }
            }
            request.close();
            settle();
            for (Hook<BeforeSendHook> h : route.beforeSend()) {
                t.setContextClassLoader(h.loader());
                Throwable thrown = call(() -> h.hook().beforeSend(request, this));
                if (thrown != null) {
                    failed(thrown, "before-send hook of plugin " + h.plugin());
                    fail();
                }
            }
        } finally {
            t.setContextClassLoader(previous);
            finishedNanos = System.nanoTime();
        }
    }

    /**
     * Runs the disconnect handlers for one closed connection, each with its plugin's class loader; one
     * that throws is logged naming its plugin, and the others still run. Nobody waits for the answer:
     * the proxy only counts it.
     *
     * @param task     the event: its user, its client address, and the reason's code as body
     * @param handlers the generation's disconnect handlers
     * @return the result to send the proxy
     */
    static Result disconnected(Task task, List<Hook<DisconnectHandler>> handlers) {
        DisconnectReason reason = DisconnectCode.reason(task.body().length > 0 ? task.body()[0] : 0);
        Disconnect event = new Left(task.user(), reason, task.client());
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        boolean failed = false;
        try {
            for (Hook<DisconnectHandler> h : handlers) {
                t.setContextClassLoader(h.loader());
                Throwable thrown = call(() -> h.hook().disconnected(event));
                if (thrown != null) {
                    failed = true;
                    LOG.log(System.Logger.Level.WARNING, "the disconnect handler of plugin " + h.plugin() + " threw for user "
                            + task.user() + " (" + reason + ")", thrown);
                }
            }
        } finally {
            t.setContextClassLoader(previous);
        }
        return failed ? new Result(task.taskId(), Status.HANDLER_ERROR, RetCode.HANDLER_ERROR, EMPTY)
                : new Result(task.taskId(), Status.NO_REPLY, RetCode.OK, EMPTY);
    }

    /** A closed connection's user, as disconnect handlers see it. */
    private record Left(String user, DisconnectReason reason, String clientAddress) implements Disconnect {
    }

    /** Fixes what the before hooks and the handler came to. */
    private void settle() {
        if (request.answered()) {
            kind = Kind.REPLY;
            ret = request.ret();
            body = request.replyBody();
        } else if (failure != null) {
            fail();
        } else {
            kind = Kind.NO_REPLY;
            ret = RetCode.OK;
            body = EMPTY;
        }
    }

    private void failed(Throwable thrown, String where) {
        failure = thrown;
        failedIn = where;
        String who = where.equals(HANDLER) ? "" : ": its " + where;
        LOG.log(System.Logger.Level.WARNING, "cmd " + task.cmd() + " (plugin " + route.plugin() + ")" + who + " threw"
                + (kind == null && request.answered() ? " after replying; the reply stands" : ""), thrown);
    }

    /** The result becomes a handler error, naming what threw and the exception's class. */
    private void fail() {
        kind = Kind.FAILED;
        ret = RetCode.HANDLER_ERROR;
        String what = failedIn.equals(HANDLER) ? "handler of cmd " + task.cmd() : failedIn + " on cmd " + task.cmd();
        body = (what + " failed: " + failure.getClass().getName()).getBytes(StandardCharsets.UTF_8);
    }

    /** @return the result to send the proxy */
    Result result() {
        Status status = switch (kind) {
            case REPLY -> Status.REPLY;
            case NO_REPLY -> Status.NO_REPLY;
            case FAILED -> Status.HANDLER_ERROR;
        };
        return new Result(task.taskId(), status, ret, body);
    }

    /** Runs the after hooks, once the result is sent; one that throws is logged and the rest still run. */
    void after() {
        if (route.after().isEmpty()) {
            return;
        }
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        try {
            for (Hook<AfterHook> h : route.after()) {
                t.setContextClassLoader(h.loader());
                Throwable thrown = call(() -> h.hook().after(request, this));
                if (thrown != null) {
                    LOG.log(System.Logger.Level.WARNING, "cmd " + task.cmd() + ": after hook of plugin "
                            + h.plugin() + " threw; the result was already sent", thrown);
                }
            }
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    @FunctionalInterface
    private interface PluginCode {
        void run() throws Exception;
    }

    /**
     * @return what the plugin's code threw, or null. A handler's failure is its request's, not the
     *         worker's; other errors (OutOfMemoryError ...) end the worker, and the proxy answers the task
     *         "worker lost" while the master respawns.
     */
    private static Throwable call(PluginCode code) {
        try {
            code.run();
            return null;
        } catch (Exception | StackOverflowError | LinkageError e) {
            return e;
        }
    }

    @Override
    public Kind kind() {
        return kind;
    }

    @Override
    public int ret() {
        return ret;
    }

    @Override
    public ByteBuffer body() {
        return ByteBuffer.wrap(body).asReadOnlyBuffer();
    }

    @Override
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public Duration elapsed() {
        long end = finishedNanos == 0 ? System.nanoTime() : finishedNanos;
        return Duration.ofNanos(end - startedNanos);
    }

    @Override
    public void replace(int ret, byte[] body) {
        if (finishedNanos != 0) {
            throw new IllegalStateException("cmd " + task.cmd() + ": the result was already sent");
        }
        this.kind = Kind.REPLY;
        this.ret = ret;
        this.body = Objects.requireNonNull(body, "body");
    }
}
