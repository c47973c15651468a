package dev.burst.container.proxy.users;

import dev.burst.api.DisconnectReason;
import dev.burst.container.protocol.BoxHeader;
import dev.burst.container.protocol.RetCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The proxy as a gateway: which client connections are open, which user each is bound to, and pushing
 * frames to users. One per proxy.
 *
 * <p>Threads: connections report opening and closing from their I/O threads; logins, logouts and pushes
 * come from worker link readers and the admin API. Bindings change under one lock (rare: a login, a
 * logout, a close); a push reads the bindings without it and writes to each connection without waiting
 * (a connection that cannot take a frame closes itself as a slow consumer).
 */
public final class Users {

    private static final System.Logger LOG = System.getLogger(Users.class.getName());

    /** What a second login of a user does to the first connection. */
    public enum DuplicateLogin {
        /** the older connection gets the kick frame and is closed */
        KICK_OLD,
        /** both stay; pushes reach both */
        ALLOW
    }

    /** The cmd of the frame a kicked connection gets (its ret is {@link RetCode#KICKED}). */
    public static final int KICK_CMD = 0;
    private static final byte[] KICK_BODY = "logged in elsewhere".getBytes(StandardCharsets.UTF_8);
    private static final int MAX_LISTED = 1000;

    /** A connection bound to a user; {@code kicked} once a newer login took the user over. */
    private static final class Bound {
        final ClientConnection connection;
        final String user;
        final long sinceMillis;
        volatile boolean kicked;

        Bound(ClientConnection connection, String user, long sinceMillis) {
            this.connection = connection;
            this.user = user;
            this.sinceMillis = sinceMillis;
        }
    }

    /**
     * A bound connection closed.
     *
     * @param user          its user
     * @param reason        why
     * @param clientAddress the client's address
     */
    public record Left(String user, DisconnectReason reason, String clientAddress) {
    }

    /**
     * What became of a push or a close.
     *
     * @param delivered    connections that got (or will get) the frame
     * @param offline      named users without a connection
     * @param dropped      connections closed as slow consumers instead
     * @param offlineUsers the first of those users, at most 1000
     */
    public record PushResult(int delivered, int offline, int dropped, List<String> offlineUsers) {
    }

    /**
     * One connection of a user, as the admin API shows it.
     *
     * @param connection    the proxy's connection id
     * @param protocol      box or ws
     * @param clientAddress the client's address
     * @param sinceMillis   when the user logged in on it
     */
    public record Session(long connection, String protocol, String clientAddress, long sinceMillis) {
    }

    private final DuplicateLogin policy;
    private final Consumer<Left> disconnects;
    private final Map<Long, ClientConnection> open = new ConcurrentHashMap<>();
    private final Map<Long, Bound> bound = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    /** Guarded by lock: each user's live (not kicked) bindings. */
    private final Map<String, List<Bound>> byUser = new HashMap<>();

    /** Counters, for stat and metrics. */
    public final LongAdder logins = new LongAdder();
    public final LongAdder logouts = new LongAdder();
    public final LongAdder kicks = new LongAdder();
    public final LongAdder pushes = new LongAdder();
    public final LongAdder pushDelivered = new LongAdder();
    public final LongAdder pushOffline = new LongAdder();
    public final LongAdder pushDroppedSlow = new LongAdder();
    public final LongAdder disconnectEvents = new LongAdder();

    /**
     * @param policy      what a second login does
     * @param disconnects told when a bound connection closes, on the closing thread
     */
    public Users(DuplicateLogin policy, Consumer<Left> disconnects) {
        this.policy = policy;
        this.disconnects = disconnects;
    }

    /** @param connection a connection just accepted: it may be logged in and pushed to */
    public void opened(ClientConnection connection) {
        open.put(connection.id(), connection);
    }

    /**
     * A connection closed: it is forgotten, and if it had a user, the disconnect handlers are told.
     *
     * @param connection the connection
     * @param reason     why it closed (a kicked one says so, whatever closed it)
     */
    public void closed(ClientConnection connection, DisconnectReason reason) {
        open.remove(connection.id());
        Bound b;
        synchronized (lock) {
            b = bound.remove(connection.id());
            if (b != null) {
                unlink(b);
            }
        }
        if (b != null) {
            if (reason == DisconnectReason.SLOW_CONSUMER) {
                // The connection's own line names the address (rate-limited per address); this one names the user.
                LOG.log(System.Logger.Level.INFO, connection.protocol() + " " + connection.clientAddress() + " of user "
                        + b.user + " was closed as a slow consumer");
            }
            disconnectEvents.increment();
            disconnects.accept(new Left(b.user, b.kicked ? DisconnectReason.KICKED : reason, connection.clientAddress()));
        }
    }

    /**
     * Binds a connection to a user; under {@link DuplicateLogin#KICK_OLD} the user's other connections are
     * kicked (the kick frame, then closed).
     *
     * @param connectionId the connection
     * @param user         the user id, valid
     * @return whether the connection was still open
     */
    public boolean login(long connectionId, String user) {
        ClientConnection c = open.get(connectionId);
        if (c == null) {
            return false;
        }
        List<Bound> kicked = new ArrayList<>();
        synchronized (lock) {
            Bound old = bound.get(connectionId);
            if (old != null) {
                if (old.user.equals(user)) {
                    return true;
                }
                unlink(old);
            }
            List<Bound> others = byUser.computeIfAbsent(user, u -> new ArrayList<>(1));
            if (policy == DuplicateLogin.KICK_OLD) {
                for (Bound o : others) {
                    o.kicked = true;
                    kicked.add(o);
                }
                others.clear();
            }
            Bound b = new Bound(c, user, System.currentTimeMillis());
            others.add(b);
            bound.put(connectionId, b);
        }
        logins.increment();
        for (Bound o : kicked) {
            kicks.increment();
            o.connection.push(BoxHeader.pushHeader(KICK_CMD, RetCode.KICKED, KICK_BODY.length), ByteBuffer.wrap(KICK_BODY));
            o.connection.closeAfterWrites(DisconnectReason.KICKED);
        }
        return true;
    }

    /**
     * Unbinds a connection from its user, without a disconnect event.
     *
     * @param connectionId the connection
     */
    public void logout(long connectionId) {
        synchronized (lock) {
            Bound b = bound.remove(connectionId);
            if (b == null) {
                return;
            }
            unlink(b);
        }
        logouts.increment();
    }

    private void unlink(Bound b) {
        List<Bound> list = byUser.get(b.user);
        if (list != null) {
            list.remove(b);
            if (list.isEmpty()) {
                byUser.remove(b.user);
            }
        }
    }

    /**
     * @param connectionId a connection
     * @return the user it is bound to
     */
    public Optional<String> userOf(long connectionId) {
        Bound b = bound.get(connectionId);
        return b == null || b.kicked ? Optional.empty() : Optional.of(b.user);
    }

    /**
     * Pushes a frame (cmd, ret 0, sn 0) to each connection of the named users.
     *
     * @param users the user ids
     * @param cmd   the frame's cmd
     * @param body  its payload
     * @return what became of it
     */
    public PushResult toUsers(Collection<String> users, int cmd, byte[] body) {
        return send(users, cmd, body, false);
    }

    /**
     * Pushes a frame to every connection that has a user.
     *
     * @param cmd  the frame's cmd
     * @param body its payload
     * @return what became of it
     */
    public PushResult toAll(int cmd, byte[] body) {
        pushes.increment();
        ByteBuffer header = BoxHeader.pushHeader(cmd, RetCode.OK, body.length);
        int delivered = 0;
        int dropped = 0;
        for (Bound b : bound.values()) {
            if (b.kicked) {
                continue;
            }
            switch (b.connection.push(header.duplicate(), ByteBuffer.wrap(body))) {
                case QUEUED -> delivered++;
                case SLOW -> dropped++;
                case CLOSED -> { }
            }
        }
        count(delivered, 0, dropped);
        return new PushResult(delivered, 0, dropped, List.of());
    }

    /**
     * Closes each connection of the named users, after a last frame if one is given.
     *
     * @param users the user ids
     * @param cmd   the last frame's cmd
     * @param body  its payload; null for no last frame
     * @return what became of it
     */
    public PushResult close(Collection<String> users, int cmd, byte[] body) {
        return send(users, cmd, body, true);
    }

    private PushResult send(Collection<String> users, int cmd, byte[] body, boolean close) {
        if (!close || body != null) {
            pushes.increment();
        }
        ByteBuffer header = body == null ? null : BoxHeader.pushHeader(cmd, RetCode.OK, body.length);
        int delivered = 0;
        int offline = 0;
        int dropped = 0;
        List<String> offlineUsers = new ArrayList<>();
        for (String user : new LinkedHashSet<>(users)) {
            List<Bound> targets;
            synchronized (lock) {
                List<Bound> list = byUser.get(user);
                targets = list == null ? List.of() : List.copyOf(list);
            }
            if (targets.isEmpty()) {
                offline++;
                if (offlineUsers.size() < MAX_LISTED) {
                    offlineUsers.add(user);
                }
                continue;
            }
            for (Bound b : targets) {
                ClientConnection.Sent sent = header == null ? ClientConnection.Sent.QUEUED
                        : b.connection.push(header.duplicate(), ByteBuffer.wrap(body));
                switch (sent) {
                    case QUEUED -> delivered++;
                    case SLOW -> dropped++;
                    case CLOSED -> { }
                }
                if (close) {
                    b.connection.closeAfterWrites(DisconnectReason.CLOSED_BY_PUSH);
                }
            }
        }
        if (header != null) {
            count(delivered, offline, dropped);
        }
        return new PushResult(delivered, offline, dropped, List.copyOf(offlineUsers));
    }

    private void count(int delivered, int offline, int dropped) {
        pushDelivered.add(delivered);
        pushOffline.add(offline);
        pushDroppedSlow.add(dropped);
    }

    /** @return users with at least one connection */
    public int online() {
        synchronized (lock) {
            return byUser.size();
        }
    }

    /** @return open connections that can be logged in (Box and WebSocket) */
    public int connections() {
        return open.size();
    }

    /**
     * @param user a user id
     * @return its connections; empty when offline
     */
    public List<Session> sessions(String user) {
        synchronized (lock) {
            return byUser.getOrDefault(user, List.of()).stream()
                    .map(b -> new Session(b.connection.id(), b.connection.protocol(), b.connection.clientAddress(),
                            b.sinceMillis))
                    .toList();
        }
    }

    /**
     * @param limit the most to list
     * @return online users, sorted, at most {@code limit}
     */
    public List<String> page(int limit) {
        synchronized (lock) {
            return byUser.keySet().stream().sorted(Comparator.naturalOrder()).limit(limit).toList();
        }
    }
}
