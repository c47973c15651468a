package dev.burst.api;

import java.nio.charset.StandardCharsets;

/**
 * One client request as a handler sees it.
 *
 * <p>Threads: use it only on the task thread, inside {@link Handler#handle(Request)}. A request is
 * answered at most once: a second reply, or a reply after the handler returned, throws
 * {@link IllegalStateException}.
 */
public interface Request {

    /** @return the command id */
    int cmd();

    /** @return the client's sequence number (Box header sn; 0 for HTTP) */
    int sn();

    /** @return the request payload; never null, possibly empty. Do not modify it. */
    byte[] body();

    /** @return the payload decoded as UTF-8 */
    default String text() {
        return new String(body(), StandardCharsets.UTF_8);
    }

    /** @return the client's address as {@code host:port}, as the proxy saw it */
    String clientAddress();

    /**
     * Answers with ret 0.
     *
     * @param body the reply payload
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
     * @param body the reply payload
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
