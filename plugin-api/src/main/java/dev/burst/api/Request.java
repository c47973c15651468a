package dev.burst.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

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
