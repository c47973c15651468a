package dev.burst.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * One client request as its hooks and its handler see it.
 *
 * <p>Threads: use it only on the task thread, while the request's hooks and handler run. A request is
 * answered at most once: a second reply, or a reply after the handler returned, throws
 * {@link IllegalStateException}. A {@linkplain BeforeHook before hook} that answers it skips the handler.
 *
 * <p>burst implements this interface; plugins do not. Methods may be added to it in later versions.
 */
public interface Request {

    /** @return the command id */
    int cmd();

    /** @return the client's sequence number (Box header sn; 0 for HTTP) */
    int sn();

    /**
     * The payload as a copy: changing it changes nothing for hooks or other handlers. Reading it without a
     * copy: {@link #bodyBuffer()} or {@link #text()}.
     *
     * @return a new array holding the request payload; never null, possibly empty
     */
    byte[] body();

    /**
     * The payload without a copy.
     *
     * @return a read-only buffer over the request payload, positioned at 0; each call gives a new buffer
     */
    default ByteBuffer bodyBuffer() {
        return ByteBuffer.wrap(body()).asReadOnlyBuffer();
    }

    /** @return the payload decoded as UTF-8 */
    default String text() {
        return new String(body(), StandardCharsets.UTF_8);
    }

    /** @return the client's address as {@code host:port}, as the proxy saw it */
    String clientAddress();

    /**
     * Values that hooks and the handler of this request share, e.g. the user a before hook authenticated.
     * The map lives as long as the request; keys are the plugins' own (prefix them with the plugin name
     * when several plugins' hooks run on one request).
     *
     * @return this request's attributes, mutable, empty at first
     */
    Map<String, Object> attributes();

    /**
     * The user bound to this request's connection: by a {@link #login(String)} of an earlier request of
     * the same connection, or of this one.
     *
     * @return the user; empty for HTTP requests and connections nobody logged in
     */
    Optional<String> user();

    /**
     * The key this request was routed by: its connection's user, else the HTTP header {@code Burst-Key}
     * the client sent. In a group with {@code burst.group.<g>.route=key} every request of one key runs on
     * the same worker, one at a time, in arrival order, so a plugin may keep a key's state in memory. A
     * change_group may move a key to another worker: the state the old worker kept for it stays there, so
     * keep in memory only what can be loaded again (from a database, a cache) when a key arrives.
     *
     * @return the key; empty when the request has neither a user nor a Burst-Key header
     */
    default Optional<String> key() {
        return Optional.empty();
    }

    /**
     * Binds this request's connection (Box over TCP, or WebSocket) to a user: later requests of the
     * connection carry it, pushes to the user reach the connection, and its closing runs the disconnect
     * handlers. If the user is logged in on another connection, that one is kicked (it gets a frame with
     * cmd 0 and ret -10005, then is closed) unless {@code burst.users.duplicate-login=allow}. A connection
     * that logs in again as another user leaves the first one.
     *
     * @param user the user id: not empty, at most 128 bytes as UTF-8
     * @throws IllegalArgumentException if the id is empty or too long
     * @throws IllegalStateException    if the request came over HTTP (no connection to bind), or the
     *                                  handler has returned
     */
    void login(String user);

    /**
     * Unbinds this request's connection from its user (no disconnect handler runs); nothing if none.
     *
     * @throws IllegalStateException if the request came over HTTP, or the handler has returned
     */
    void logout();

    /** @return whether a before hook or the handler has answered the request */
    boolean answered();

    /**
     * Answers with ret 0.
     *
     * @param body the reply payload; not copied, so do not change it afterwards
     * @throws IllegalStateException if already answered or the handler has returned
     */
    default void reply(byte[] body) {
        reply(0, body);
    }

    /**
     * Answers with an application ret code (Box header ret; HTTP header {@code Burst-Ret}).
     *
     * @param ret  the application's result code; negative codes from -10000 to -20000 are burst's own
     *             and should not be used
     * @param body the reply payload; not copied, so do not change it afterwards
     * @throws IllegalStateException if already answered or the handler has returned
     */
    void reply(int ret, byte[] body);

    /**
     * Answers with ret 0 and the text encoded as UTF-8.
     *
     * @param text the reply text
     * @throws IllegalStateException if already answered or the handler has returned
     */
    default void reply(String text) {
        reply(0, text.getBytes(StandardCharsets.UTF_8));
    }
}
