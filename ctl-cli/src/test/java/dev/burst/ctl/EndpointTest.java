package dev.burst.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EndpointTest {

    @TempDir
    Path dir;

    private static Options options(String... args) throws UsageException {
        return Options.parse(List.of(args));
    }

    private Path runDir(String ports, String token) throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.writeString(run.resolve("ports"), ports);
        if (token != null) {
            Files.writeString(run.resolve("admin.token"), token);
        }
        return run;
    }

    @Test
    void a_local_burst_is_found_by_the_admin_port_and_token_in_its_run_directory() throws Exception {
        Path run = runDir("#written by burst\nhttp=8080\nbox=9900\nadmin=9910\n", "t0ken\n");

        Endpoint e = Endpoint.resolve(options("--run-dir", run.toString(), "stat"), Map.of());

        assertEquals(URI.create("http://127.0.0.1:9910"), e.base());
        assertEquals(Optional.of("t0ken"), e.token());
    }

    @Test
    void the_token_option_beats_the_environment_which_beats_the_token_file() throws Exception {
        Path run = runDir("admin=9910\n", "from-file\n");
        Map<String, String> env = Map.of(Endpoint.TOKEN_ENV, "from-env");

        assertEquals(Optional.of("from-option"),
                Endpoint.resolve(options("--run-dir", run.toString(), "--token", "from-option"), env).token());
        assertEquals(Optional.of("from-env"), Endpoint.resolve(options("--run-dir", run.toString()), env).token());
        assertEquals(Optional.of("from-file"),
                Endpoint.resolve(options("--run-dir", run.toString()), Map.of()).token());
    }

    @Test
    void without_a_token_file_calls_go_without_a_token() throws Exception {
        Path run = runDir("admin=9910\n", null);

        assertEquals(Optional.empty(), Endpoint.resolve(options("--run-dir", run.toString()), Map.of()).token());
    }

    @Test
    void a_url_names_some_other_burst_so_the_default_run_directory_is_not_read() throws Exception {
        Endpoint e = Endpoint.resolve(options("--url", "http://10.0.0.5:9910"), Map.of());

        assertEquals(URI.create("http://10.0.0.5:9910"), e.base());
        assertEquals(Optional.empty(), e.token());
    }

    @Test
    void a_url_with_a_run_directory_takes_the_token_from_the_run_directory() throws Exception {
        Path run = runDir("admin=9910\n", "t0ken");

        Endpoint e = Endpoint.resolve(options("--url", "http://127.0.0.1:7000", "--run-dir", run.toString()), Map.of());

        assertEquals(URI.create("http://127.0.0.1:7000"), e.base());
        assertEquals(Optional.of("t0ken"), e.token());
    }

    @Test
    void a_missing_run_directory_says_where_it_looked_and_what_to_pass() {
        Path run = dir.resolve("nowhere");

        var e = assertThrows(UnreachableException.class,
                () -> Endpoint.resolve(options("--run-dir", run.toString()), Map.of()));

        assertTrue(e.getMessage().contains(run.resolve("ports").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("--url"), e.getMessage());
    }

    @Test
    void a_ports_file_without_a_usable_admin_port_is_reported() throws Exception {
        Path run = runDir("http=8080\nbox=9900\n", "t");
        var missing = assertThrows(UnreachableException.class, () -> Endpoint.adminPort(run));
        assertTrue(missing.getMessage().contains("no admin port"), missing.getMessage());

        Files.writeString(run.resolve("ports"), "admin=nine\n");
        var bad = assertThrows(UnreachableException.class, () -> Endpoint.adminPort(run));
        assertTrue(bad.getMessage().contains("bad admin port 'nine'"), bad.getMessage());
    }
}
