package dev.burst.api;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A command a plugin registers: its id, an optional name, and whether it is idempotent. Immutable; made
 * with {@link #of(int)} and refined with {@link #named(String)} and {@link #asIdempotent()}.
 *
 * <p>An idempotent command may be run twice: if its worker dies mid-task the proxy retries it once on
 * another worker instead of answering "worker lost".
 *
 * <p>A final class, not a record, so that options can be added without breaking compiled plugins.
 */
public final class Command {

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");

    private final int id;
    private final Optional<String> name;
    private final boolean idempotent;

    /**
     * The constructor of API 0.1.0, where {@code Command} was a record; kept so that plugins compiled
     * against it still link. Use {@link #of(int)}.
     *
     * @param id         the command id
     * @param name       its name, if any
     * @param idempotent whether a retry after a lost worker is safe
     * @throws IllegalArgumentException if the name does not match {@code [A-Za-z][A-Za-z0-9_.-]*}
     *                                  (at most 64 characters)
     * @deprecated use {@link #of(int)}, {@link #named(String)} and {@link #asIdempotent()}
     */
    @Deprecated
    public Command(int id, Optional<String> name, boolean idempotent) {
        Objects.requireNonNull(name, "name");
        name.ifPresent(n -> {
            if (!NAME.matcher(n).matches()) {
                throw new IllegalArgumentException("command name '" + n + "' must match " + NAME.pattern());
            }
        });
        this.id = id;
        this.name = name;
        this.idempotent = idempotent;
    }

    /**
     * @param id the command id (any int), as clients send it
     * @return an unnamed, non-idempotent command
     */
    @SuppressWarnings("deprecation")
    public static Command of(int id) {
        return new Command(id, Optional.empty(), false);
    }

    /**
     * @param name a name clients may use instead of the id over HTTP ({@code POST /cmd/{name}})
     * @return this command with a name
     * @throws IllegalArgumentException if the name does not match {@code [A-Za-z][A-Za-z0-9_.-]*}
     *                                  (at most 64 characters)
     */
    @SuppressWarnings("deprecation")
    public Command named(String name) {
        return new Command(id, Optional.of(Objects.requireNonNull(name, "name")), idempotent);
    }

    /** @return this command, marked idempotent */
    @SuppressWarnings("deprecation")
    public Command asIdempotent() {
        return new Command(id, name, true);
    }

    /** @return the command id */
    public int id() {
        return id;
    }

    /** @return the name clients may use over HTTP, if it has one */
    public Optional<String> name() {
        return name;
    }

    /** @return whether a retry after a lost worker is safe */
    public boolean idempotent() {
        return idempotent;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Command c && c.id == id && c.name.equals(name) && c.idempotent == idempotent;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, name, idempotent);
    }

    @Override
    public String toString() {
        return "cmd " + id + name.map(n -> " (" + n + ")").orElse("") + (idempotent ? ", idempotent" : "");
    }
}
