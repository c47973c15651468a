package dev.burst.api;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;

/**
 * What a request came to: the result burst sends (or sent) to the client, and the exception, if the
 * handler or a hook threw. burst implements this interface; methods may be added to it.
 */
public interface Outcome {

    /** How a request was answered. */
    enum Kind {
        /** A before hook, the handler or a before-send hook answered with a reply. */
        REPLY,
        /** Nobody answered: the client gets "no reply" (HTTP 204, an empty Box body with ret 0). */
        NO_REPLY,
        /** The handler or a hook threw before anyone answered: ret -10001. */
        FAILED
    }

    /** @return how the request was answered */
    Kind kind();

    /** @return the ret code: the reply's, 0 for no reply, -10001 for a failure */
    int ret();

    /** @return the reply payload (for a failure, the error text the proxy gets), read-only */
    ByteBuffer body();

    /**
     * @return the exception the handler or a hook threw, if any; present with {@link Kind#REPLY} when it
     *         threw after replying (the reply stands)
     */
    Optional<Throwable> failure();

    /** @return the time from the first before hook to the result, measured on the task thread */
    Duration elapsed();
}
