package dev.burst.container.protocol;

import java.io.IOException;

/** A peer sent a frame that breaks the wire format; the connection it came on is closed. */
public final class ProtocolException extends IOException {

    /**
     * @param message what was wrong, for the log
     */
    public ProtocolException(String message) {
        super(message);
    }
}
