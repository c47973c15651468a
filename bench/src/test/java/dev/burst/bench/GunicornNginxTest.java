package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GunicornNginxTest {

    private static final Path DIR = Path.of("/tmp/burst-bench-123/peer");

    @Test
    void nginx_runs_in_the_foreground_with_its_pid_logs_and_temporary_files_in_the_peers_folder() {
        String conf = GunicornNginx.nginxConf(DIR, 8081, 8000, Optional.empty());
        List<String> lines = conf.lines().map(String::trim).toList();
        for (String line : List.of("daemon off;", "pid \"/tmp/burst-bench-123/peer/nginx.pid\";",
                "error_log \"/tmp/burst-bench-123/peer/nginx-error.log\" warn;", "access_log off;",
                "client_body_temp_path \"/tmp/burst-bench-123/peer/client_body_temp\";",
                "proxy_temp_path \"/tmp/burst-bench-123/peer/proxy_temp\";",
                "fastcgi_temp_path \"/tmp/burst-bench-123/peer/fastcgi_temp\";",
                "uwsgi_temp_path \"/tmp/burst-bench-123/peer/uwsgi_temp\";",
                "scgi_temp_path \"/tmp/burst-bench-123/peer/scgi_temp\";")) {
            assertTrue(lines.contains(line), line + " is not in:\n" + conf);
        }
        // nothing of the machine's own nginx: no include of /etc/nginx, no path outside the folder
        assertFalse(conf.contains("/etc/") || conf.contains("/var/") || conf.contains("include"), conf);
        assertEquals(conf.chars().filter(c -> c == '{').count(), conf.chars().filter(c -> c == '}').count(), conf);
    }

    @Test
    void nginx_listens_on_loopback_and_keeps_connections_to_gunicorn_open() {
        String conf = GunicornNginx.nginxConf(DIR, 8081, 8000, Optional.empty());
        List<String> lines = conf.lines().map(String::trim).toList();
        for (String line : List.of("listen 127.0.0.1:8081;", "server 127.0.0.1:8000;", "keepalive 16;", "proxy_pass http://gunicorn;",
                "proxy_http_version 1.1;", "proxy_set_header Connection \"\";")) {
            assertTrue(lines.contains(line), line + " is not in:\n" + conf);
        }
        assertEquals(1, lines.stream().filter(l -> l.startsWith("listen")).count(), conf);
    }

    @Test
    void the_workers_run_as_the_current_user_only_when_nginx_is_started_as_root() {
        assertFalse(GunicornNginx.nginxConf(DIR, 8081, 8000, Optional.empty()).contains("user "));
        assertTrue(GunicornNginx.nginxConf(DIR, 8081, 8000, Optional.of("alice")).lines().anyMatch(l -> l.equals("user alice;")));
    }

    @Test
    void a_folder_nginx_could_not_read_back_or_a_port_out_of_range_is_refused_by_name() {
        IllegalArgumentException space = assertThrows(IllegalArgumentException.class,
                () -> GunicornNginx.nginxConf(Path.of("/tmp/a b"), 8081, 8000, Optional.empty()));
        assertTrue(space.getMessage().contains("/tmp/a b"), space.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GunicornNginx.nginxConf(Path.of("/tmp/a;b"), 8081, 8000, Optional.empty()));
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
                () -> GunicornNginx.nginxConf(DIR, 70_000, 8000, Optional.empty()));
        assertTrue(port.getMessage().contains("70000"), port.getMessage());
    }

    @Test
    void the_wsgi_application_gunicorn_runs_is_in_the_benchmarks_jar() throws Exception {
        try (InputStream in = GunicornNginx.class.getResourceAsStream(GunicornNginx.APP)) {
            assertNotNull(in, GunicornNginx.APP);
            String app = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(app.contains("def app(environ, start_response):"), app);
            assertTrue(app.contains("\"Burst-Ret\", \"0\""), app);
        }
    }
}
