// Frozen copy of API 0.1.0 that the old-api fixture compiles against; never edit.
// The real classes come from the worker at run time: the fixture jar leaves dev/burst/api out.
package dev.burst.api;

import java.util.Optional;

public record Command(int id, Optional<String> name, boolean idempotent) {

    public static Command of(int id) {
        throw new UnsupportedOperationException("API stub");
    }

    public Command named(String name) {
        throw new UnsupportedOperationException("API stub");
    }

    public Command asIdempotent() {
        throw new UnsupportedOperationException("API stub");
    }
}
