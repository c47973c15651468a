package dev.burst.container.worker;

import dev.burst.api.Push;
import dev.burst.api.PushOutcome;
import dev.burst.container.protocol.WireMessage;
import dev.burst.container.protocol.WireMessage.Bind;
import dev.burst.container.protocol.WireMessage.PushKind;
import dev.burst.container.protocol.WireMessage.Pushed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The worker's side of users and push: logins and pushes go to the proxy as frames on the worker's link,
 * in the order they are made, ahead of the RESULT of the task that made them; the proxy's answers to
 * pushes ({@code PUSHED}) complete the stages handed out.
 *
 * <p>Threads: called on the task thread (handlers, hooks, disconnect handlers); frames are written under
 * the link's lock, so another thread calling is safe too. {@link #pushed} runs on the task thread that
 * reads the link, between tasks: the stages complete there.
 */
final class Gateway implements Push {

    private final Supplier<ProxyLink> link;
    private final AtomicLong pushIds = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();

    /** A push waiting for the proxy's answer, and the context loader its callbacks run with (the pusher's). */
    private record Pending(CompletableFuture<PushOutcome> done, ClassLoader loader) {
    }

    /** @param link the worker's connection to the proxy, once there is one */
    Gateway(Supplier<ProxyLink> link) {
        this.link = link;
    }

    /** What a push came to, as the proxy said. */
    private record Outcome(int delivered, int offline, int dropped, List<String> offlineUsers) implements PushOutcome {
    }

    /**
     * Binds (or, with "", unbinds) a connection to a user.
     *
     * @throws UncheckedIOException when the proxy is gone
     */
    void bind(long connection, String user) {
        send(new Bind(connection, user));
    }

    @Override
    public CompletionStage<PushOutcome> toUsers(Collection<String> users, int cmd, byte[] body) {
        return push(PushKind.USERS, users, cmd, body);
    }

    @Override
    public CompletionStage<PushOutcome> toAll(int cmd, byte[] body) {
        return push(PushKind.ALL, List.of(), cmd, body);
    }

    @Override
    public CompletionStage<PushOutcome> closeUsers(Collection<String> users, int cmd, byte[] body) {
        return push(PushKind.CLOSE_AFTER, users, cmd, body);
    }

    @Override
    public CompletionStage<PushOutcome> closeUsers(Collection<String> users) {
        return push(PushKind.CLOSE, users, 0, new byte[0]);
    }

    private CompletionStage<PushOutcome> push(PushKind kind, Collection<String> users, int cmd, byte[] body) {
        Objects.requireNonNull(users, "users");
        Objects.requireNonNull(body, "body");
        // A user id that cannot exist cannot be online either: it comes back offline.
        List<String> named = users.stream().map(u -> Objects.requireNonNull(u, "a user id")).toList();
        long id = pushIds.incrementAndGet();
        CompletableFuture<PushOutcome> done = new CompletableFuture<>();
        pending.put(id, new Pending(done, Thread.currentThread().getContextClassLoader()));
        try {
            send(new WireMessage.Push(id, kind, named, cmd, body));
        } catch (UncheckedIOException e) {
            pending.remove(id);
            done.completeExceptionally(e.getCause());
        }
        return done;
    }

    /**
     * The proxy said what became of a push (task thread, between tasks): its stage completes here, the
     * callbacks running with the context loader of the code that pushed. A callback that throws is the
     * plugin's: the stage holds it, the worker goes on.
     */
    void pushed(Pushed p) {
        Pending waiting = pending.remove(p.pushId());
        if (waiting == null) {
            return;
        }
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(waiting.loader());
        try {
            waiting.done().complete(new Outcome(p.delivered(), p.offline(), p.dropped(), p.offlineUsers()));
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    private void send(WireMessage m) {
        try {
            link.get().send(m);
        } catch (IOException e) {
            throw new UncheckedIOException("the proxy is gone: " + e.getMessage(), e);
        }
    }
}
