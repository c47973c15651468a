package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad configuration stops start-up before any child is spawned, with a message naming the key. */
class ConfigErrorIT {

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "burst.group.default.workers, -1, 'an integer from 0 to 64'",
        "burst.group.nosuch.workers, 1, 'group ''nosuch'' is not in burst.groups'",
        "burst.http.port, 70000, 'an integer from 0 to 65535'",
        "burst.box.max-packet, 10, 'an integer from 24 to'",
        "burst.group.default.queue-timeout, 5s, 'an ISO-8601 duration'",
        "burst.htp.port, 8080, 'unknown key'",
        "burst.http.host, not_a_host, 'an IP address (v4 such as 127.0.0.1, or v6 such as ::1) or a host name'",
        "burst.admin.host, no-such-host.invalid, 'the host name does not resolve'",
    })
    void a_bad_value_stops_start_up_naming_the_key(String key, String value, String allowed, @TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").set(key, value).launch()) {
            assertTrue(burst.master.waitFor(30, TimeUnit.SECONDS), "the master exits");
            assertEquals(2, burst.master.exitValue(), burst.log());
            String log = burst.log();
            assertTrue(log.contains("configuration error: " + key + "=" + value), log);
            assertTrue(log.contains(allowed), log);
            assertTrue(burst.master.descendants().findAny().isEmpty(), "no child was started");
        }
    }

    @Test
    void the_config_file_is_read_and_a_bad_value_there_names_its_key(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/burst.properties"), "burst.groups=game,chat\nburst.group.chat.workers=x\n");
        try (Burst burst = Burst.in(home).plugin("hello").launch()) {
            assertTrue(burst.master.waitFor(30, TimeUnit.SECONDS));
            assertEquals(2, burst.master.exitValue());
            assertTrue(burst.log().contains("burst.group.chat.workers=x: an integer from 0 to 64"), burst.log());
        }
    }

    @Test
    void a_group_naming_a_missing_plugin_stops_start_up_naming_the_key(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").set("burst.group.default.plugins", "hello,nosuch").launch()) {
            assertTrue(burst.master.waitFor(60, TimeUnit.SECONDS), "the master exits");
            assertEquals(3, burst.master.exitValue(), burst.log());
            assertTrue(burst.log().contains("burst.group.default.plugins names plugin 'nosuch'"), burst.log());
        }
    }
}
