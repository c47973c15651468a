package dev.burst.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandTest {

    @Test
    void a_plain_command_has_no_name_and_is_not_idempotent() {
        Command c = Command.of(7);
        assertEquals(7, c.id());
        assertEquals(Optional.empty(), c.name());
        assertFalse(c.idempotent());
    }

    @Test
    void named_and_idempotent_keep_the_id() {
        Command c = Command.of(3).named("login").asIdempotent();
        assertEquals(3, c.id());
        assertEquals(Optional.of("login"), c.name());
        assertTrue(c.idempotent());
    }

    @Test
    void a_name_that_cannot_be_a_path_segment_is_refused() {
        assertThrows(IllegalArgumentException.class, () -> Command.of(1).named("a/b"));
        assertThrows(IllegalArgumentException.class, () -> Command.of(1).named("1abc"));
    }
}
