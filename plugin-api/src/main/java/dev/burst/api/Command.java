package dev.burst.api;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A command a plugin registers: its id, an optional name, and whether it is idempotent.
 *
 * <p>An idempotent command may be run twice: if its worker dies mid-task the proxy retries it once on
 * another worker instead of answering "worker lost".
 *
 * @param id         the command id (any int)
 * @param name       a name clients may use instead of the id over HTTP ({@code [A-Za-z][A-Za-z0-9_.-]*})
 * @param idempotent whether a retry after a lost worker is safe
 */
public record Command(int id, Optional<String> name, boolean idempotent) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");

    /**
     * Validates the name.
     *
     * @throws IllegalArgumentException if the name does not match {@code [A-Za-z][A-Za-z0-9_.-]*}
     *                                  (at most 64 characters)
     */
    public Command {
        Objects.requireNonNull(name, "name");
        name.ifPresent(n -> {
            if (!NAME.matcher(n).matches()) {
                throw new IllegalArgumentException("command name '" + n + "' must match " + NAME.pattern());
            }
        });
    }

    /**
     * @param id the command id
     * @return an unnamed, non-idempotent command
     */
    public static Command of(int id) {
        return new Command(id, Optional.empty(), false);
    }

    /**
     * @param name the name
     * @return this command with a name
     */
    public Command named(String name) {
        return new Command(id, Optional.of(name), idempotent);
    }

    /** @return this command, marked idempotent */
    public Command asIdempotent() {
        return new Command(id, name, true);
    }
}
