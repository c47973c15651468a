package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat example ({@code plugins/chat}) end to end over Box/TCP: logins, lines pushed to everyone and to
 * one user, the hook that wants a login, leaving and closing, and a reload in between. Each test runs its
 * own burst with two workers, so the room spans workers. A client keeps every frame it reads, in order;
 * a line it says itself is its fence: once the reply to it is read, every frame queued for that client
 * before it has been read too, so "exactly once" is checked without waiting on a clock.
 */
class ChatIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int LOGIN = 100;
    private static final int SAY = 101;
    private static final int TELL = 102;
    private static final int LEAVE = 103;
    private static final int JOINED = 200;
    private static final int LINE = 201;
    private static final int PRIVATE = 202;
    private static final int OFFLINE = 203;
    private static final int LEFT = 204;

    private static Burst chat(Path home) throws IOException {
        Burst burst = Burst.in(home).plugin("chat").start();
        burst.awaitWorkers(2, WAIT);
        return burst;
    }

    @Test
    void logged_in_users_see_later_joins_and_each_line_once_with_the_reply_after_it(@TempDir Path home)
            throws Exception {
        try (Burst burst = chat(home); Chatter ann = new Chatter(burst, "ann"); Chatter bob = new Chatter(burst, "bob")) {
            ann.login();
            bob.login();
            ann.awaitPush(JOINED, "bob joined");

            BoxClient.Reply said = ann.request(SAY, "hello");
            assertEquals(0, said.ret());
            assertEquals("", said.text());
            assertEquals(1, ann.pushes(LINE, "ann: hello"), "ann's own line came before the reply to her say");
            bob.awaitPush(LINE, "ann: hello");

            ann.fence();
            bob.fence();
            assertEquals(1, ann.pushes(LINE, "ann: hello"));
            assertEquals(1, bob.pushes(LINE, "ann: hello"));
            assertEquals(1, ann.pushes(JOINED, "bob joined"));
            assertEquals(0, bob.pushes(JOINED, "ann joined"), "pushes to all reach only those logged in then");
        }
    }

    @Test
    void a_private_line_reaches_only_its_addressee_and_a_line_to_nobody_comes_back_as_offline(@TempDir Path home)
            throws Exception {
        try (Burst burst = chat(home); Chatter ann = new Chatter(burst, "ann"); Chatter bob = new Chatter(burst, "bob");
             Chatter cid = new Chatter(burst, "cid")) {
            ann.login();
            bob.login();
            cid.login();

            assertEquals("sent", bob.request(TELL, "ann\npsst, ann").text());
            ann.awaitPush(PRIVATE, "bob (private): psst, ann");
            assertEquals("sent", bob.request(TELL, "nobody\nare you there?").text());
            bob.awaitPush(OFFLINE, "nobody is offline");

            for (Chatter c : List.of(ann, bob, cid)) {
                c.fence();
            }
            assertEquals(1, ann.pushes(PRIVATE, "bob (private): psst, ann"));
            assertEquals(1, ann.pushes(PRIVATE), "ann got one private line");
            assertEquals(0, bob.pushes(PRIVATE), "the sender got no private line");
            assertEquals(0, cid.pushes(PRIVATE), "a bystander got no private line");
            assertEquals(1, bob.pushes(OFFLINE));
            assertEquals(0, ann.pushes(OFFLINE) + cid.pushes(OFFLINE), "only the sender hears of the offline user");
        }
    }

    @Test
    void with_the_plugins_folder_as_shipped_a_request_before_login_gets_ret_1_and_a_bad_one_ret_2(
            @TempDir Path home) throws Exception {
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        try (Stream<Path> shipped = Files.list(Burst.DIST.resolve("plugins"))) {
            shipped.forEach(f -> copy(f, plugins.resolve(f.getFileName())));
        }
        assertTrue(Files.isRegularFile(plugins.resolve("chat.jar")), "the distribution ships plugins/chat.jar");
        assertTrue(Files.isRegularFile(plugins.resolve("chat.html")), "and the page beside it");

        try (Burst burst = Burst.in(home).start(); Chatter cid = new Chatter(burst, "cid")) {
            burst.awaitWorkers(2, WAIT);
            for (BoxClient.Reply r : List.of(cid.request(SAY, "hi"), cid.request(TELL, "ann\nhi"), cid.request(LEAVE, ""))) {
                assertEquals(1, r.ret(), "cmd " + r.cmd());
                assertEquals("login first", r.text());
            }
            BoxClient.Reply empty = cid.request(LOGIN, "");
            assertEquals(2, empty.ret());
            assertEquals("login: a name is 1 to 32 letters, digits, '.', '-' or '_', got ''", empty.text());
            assertEquals(2, cid.request(LOGIN, "two words").ret());

            HttpResponse<byte[]> overHttp = burst.post("login", "cid");
            assertEquals("2", overHttp.headers().firstValue("Burst-Ret").orElseThrow());
            assertTrue(new String(overHttp.body(), StandardCharsets.UTF_8).contains("this request came over HTTP"));
            assertEquals("1", burst.post("say", "hi").headers().firstValue("Burst-Ret").orElseThrow());

            cid.login();
            BoxClient.Reply again = cid.request(LOGIN, "dan");
            assertEquals(2, again.ret());
            assertEquals("login: already logged in as cid; leave first", again.text());
            BoxClient.Reply noLineBreak = cid.request(TELL, "cid says hi");
            assertEquals(2, noLineBreak.ret());
            assertEquals("tell: the body is the user's name, a line break, then the text", noLineBreak.text());
            assertEquals("hello from the shipped plugins", new String(burst.post("1", "hello from the shipped plugins")
                    .body(), StandardCharsets.UTF_8), "hello serves beside chat and its page");
        }
    }

    @Test
    void closing_the_socket_and_leaving_are_each_announced_once(@TempDir Path home) throws Exception {
        try (Burst burst = chat(home); Chatter ann = new Chatter(burst, "ann"); Chatter bob = new Chatter(burst, "bob");
             Chatter cid = new Chatter(burst, "cid")) {
            ann.login();
            bob.login();
            cid.login();

            bob.close();
            ann.awaitPush(LEFT, "bob left (CLIENT_CLOSED)");
            cid.awaitPush(LEFT, "bob left (CLIENT_CLOSED)");
            burst.await(() -> disconnectEvents(burst).equals("closed_with_user=1 queued=1 run=1 failed=0"),
                    "one disconnect event, run", WAIT);
            ann.fence();
            assertEquals(1, ann.pushes(LEFT, "bob left (CLIENT_CLOSED)"));

            assertEquals("bye", ann.request(LEAVE, "").text());
            assertEquals(0, ann.pushes(LEFT, "ann left"), "she left before the announcement");
            cid.awaitPush(LEFT, "ann left");
            BoxClient.Reply after = ann.request(SAY, "am I here?");
            assertEquals(1, after.ret(), after.text());
            cid.fence();
            assertEquals(1, cid.pushes(LEFT, "ann left"));
            assertEquals(0, cid.pushes(LINE, "ann: am I here?"));
            assertEquals("closed_with_user=1 queued=1 run=1 failed=0", disconnectEvents(burst),
                    "leaving is no disconnect");
        }
    }

    @Test
    void after_a_reload_logins_work_and_the_new_generation_announces_who_left(@TempDir Path home) throws Exception {
        try (Burst burst = chat(home); Chatter ann = new Chatter(burst, "ann"); Chatter bob = new Chatter(burst, "bob")) {
            ann.login();

            String outcome = burst.reload();
            assertTrue(outcome.contains("generation 2 serving on 2 worker(s)"), outcome);
            for (JsonNode w : burst.stat().get("workers_detail")) {
                assertEquals(2, w.get("generation").asInt(), "every worker serves generation 2: " + w);
            }

            bob.login();
            ann.awaitPush(JOINED, "bob joined");
            assertEquals(0, ann.request(SAY, "still logged in").ret(), "ann's login outlived the reload");
            bob.awaitPush(LINE, "ann: still logged in");

            ann.close();
            bob.awaitPush(LEFT, "ann left (CLIENT_CLOSED)");
            burst.await(() -> disconnectEvents(burst).equals("closed_with_user=1 queued=1 run=1 failed=0"),
                    "one disconnect event, run", WAIT);
            bob.fence();
            assertEquals(1, bob.pushes(LEFT, "ann left (CLIENT_CLOSED)"));
        }
    }

    /** @return the proxy's disconnect event counters, as one line */
    private static String disconnectEvents(Burst burst) {
        JsonNode d;
        try {
            d = burst.stat().get("users").get("disconnect_events");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return "closed_with_user=" + d.get("closed_with_user") + " queued=" + d.get("queued") + " run=" + d.get("run")
                + " failed=" + d.get("failed");
    }

    private static void copy(Path from, Path to) {
        try {
            Files.copy(from, to);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A chat client on its own Box connection; keeps every frame it read, in order. Test thread only. */
    private static final class Chatter implements AutoCloseable {

        /** More frames than any test here makes: a client that reads this many is looping. */
        private static final int MAX_FRAMES = 10_000;

        private final Burst burst;
        private final String name;
        private final BoxClient box;
        private final List<BoxClient.Reply> frames = new ArrayList<>();
        private int sn;

        Chatter(Burst burst, String name) throws IOException {
            this.burst = burst;
            this.name = name;
            this.box = burst.box();
            box.socket.setSoTimeout((int) WAIT.toMillis());
        }

        /** Logs in as its name: the welcome comes after its own join, pushed to all. */
        void login() throws IOException {
            BoxClient.Reply r = request(LOGIN, name);
            assertEquals(0, r.ret(), r.text());
            assertEquals("welcome " + name, r.text());
            assertEquals(1, pushes(JOINED, name + " joined"), name + "'s own join came before the welcome");
        }

        /** Sends a request and reads until its reply, keeping the pushes read on the way. */
        BoxClient.Reply request(int cmd, String body) throws IOException {
            int mine = ++sn;
            box.send(cmd, mine, body);
            return readUntil(f -> f.sn() == mine && f.cmd() == cmd, "the reply to cmd " + cmd + " sn " + mine);
        }

        /** Returns at once if such a push was read already, else reads until it comes. */
        void awaitPush(int cmd, String text) {
            if (pushes(cmd, text) == 0) {
                readUntil(f -> isPush(f, cmd) && f.text().equals(text), "push " + cmd + " '" + text + "'");
            }
        }

        /** Says a line and reads the reply: whatever was queued for this client before is read then. */
        void fence() throws IOException {
            String line = "fence " + (sn + 1);
            assertEquals(0, request(SAY, line).ret());
            assertEquals(1, pushes(LINE, name + ": " + line));
        }

        long pushes(int cmd, String text) {
            return frames.stream().filter(f -> isPush(f, cmd) && f.text().equals(text)).count();
        }

        long pushes(int cmd) {
            return frames.stream().filter(f -> isPush(f, cmd)).count();
        }

        /** A push: the given cmd, ret 0, sn 0. */
        private static boolean isPush(BoxClient.Reply f, int cmd) {
            return f.cmd() == cmd && f.ret() == 0 && f.sn() == 0;
        }

        private BoxClient.Reply readUntil(Predicate<BoxClient.Reply> wanted, String what) {
            while (frames.size() < MAX_FRAMES) {
                BoxClient.Reply f;
                try {
                    f = box.read();
                } catch (IOException e) { // a read timeout (bounded by WAIT) or the connection closed
                    throw new AssertionError(name + " read no " + what + " (" + e + "); read so far: " + read()
                            + "\n" + burst.log(), e);
                }
                frames.add(f);
                if (wanted.test(f)) {
                    return f;
                }
            }
            throw new AssertionError(name + " read " + MAX_FRAMES + " frames without " + what);
        }

        private List<String> read() {
            return frames.stream().map(f -> f.cmd() + "/" + f.ret() + "/" + f.sn() + " '" + f.text() + "'").toList();
        }

        @Override
        public void close() throws IOException {
            box.close();
        }
    }
}
