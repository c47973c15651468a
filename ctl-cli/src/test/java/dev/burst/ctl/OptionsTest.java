package dev.burst.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void options_come_before_the_command_and_everything_after_it_belongs_to_the_command() throws Exception {
        Options o = Options.parse(List.of("--url", "http://127.0.0.1:9910/", "--token=abc", "--run-dir", "/opt/run",
                "--json", "stat", "--loop", "2"));

        assertEquals(Optional.of(URI.create("http://127.0.0.1:9910")), o.url());
        assertEquals(Optional.of("abc"), o.token());
        assertEquals(Optional.of(Path.of("/opt/run")), o.runDir());
        assertTrue(o.json());
        assertEquals(List.of("stat", "--loop", "2"), o.command());
    }

    @Test
    void no_arguments_mean_the_console() throws Exception {
        Options o = Options.parse(List.of());

        assertTrue(o.command().isEmpty());
        assertFalse(o.json());
        assertFalse(o.help());
    }

    @Test
    void an_unknown_option_a_missing_value_or_a_url_that_is_not_http_is_a_usage_error() {
        assertThrows(UsageException.class, () -> Options.parse(List.of("--verbose", "stat")));
        assertThrows(UsageException.class, () -> Options.parse(List.of("--token")));
        assertThrows(UsageException.class, () -> Options.parse(List.of("--token=", "stat")));
        assertThrows(UsageException.class, () -> Options.parse(List.of("--url", "127.0.0.1:9910", "stat")));
        assertThrows(UsageException.class, () -> Options.parse(List.of("--url", "ftp://host:1", "stat")));
        assertThrows(UsageException.class, () -> Options.parse(List.of("--url", "http://host:1/admin", "stat")));
    }

    @Test
    void stat_takes_a_loop_interval_in_seconds_a_count_and_diff() throws Exception {
        var args = StatCommand.Args.parse(List.of("--loop", "0.5", "--count", "3", "--diff"));

        assertEquals(Optional.of(Duration.ofMillis(500)), args.every());
        assertEquals(OptionalLong.of(3), args.count());
        assertTrue(args.diff());
    }

    @Test
    void stat_alone_is_one_sample_and_diff_alone_is_two_samples_a_second_apart() throws Exception {
        var once = StatCommand.Args.parse(List.of());
        var diff = StatCommand.Args.parse(List.of("--diff"));
        var loop = StatCommand.Args.parse(List.of("--loop", "5"));

        assertEquals(Optional.empty(), once.every());
        assertEquals(Optional.of(Duration.ofSeconds(1)), diff.every());
        assertEquals(OptionalLong.of(2), diff.count());
        assertEquals(OptionalLong.empty(), loop.count());
    }

    @Test
    void stat_refuses_bad_intervals_counts_and_words() {
        for (List<String> bad : List.of(List.of("--loop"), List.of("--loop", "x"), List.of("--loop", "0"),
                List.of("--loop", "-1"), List.of("--count", "0"), List.of("--count", "1.5"), List.of("--loud"))) {
            assertThrows(UsageException.class, () -> StatCommand.Args.parse(bad), bad::toString);
        }
    }
}
