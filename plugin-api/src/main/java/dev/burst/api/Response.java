package dev.burst.api;

import java.nio.charset.StandardCharsets;

/**
 * The result about to be sent, as a {@link BeforeSendHook} sees it: it may replace it. burst implements
 * this interface; methods may be added to it.
 */
public interface Response extends Outcome {

    /**
     * Replaces what is sent with this reply; a failure becomes a reply (its exception stays visible to the
     * after hooks through {@link #failure()}).
     *
     * @param ret  the application's result code
     * @param body the reply payload; not copied
     */
    void replace(int ret, byte[] body);

    /**
     * Replaces what is sent with this text, ret 0.
     *
     * @param text the reply text, sent as UTF-8
     */
    default void replace(String text) {
        replace(0, text.getBytes(StandardCharsets.UTF_8));
    }
}
