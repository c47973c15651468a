package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API's users and push endpoints (maple's trigger) against a real burst, with Box clients that log
 * in through the admin-probe fixture (cmd 930 logs in as the body's user, cmd 931 lists the disconnect events
 * its one worker ran), and bin/burstctl's push, users and kick over them.
 */
class AdminUsersIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a client waits to be sure that nothing was pushed to it. */
    private static final int QUIET_MILLIS = 300;

    private static Burst.Builder probe(Path home) {
        return Burst.in(home).plugin("admin-probe").set("burst.group.default.workers", "1");
    }

    /** @return a Box client logged in as the user */
    private static BoxClient login(Burst burst, String user) throws IOException {
        BoxClient c = burst.box();
        BoxClient.Reply r = c.call(930, 1, user);
        assertEquals(0, r.ret(), "login of " + user + ": " + r.text());
        assertEquals("ok", r.text());
        return c;
    }

    /** Reads one pushed frame: the cmd, ret 0, sn 0 and the body. */
    private static void assertPushed(BoxClient c, int cmd, byte[] body) throws IOException {
        BoxClient.Reply r = c.read();
        assertEquals(cmd, r.cmd());
        assertEquals(0, r.ret());
        assertEquals(0, r.sn(), "a push has sn 0");
        assertArrayEquals(body, r.body());
    }

    /** Nothing arrives within a short bounded read. */
    private static void assertNothingPushed(BoxClient c, String who) throws IOException {
        c.socket.setSoTimeout(QUIET_MILLIS);
        try {
            assertThrows(SocketTimeoutException.class, c::read, who + " should have received nothing");
        } finally {
            c.socket.setSoTimeout(60_000);
        }
    }

    private static JsonNode ok(HttpResponse<String> r) throws IOException {
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void an_operator_pushes_to_named_users_and_to_all_looks_them_up_and_closes_one(@TempDir Path home)
            throws Exception {
        try (Burst burst = probe(home).start();
             BoxClient u1 = login(burst, "u1"); BoxClient u2 = login(burst, "u2"); BoxClient u3 = login(burst, "u3")) {

            JsonNode named = ok(burst.admin("POST", "/admin/push",
                    "{\"users\":[\"u1\",\"u3\",\"nobody\"],\"cmd\":4000,\"body\":\"héllo\"}"));
            assertEquals(JSON.readTree("""
                    {"delivered":2,"offline":1,"dropped":0,"offline_users":["nobody"],
                     "users":{"u1":"delivered","u3":"delivered","nobody":"offline"}}"""), named);
            assertPushed(u1, 4000, utf8("héllo"));
            assertPushed(u3, 4000, utf8("héllo"));
            assertNothingPushed(u2, "u2, not named");

            byte[] bytes = {0, 1, 2, (byte) 0xff};
            JsonNode all = ok(burst.admin("POST", "/admin/push",
                    "{\"all\":true,\"cmd\":4001,\"body\":\"AAEC/w==\",\"encoding\":\"base64\"}"));
            assertEquals(3, all.get("delivered").asInt(), all.toString());
            assertEquals(0, all.get("offline").asInt());
            for (BoxClient c : List.of(u1, u2, u3)) {
                assertPushed(c, 4001, bytes);
            }
            for (BoxClient c : List.of(u1, u2, u3)) {
                assertNothingPushed(c, "a client that had its one frame of the push to all");
            }

            JsonNode list = ok(burst.admin("GET", "/admin/users", null));
            assertEquals(3, list.get("online").asInt());
            assertEquals(JSON.readTree("[\"u1\",\"u2\",\"u3\"]"), list.get("users"));
            JsonNode page = ok(burst.admin("GET", "/admin/users?limit=2", null));
            assertEquals(3, page.get("online").asInt(), "the count is of every user, the page of the first 2");
            assertEquals(JSON.readTree("[\"u1\",\"u2\"]"), page.get("users"));

            JsonNode one = ok(burst.admin("GET", "/admin/users/u2", null));
            assertEquals("u2", one.get("user").asText());
            assertEquals(true, one.get("online").asBoolean());
            assertEquals(1, one.get("connections").size(), one.toString());
            JsonNode conn = one.get("connections").get(0);
            assertEquals("box", conn.get("protocol").asText());
            assertEquals("127.0.0.1:" + u2.localPort(), conn.get("client").asText());
            assertTrue(conn.get("id").isIntegralNumber(), conn.toString());
            Instant since = Instant.parse(conn.get("since").asText());
            assertTrue(!since.isAfter(Instant.now()) && since.isAfter(Instant.now().minusSeconds(300)), conn.toString());
            JsonNode nobody = ok(burst.admin("GET", "/admin/users/nobody", null));
            assertEquals(false, nobody.get("online").asBoolean());
            assertEquals(0, nobody.get("connections").size());

            JsonNode closed = ok(burst.admin("POST", "/admin/users/close", "{\"users\":[\"u2\"]}"));
            assertEquals(JSON.readTree("""
                    {"closed":1,"offline":0,"offline_users":[],"users":{"u2":"closed"}}"""), closed);
            assertTrue(u2.closedByServer(), "u2's connection was closed (EOF)");
            burst.await(() -> usersStat(burst).get("users_online").asInt() == 2, "u2 is offline in stat",
                    Duration.ofSeconds(10));
            assertEquals(false, ok(burst.admin("GET", "/admin/users/u2", null)).get("online").asBoolean());
            burst.await(() -> disconnects(burst).equals("u2 CLOSED_BY_PUSH"),
                    "the disconnect handler ran once for u2, closed by push", Duration.ofSeconds(10));

            JsonNode again = ok(burst.admin("POST", "/admin/push", "{\"users\":[\"u2\"],\"cmd\":4002}"));
            assertEquals(List.of("u2"), List.of(again.get("offline_users").get(0).asText()));
            assertEquals(0, again.get("delivered").asInt());
            assertNothingPushed(u1, "u1, not named");

            JsonNode users = usersStat(burst);
            assertEquals(2, users.get("users_online").asInt());
            assertEquals(3, users.get("logins").asInt());
            assertEquals(1, users.get("disconnect_events").get("closed_with_user").asInt());
            JsonNode pushes = users.get("pushes");
            assertEquals(3, pushes.get("requested").asInt(), pushes.toString());
            assertEquals(5, pushes.get("delivered").asInt(), pushes.toString());
            assertEquals(2, pushes.get("offline").asInt(), pushes.toString());
            assertEquals(0, pushes.get("dropped_slow").asInt(), pushes.toString());

            String metrics = burst.admin("GET", "/metrics", null).body();
            for (String sample : List.of("burst_users_online 2", "burst_connections{protocol=\"box\"} 2",
                    "burst_logins_total 3", "burst_pushes_total 3", "burst_push_outcomes_total{outcome=\"delivered\"} 5",
                    "burst_push_outcomes_total{outcome=\"offline\"} 2", "burst_user_disconnects_total 1")) {
                assertTrue(metrics.lines().anyMatch(sample::equals), "'" + sample + "' in\n" + metrics);
            }
        }
    }

    @Test
    void bad_input_answers_400_naming_what_was_wrong_and_nothing_reaches_a_client(@TempDir Path home)
            throws Exception {
        try (Burst burst = probe(home).start(); BoxClient u1 = login(burst, "u1"); BoxClient u2 = login(burst, "u2")) {
            Map<String, String> push = Map.ofEntries(
                    Map.entry("not json", "not JSON"),
                    Map.entry("{\"users\":[\"u1\"],\"all\":true,\"cmd\":1,\"body\":\"x\"}", "not both"),
                    Map.entry("{\"cmd\":1,\"body\":\"x\"}", "say whom to push to"),
                    Map.entry("{\"users\":[],\"cmd\":1}", "users is empty"),
                    Map.entry("{\"users\":[\"u1\",\"\"],\"cmd\":1}", "a user id must not be empty"),
                    Map.entry("{\"users\":[\"u1\",\"" + "x".repeat(129) + "\"],\"cmd\":1}", "at most 128 bytes"),
                    Map.entry("{\"all\":true,\"body\":\"x\"}", "cmd is missing"),
                    Map.entry("{\"all\":true,\"cmd\":\"one\"}", "cmd must be an integer"),
                    Map.entry("{\"all\":true,\"cmd\":1,\"body\":\"@@\",\"encoding\":\"base64\"}", "not valid base64"),
                    Map.entry("{\"all\":true,\"cmd\":1,\"body\":\"x\",\"encoding\":\"latin1\"}", "encoding must be"));
            for (var c : push.entrySet()) {
                assertRefused(burst.admin("POST", "/admin/push", c.getKey()), c.getValue());
            }
            Map<String, String> close = Map.of(
                    "not json", "not JSON",
                    "{\"all\":true}", "unknown field 'all'",
                    "{\"users\":[]}", "users is empty",
                    "{\"users\":[\"u1\",\"\"]}", "a user id must not be empty",
                    "{\"users\":[\"u1\"],\"body\":\"bye\"}", "a last frame needs its cmd",
                    "{\"users\":[\"u1\"],\"cmd\":1,\"body\":\"%\",\"encoding\":\"base64\"}", "not valid base64");
            for (var c : close.entrySet()) {
                assertRefused(burst.admin("POST", "/admin/users/close", c.getKey()), c.getValue());
            }
            for (String limit : List.of("0", "10001", "ten")) {
                assertRefused(burst.admin("GET", "/admin/users?limit=" + limit, null), "limit must be a whole number");
            }
            assertRefused(burst.admin("GET", "/admin/users/" + "x".repeat(129), null), "at most 128 bytes");

            String huge = "{\"all\":true,\"cmd\":1,\"body\":\"" + "x".repeat(70_000) + "\"}";
            HttpResponse<String> tooLarge = burst.admin("POST", "/admin/push", huge);
            assertEquals(413, tooLarge.statusCode(), tooLarge.body());
            assertTrue(JSON.readTree(tooLarge.body()).get("error").asText().contains("burst.admin.max-body"),
                    tooLarge.body());

            List<String[]> secured = List.of(new String[] {"POST", "/admin/push", "{\"all\":true,\"cmd\":1}"},
                    new String[] {"POST", "/admin/users/close", "{\"users\":[\"u1\",\"u2\"]}"},
                    new String[] {"GET", "/admin/users", null}, new String[] {"GET", "/admin/users/u1", null});
            for (String[] call : secured) {
                for (Optional<String> token : List.of(Optional.<String>empty(), Optional.of("not-the-token"))) {
                    HttpResponse<String> r = burst.admin(call[0], call[1], call[2], token);
                    assertEquals(401, r.statusCode(), call[1] + " with " + token);
                    assertTrue(JSON.readTree(r.body()).has("error"), r.body());
                }
            }

            assertNothingPushed(u1, "u1, after only refused calls");
            assertNothingPushed(u2, "u2, after only refused calls");
            JsonNode stat = burst.stat();
            assertEquals(8, stat.get("admin_auth_failures").asInt());
            assertEquals(2, stat.get("users").get("users_online").asInt(), "nobody was closed");
            assertEquals(0, stat.get("users").get("pushes").get("requested").asInt(), "nothing was pushed");
            assertEquals("ok", u1.call(930, 2, "u1").text(), "the connection still serves");
        }
    }

    @Test
    void burstctl_pushes_lists_users_and_kicks_against_a_live_burst(@TempDir Path home) throws Exception {
        try (Burst burst = probe(home).start(); BoxClient u1 = login(burst, "u1"); BoxClient u2 = login(burst, "u2")) {
            Run push = burstctl(burst, "push", "--cmd", "4100", "--body", "from burstctl", "u1", "nobody");
            assertEquals(0, push.code(), push.err());
            assertEquals("push of cmd 4100: delivered to 1 connection(s), 1 user(s) offline (nobody), 0 dropped as slow"
                    + " consumers\n", push.out());
            assertPushed(u1, 4100, utf8("from burstctl"));
            assertNothingPushed(u2, "u2, not named");

            Run all = burstctl(burst, "push", "--all", "--cmd", "4101", "--base64", "--body", "AAEC/w==");
            assertEquals(0, all.code(), all.err());
            for (BoxClient c : List.of(u1, u2)) {
                assertPushed(c, 4101, new byte[] {0, 1, 2, (byte) 0xff});
            }

            Run list = burstctl(burst, "users");
            assertEquals("2 user(s) online\nu1\nu2\n", list.out(), list.err());
            Run one = burstctl(burst, "users", "u2");
            assertTrue(one.out().startsWith("u2: online, 1 connection(s)\n"), one.out());
            assertTrue(one.out().contains(" box       127.0.0.1:" + u2.localPort() + "  "), one.out());

            try (BoxClient odd = login(burst, "team a/1?x")) {
                Run path = burstctl(burst, "users", "team a/1?x");
                assertTrue(path.out().startsWith("team a/1?x: online, 1 connection(s)\n"), path.out() + path.err());
            }

            Run kick = burstctl(burst, "kick", "u2", "--cmd", "4102", "--body", "bye");
            assertEquals(0, kick.code(), kick.err());
            assertTrue(kick.out().startsWith("closed 1 connection(s) after a last frame of cmd 4102"), kick.out());
            assertPushed(u2, 4102, utf8("bye"));
            assertTrue(u2.closedByServer(), "u2's connection was closed after its last frame");

            Run bad = burstctl(burst, "push", "--cmd", "1", "--base64", "--body", "@@", "u1");
            assertEquals(1, bad.code(), bad.out());
            assertTrue(bad.err().startsWith("burstctl: body is not valid base64"), bad.err());
            assertNothingPushed(u1, "u1, after a refused push");
        }
    }

    private record Run(int code, String out, String err) {
    }

    /** bin/burstctl of the distribution, on this burst's run directory. */
    private static Run burstctl(Burst burst, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Burst.DIST.resolve("bin/burstctl").toString(), "--run-dir",
                burst.home.resolve("run").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE);
        pb.environment().remove("JAVA_HOME");
        pb.environment().remove("BURST_ADMIN_TOKEN");
        Process p = pb.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "burstctl " + String.join(" ", args) + " exits");
        return new Run(p.exitValue(), out, err.get());
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertRefused(HttpResponse<String> r, String says) throws IOException {
        assertEquals(400, r.statusCode(), r.body());
        String error = JSON.readTree(r.body()).get("error").asText();
        assertTrue(error.contains(says), "'" + error + "' should say '" + says + "'");
    }

    private static JsonNode usersStat(Burst burst) {
        try {
            return burst.stat().get("users");
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** @return the disconnect events the probe's one worker ran, one "user reason" a line */
    private static String disconnects(Burst burst) {
        try (BoxClient c = burst.box()) {
            return c.call(931, 1, "").text();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
