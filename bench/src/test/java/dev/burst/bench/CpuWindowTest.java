package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuWindowTest {

    @Test
    void the_calls_made_between_two_samples_are_their_difference_per_unit_of_work() {
        ProcStats.Io used = new ProcStats.Io(1_500, 700).minus(new ProcStats.Io(1_000, 300));
        assertEquals(new ProcStats.Io(500, 400), used);
        assertEquals(new ProcStats.Calls(2.5, 2.0), used.per(200));
        assertEquals(new ProcStats.Calls(0, 0), used.per(0));
        assertEquals(Map.of("read", 2.5, "write", 2.0), used.per(200).json());
    }

    @Test
    void a_window_counts_the_write_calls_a_process_made_in_it_per_answered_request(@TempDir Path dir) throws Exception {
        long self = ProcessHandle.current().pid();
        CpuWindow window = CpuWindow.open(Map.of("client", List.of(self), "gone", List.of(Long.MAX_VALUE)));
        try (FileOutputStream out = new FileOutputStream(dir.resolve("f").toFile())) {
            for (int i = 0; i < 300; i++) {
                out.write(i);       // unbuffered: one write(2) each
            }
        }
        window.close();
        LoadStats stats = new LoadStats("boxload", 100, 0, 1, 0.1, 0.2, 0.3, 1, List.of(), Optional.empty(), "");
        Scenario.Side side = window.side(stats, null, 0);
        ProcStats.Calls client = side.syscallsPerRequest().get("client");
        assertTrue(client.writes() >= 3.0, "300 writes over 100 requests, at least 3 per request: " + client);
        assertFalse(side.syscallsPerRequest().containsKey("gone"), "a process /proc does not know has no count");
        assertEquals(300, Files.size(dir.resolve("f")));
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) side.json().get("syscalls_per_request");
        assertEquals(client.json(), json.get("client"));
    }

    @Test
    void the_table_shows_the_servers_calls_and_leaves_out_the_clients_and_the_masters() {
        LoadStats stats = new LoadStats("boxload", 100, 0, 1, 0.1, 0.2, 0.3, 1, List.of(), Optional.empty(), "");
        Map<String, ProcStats.Calls> calls = new LinkedHashMap<>();
        calls.put("proxy", new ProcStats.Calls(2.04, 2.0));
        calls.put("workers", new ProcStats.Calls(1.0, 1.0));
        calls.put("master", new ProcStats.Calls(0.01, 0.0));
        calls.put("client", new ProcStats.Calls(1.0, 1.0));
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpu.put("proxy", 35.0);
        cpu.put("workers", 11.0);
        Scenario.Side side = new Scenario.Side(stats, cpu, calls, 99, 3);
        assertEquals("proxy 35 workers 11 | syscalls r/w proxy 2.0/2.0 workers 1.0/1.0 ", Report.cpu(side));
        assertEquals("proxy 35 workers 11 ", Report.cpu(new Scenario.Side(stats, cpu, 99, 3)));
    }
}
