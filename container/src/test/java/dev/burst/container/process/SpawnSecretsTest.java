package dev.burst.container.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpawnSecretsTest {

    private final byte[] key = SpawnSecrets.randomKey();

    @Test
    void a_worker_secret_verifies_for_the_group_and_slot_it_was_made_for() {
        String secret = SpawnSecrets.forWorker(key, "game", 2);

        assertTrue(SpawnSecrets.verifyWorker(key, "game", 2, secret));
    }

    @Test
    void a_worker_secret_does_not_verify_for_another_slot_group_or_key() {
        String secret = SpawnSecrets.forWorker(key, "game", 2);

        assertFalse(SpawnSecrets.verifyWorker(key, "game", 3, secret));
        assertFalse(SpawnSecrets.verifyWorker(key, "chat", 2, secret));
        assertFalse(SpawnSecrets.verifyWorker(SpawnSecrets.randomKey(), "game", 2, secret));
    }

    @Test
    void a_malformed_or_empty_secret_does_not_verify() {
        assertFalse(SpawnSecrets.verifyWorker(key, "game", 2, ""));
        assertFalse(SpawnSecrets.verifyWorker(key, "game", 2, "."));
        assertFalse(SpawnSecrets.verifyWorker(key, "game", 2, "abc."));
        assertFalse(SpawnSecrets.verifyWorker(key, "game", 2, ".abc"));
        assertFalse(SpawnSecrets.verifyWorker(key, "game", 2, "nodot"));
    }

    @Test
    void every_spawn_gets_a_new_secret() {
        assertNotEquals(SpawnSecrets.forWorker(key, "game", 2), SpawnSecrets.forWorker(key, "game", 2));
    }

    @Test
    void a_key_survives_the_environment_as_hex() {
        assertEquals(Optional.of(SpawnSecrets.hex(key)), SpawnSecrets.parseKey(SpawnSecrets.hex(key)).map(SpawnSecrets::hex));
        assertTrue(SpawnSecrets.parseKey("zz").isEmpty());
        assertTrue(SpawnSecrets.parseKey("abcd").isEmpty());
    }

    @Test
    void proxy_secrets_compare_exactly() {
        assertTrue(SpawnSecrets.matches("abc", "abc"));
        assertFalse(SpawnSecrets.matches("abc", "abd"));
        assertFalse(SpawnSecrets.matches("abc", ""));
    }
}
