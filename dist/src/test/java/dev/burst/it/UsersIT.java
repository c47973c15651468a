package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users and push over Box/TCP (and WebSocket, where both are mixed), with real processes: two workers (a login on one, a push from the other
 * both go through the proxy), the push-probe fixture and hello. Pushed frames have sn 0 and ret 0.
 */
class UsersIT {

    private static final int LOGIN = 900;
    private static final int MANY = 901;
    private static final int TO_USERS = 902;
    private static final int TO_ALL = 903;
    private static final int CLOSE = 904;
    private static final int WHOAMI = 907;

    @TempDir
    static Path home;
    static Burst burst;

    @BeforeAll
    static void start() throws IOException {
        burst = Burst.in(home).plugin("hello").plugin("push-probe")
                .set("burst.group.default.workers", "2")
                .start();
    }

    @AfterAll
    static void stop() {
        burst.close();
    }

    @Test
    void a_login_binds_the_connection_and_its_later_requests_carry_the_user_on_any_worker() throws Exception {
        try (BoxClient ann = login("ann-1")) {
            for (int sn = 2; sn < 10; sn++) {
                assertEquals("ann-1", ask(ann, WHOAMI, sn, "").text());
            }
            assertEquals("bye", ask(ann, 906, 10, "").text());
            assertEquals("none", ask(ann, WHOAMI, 11, "").text());
        }
    }

    @Test
    void a_login_over_http_fails_the_request_with_an_illegal_state() throws Exception {
        HttpResponse<byte[]> r = burst.post("900", "someone");

        assertEquals(500, r.statusCode());
        assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("IllegalStateException"));
    }

    @Test
    void a_push_to_named_users_reaches_exactly_those_and_its_outcome_names_the_offline_ones() throws Exception {
        try (BoxClient ann = login("ann-2"); BoxClient bob = login("bob-2"); BoxClient cid = login("cid-2")) {
            BoxClient.Reply sent = ask(ann, TO_USERS, 5, "bob-2,cid-2,nobody-2\nhi there");
            assertEquals("sent", sent.text());

            assertPush(bob.read(), 951, "hi there");
            assertPush(cid.read(), 951, "hi there");
            assertPush(ann.read(), 954, "delivered=2 offline=1 dropped=0 offline_users=[nobody-2]");
            assertNothingMore(bob, cid);
        }
    }

    /** Reads the next frame of a connection, Box/TCP or WebSocket. */
    @FunctionalInterface
    private interface Frames {
        BoxClient.Reply read() throws Exception;
    }

    @Test
    void a_push_to_all_reaches_each_of_a_thousand_users_on_box_and_websocket_exactly_once() throws Exception {
        List<BoxClient> boxes = new ArrayList<>();
        List<WebSocketIT.WsClient> sockets = new ArrayList<>();
        List<Frames> everyone = new ArrayList<>();
        try (BoxClient anonymous = burst.box()) {
            for (int i = 0; i < 500; i++) {
                BoxClient b = login("box-all-" + i);
                boxes.add(b);
                everyone.add(b::read);
                WebSocketIT.WsClient w = WebSocketIT.WsClient.open(burst);
                sockets.add(w);
                assertEquals("ok", w.call(LOGIN, 1, "ws-all-" + i).text());
                everyone.add(w::read);
            }
            BoxClient sender = boxes.get(7);
            sender.send(TO_ALL, 3, "to everyone");
            assertPush(sender.read(), 952, "to everyone"); // the sender is logged in too: its push comes first
            assertEquals(3, sender.read().sn());
            boxes.get(9).send(TO_ALL, 4, "end");

            for (Frames f : everyone) {
                List<String> got = new ArrayList<>(f == everyone.get(14) ? List.of("to everyone") : List.of()); // 14: box 7
                BoxClient.Reply r;
                while (!(r = f.read()).text().equals("end")) {
                    if (r.sn() == 0) {
                        assertEquals(952, r.cmd());
                        got.add(r.text());
                    }
                }
                assertEquals(List.of("to everyone"), got);
            }
            assertEquals("none", anonymous.call(WHOAMI, 1, "").text(), "a connection nobody logged in gets no push");
        } finally {
            for (BoxClient c : boxes) {
                c.close();
            }
            for (WebSocketIT.WsClient w : sockets) {
                w.close();
            }
        }
    }

    @Test
    void a_handler_that_pushes_a_hundred_frames_then_replies_is_read_in_that_order() throws Exception {
        try (BoxClient ann = login("ann-3")) {
            ann.send(MANY, 42, "100");
            for (int i = 0; i < 100; i++) {
                assertPush(ann.read(), 950, Integer.toString(i));
            }
            BoxClient.Reply reply = ann.read();
            assertEquals(42, reply.sn());
            assertEquals("done", reply.text());
        }
    }

    @Test
    void a_second_login_kicks_the_older_connection_with_the_kick_frame_and_its_disconnect_runs_once()
            throws Exception {
        try (BoxClient watcher = login("watcher-4"); BoxClient first = login("dana-4"); BoxClient second = login("dana-4")) {
            BoxClient.Reply kick = first.read();
            assertEquals(0, kick.cmd());
            assertEquals(-10005, kick.ret());
            assertEquals(0, kick.sn());
            assertEquals("logged in elsewhere", kick.text());
            assertTrue(first.closedByServer());

            assertEquals("dana-4", ask(second, WHOAMI, 3, "").text());
            assertEquals(List.of("left dana-4 KICKED gen 1"), leftLines(watcher, "dana-4"));
        }
    }

    @Test
    void closing_users_sends_them_the_last_frame_then_closes_and_their_disconnect_runs_once() throws Exception {
        try (BoxClient watcher = login("watcher-5"); BoxClient eve = login("eve-5")) {
            watcher.send(CLOSE, 2, "eve-5"); // its reply may come after the announcement: leftLines skips it

            assertPush(eve.read(), 953, "bye");
            assertTrue(eve.closedByServer());
            assertEquals(List.of("left eve-5 CLOSED_BY_PUSH gen 1"), leftLines(watcher, "eve-5"));
        }
    }

    @Test
    void a_client_that_closes_its_connection_runs_the_disconnect_handler_once() throws Exception {
        try (BoxClient watcher = login("watcher-6")) {
            BoxClient fay = login("fay-6");
            fay.close();

            assertEquals(List.of("left fay-6 CLIENT_CLOSED gen 1"), leftLines(watcher, "fay-6"));
        }
    }

    @Test
    void under_allow_a_second_login_keeps_both_connections_and_a_push_reaches_both(@TempDir Path own) throws Exception {
        try (Burst allowing = Burst.in(own).plugin("push-probe").set("burst.group.default.workers", "1")
                .set("burst.users.duplicate-login", "allow").start();
             BoxClient first = login(allowing, "gus-7"); BoxClient second = login(allowing, "gus-7");
             BoxClient sender = login(allowing, "sender-7")) {
            ask(sender, TO_USERS, 2, "gus-7\nto both");

            assertPush(first.read(), 951, "to both");
            assertPush(second.read(), 951, "to both");
            assertEquals("gus-7", ask(first, WHOAMI, 3, "").text());
            assertEquals(0, allowing.stat().path("users").path("kicks").asLong());
        }
    }

    @Test
    void after_a_reload_the_new_generation_s_disconnect_handler_runs_for_a_connection_bound_before(@TempDir Path own)
            throws Exception {
        try (Burst reloading = Burst.in(own).plugin("push-probe").set("burst.group.default.workers", "2").start();
             BoxClient watcher = login(reloading, "watcher-8")) {
            BoxClient hal = login(reloading, "hal-8");
            reloading.reload();

            hal.close();

            assertEquals(List.of("left hal-8 CLIENT_CLOSED gen 2"), leftLines(watcher, "hal-8"));
            assertEquals("watcher-8", ask(watcher, WHOAMI, 5, "").text(), "a login survives a reload");
        }
    }

    @Test
    void a_client_that_never_reads_its_pushes_is_cut_off_alone_and_nothing_else_waits_for_it(@TempDir Path own)
            throws Exception {
        try (Burst small = Burst.in(own).plugin("hello").plugin("push-probe").set("burst.group.default.workers", "2")
                .set("burst.connection.max-outbound", "65536").start();
             BoxClient watcher = login(small, "watcher-9"); BoxClient pusher = login(small, "pusher-9");
             BoxClient probe = small.box()) {
            BoxClient sleeper = new BoxClient(small.boxPort, 4096);
            assertEquals("ok", sleeper.call(LOGIN, 1, "ivy-9").text());
            String big = "x".repeat(64 * 1024);
            boolean cut = false;
            for (int i = 0; i < 400 && !cut; i++) {
                pusher.send(TO_USERS, 1000 + i, "ivy-9\n" + big);
                assertEquals("sent", replyTo(pusher, 1000 + i).text(), "push " + i);
                drainOutcome(pusher);
                assertEquals("still here " + i, probe.call(1, i + 1, "still here " + i).text());
                cut = small.stat().path("users").path("pushes").path("dropped_slow").asLong() > 0;
            }

            assertTrue(cut, "the sleeper was never cut off");
            assertEquals(List.of("left ivy-9 SLOW_CONSUMER gen 1"), leftLines(watcher, "ivy-9"));
            assertTrue(small.stat().path("connections").path("box").path("closed_slow_consumer").asLong() >= 1);
            assertTrue(small.log().contains("as a slow consumer"), "a log line names the slow consumer");
            small.awaitLog("of user ivy-9 was closed as a slow consumer", Duration.ofSeconds(30));
            sleeper.close();
        }
    }

    /** The pusher's own outcome notice (cmd 954) comes after its reply; announcements (cmd 955) may come between. */
    private static void drainOutcome(BoxClient pusher) throws IOException {
        BoxClient.Reply r;
        while ((r = pusher.read()).cmd() == 955) {
            assertEquals(0, r.sn());
        }
        assertEquals(954, r.cmd(), "the push outcome notice");
    }

    /** Sends a request and returns its reply, skipping the pushes that come before it. */
    private static BoxClient.Reply ask(BoxClient c, int cmd, int sn, String body) throws IOException {
        c.send(cmd, sn, body);
        return replyTo(c, sn);
    }

    /** @return the reply with this sn, skipping the pushes before it */
    private static BoxClient.Reply replyTo(BoxClient c, int sn) throws IOException {
        BoxClient.Reply r;
        while ((r = c.read()).sn() != sn) {
            assertEquals(0, r.sn(), "only pushes come between");
        }
        return r;
    }

    private BoxClient login(String user) throws IOException {
        return login(burst, user);
    }

    private static BoxClient login(Burst on, String user) throws IOException {
        BoxClient c = on.box();
        BoxClient.Reply r = c.call(LOGIN, 1, user);
        assertEquals("ok", r.text(), "login of " + user);
        return c;
    }

    static void assertPush(BoxClient.Reply r, int cmd, String body) {
        assertEquals(cmd, r.cmd(), "cmd of a pushed frame");
        assertEquals(0, r.ret(), "ret of a pushed frame");
        assertEquals(0, r.sn(), "sn of a pushed frame");
        assertEquals(body, r.text());
    }

    /**
     * Reads the watcher's pushes until a marker it sends itself comes back, and keeps the disconnect
     * announcements of one user: a second announcement would be there too.
     */
    private static List<String> leftLines(BoxClient watcher, String user) throws Exception {
        List<String> lines = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        // The event is queued like a task; wait until one announcement arrived, then flush with a marker.
        // Other frames (a stray reply, other users' announcements) are skipped.
        while (lines.isEmpty() && System.nanoTime() < deadline) {
            BoxClient.Reply r = watcher.read();
            if (r.sn() == 0 && r.cmd() == 955 && r.text().startsWith("left " + user + " ")) {
                lines.add(r.text());
            }
        }
        String marker = "marker-" + user;
        String watcherName = "watcher-" + user.substring(user.lastIndexOf('-') + 1);
        watcher.send(TO_USERS, 99, watcherName + "\n" + marker);
        BoxClient.Reply r;
        while (!(r = watcher.read()).text().equals(marker)) {
            if (r.cmd() == 955 && r.text().startsWith("left " + user + " ")) {
                lines.add(r.text());
            }
        }
        replyTo(watcher, 99);
        drainOutcome(watcher);
        return lines;
    }

    /** Nothing more is waiting for these clients: a short read times out. */
    private static void assertNothingMore(BoxClient... clients) throws IOException {
        for (BoxClient c : clients) {
            c.socket.setSoTimeout(300);
            try {
                BoxClient.Reply extra = c.read();
                throw new AssertionError("an unexpected frame: cmd " + extra.cmd() + " " + extra.text());
            } catch (SocketTimeoutException expected) {
                // nothing came
            } finally {
                c.socket.setSoTimeout(60_000);
            }
        }
    }
}
