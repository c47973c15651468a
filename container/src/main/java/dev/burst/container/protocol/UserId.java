package dev.burst.container.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** What a user id may be: not empty, at most {@link #MAX_BYTES} bytes as UTF-8. Checked in workers and the proxy. */
public final class UserId {

    /** Longest user id, in UTF-8 bytes. */
    public static final int MAX_BYTES = 128;

    private UserId() {
    }

    /**
     * @param user a user id
     * @return why it is refused; empty when it is fine
     */
    public static Optional<String> invalid(String user) {
        if (user == null || user.isEmpty()) {
            return Optional.of("a user id must not be empty");
        }
        int bytes = user.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            return Optional.of("a user id is at most " + MAX_BYTES + " bytes as UTF-8, this one has " + bytes);
        }
        return Optional.empty();
    }
}
