package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One burst (1 worker, the example plugins) serving HTTP and Box clients, good and bad. */
class ServingIT {

    @TempDir
    static Path home;
    static Burst burst;

    @BeforeAll
    static void start() throws IOException {
        burst = Burst.in(home).plugin("hello").plugin("slow").plugin("fail")
                .set("burst.group.default.workers", "1")
                .set("burst.box.max-packet", "1048576")
                .start();
    }

    @AfterAll
    static void stop() {
        burst.close();
    }

    @Test
    void http_echoes_cmd_1_and_greets_on_cmd_2() throws Exception {
        HttpResponse<byte[]> echo = burst.post("1", "hello over http");
        assertEquals(200, echo.statusCode());
        assertEquals("hello over http", new String(echo.body(), StandardCharsets.UTF_8));
        assertEquals("0", echo.headers().firstValue("Burst-Ret").orElseThrow());

        HttpResponse<byte[]> greeting = burst.post("2", "");
        assertEquals(200, greeting.statusCode());
        assertEquals("Hello from burst!", new String(greeting.body(), StandardCharsets.UTF_8));
    }

    @Test
    void http_accepts_a_cmd_by_the_name_its_plugin_registered() throws Exception {
        HttpResponse<byte[]> echo = burst.post("echo", "by name");
        assertEquals(200, echo.statusCode());
        assertEquals("by name", new String(echo.body(), StandardCharsets.UTF_8));
    }

    @Test
    void box_echoes_cmd_1_and_greets_on_cmd_2() throws Exception {
        try (BoxClient box = burst.box()) {
            BoxClient.Reply echo = box.call(1, 77, "hello over box");
            assertEquals(1, echo.cmd());
            assertEquals(0, echo.ret());
            assertEquals(77, echo.sn());
            assertEquals("hello over box", echo.text());

            BoxClient.Reply greeting = box.call(2, 78, "");
            assertEquals(0, greeting.ret());
            assertEquals("Hello from burst!", greeting.text());
        }
    }

    @Test
    void five_hundred_pipelined_box_requests_are_all_answered_and_matched_by_sn() throws Exception {
        try (BoxClient box = burst.box()) {
            for (int sn = 1; sn <= 500; sn++) {
                box.send(1, sn, "payload-" + sn);
            }
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < 500; i++) {
                BoxClient.Reply r = box.read();
                assertEquals(0, r.ret());
                assertEquals(1, r.cmd());
                assertEquals("payload-" + r.sn(), r.text(), "reply body matches its sn");
                assertTrue(seen.add(r.sn()), "sn " + r.sn() + " answered twice");
            }
            assertEquals(500, seen.size());
        }
    }

    @Test
    void an_unknown_cmd_is_minus_10000_on_box_and_404_on_http() throws Exception {
        try (BoxClient box = burst.box()) {
            assertEquals(-10000, box.call(4242, 1, "").ret());
        }
        HttpResponse<byte[]> r = burst.post("4242", "");
        assertEquals(404, r.statusCode());
        assertEquals("-10000", r.headers().firstValue("Burst-Ret").orElseThrow());
        assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("\"ret\":-10000"));
        assertEquals(404, burst.post("no-such-name", "").statusCode());
    }

    @Test
    void a_handler_exception_is_minus_10001_and_the_same_worker_serves_the_next_request() throws Exception {
        List<Long> before = burst.workerPids();
        try (BoxClient box = burst.box()) {
            assertEquals(-10001, box.call(11, 1, "").ret());
            assertEquals("after the failure", box.call(1, 2, "after the failure").text());
        }
        HttpResponse<byte[]> r = burst.post("11", "");
        assertEquals(500, r.statusCode());
        assertEquals("-10001", r.headers().firstValue("Burst-Ret").orElseThrow());
        assertEquals(200, burst.post("1", "x").statusCode());
        assertEquals(before, burst.workerPids(), "the one worker survived its handler's exceptions");
    }

    @Test
    void a_reply_given_before_the_handler_throws_stands() throws Exception {
        try (BoxClient box = burst.box()) {
            BoxClient.Reply r = box.call(12, 5, "");
            assertEquals(0, r.ret());
            assertEquals("partial", r.text());
        }
    }

    @Test
    void a_frame_with_a_bad_magic_closes_only_its_connection() throws Exception {
        try (BoxClient good = burst.box(); BoxClient bad = burst.box()) {
            assertEquals("before", good.call(1, 1, "before").text());
            bad.write(BoxClient.frame(0x12345678, 24, 1, 1, new byte[0]));
            assertTrue(bad.closedByServer());
            assertEquals("after", good.call(1, 2, "after").text());
            burst.awaitLog("box: closing connection from 127.0.0.1:" + bad.localPort() + ": bad magic",
                    Duration.ofSeconds(10));
        }
    }

    @Test
    void a_packet_len_below_the_header_size_closes_only_its_connection() throws Exception {
        try (BoxClient good = burst.box(); BoxClient bad = burst.box()) {
            bad.write(BoxClient.frame(BoxClient.MAGIC, 23, 1, 1, new byte[0]));
            assertTrue(bad.closedByServer());
            assertEquals("still here", good.call(1, 1, "still here").text());
            burst.awaitLog("box: closing connection from 127.0.0.1:" + bad.localPort() + ": packet_len 23",
                    Duration.ofSeconds(10));
        }
    }

    @Test
    void a_packet_len_over_the_maximum_closes_only_its_connection() throws Exception {
        try (BoxClient good = burst.box(); BoxClient bad = burst.box()) {
            bad.write(BoxClient.frame(BoxClient.MAGIC, 1048577, 1, 1, new byte[0]));
            assertTrue(bad.closedByServer());
            assertEquals("still here", good.call(1, 1, "still here").text());
            burst.awaitLog("box: closing connection from 127.0.0.1:" + bad.localPort()
                    + ": packet_len 1048577 is over burst.box.max-packet", Duration.ofSeconds(10));
        }
    }

    @Test
    void a_connection_closed_mid_frame_is_dropped_and_others_are_served() throws Exception {
        try (BoxClient good = burst.box()) {
            BoxClient bad = burst.box();
            byte[] whole = BoxClient.frame(BoxClient.MAGIC, 24 + 100, 1, 1, new byte[100]);
            bad.write(java.util.Arrays.copyOf(whole, 24 + 40));
            bad.close();
            burst.awaitLog("inside a frame body (40 of 100 bytes)", Duration.ofSeconds(10));
            assertEquals("still here", good.call(1, 1, "still here").text());

            BoxClient half = burst.box();
            half.write(java.util.Arrays.copyOf(whole, 10));
            half.close();
            burst.awaitLog("inside a frame header (10 of 24 bytes)", Duration.ofSeconds(10));
            assertEquals("and here", good.call(1, 2, "and here").text());
        }
    }

    @Test
    void a_client_that_half_closes_after_sending_still_gets_every_reply() throws Exception {
        try (BoxClient c = burst.box()) {
            for (int sn = 1; sn <= 3; sn++) {
                c.send(10, sn, "200");
            }
            c.send(1, 4, "echoed");
            c.socket.shutdownOutput();
            Map<Integer, String> replies = new TreeMap<>();
            for (int i = 0; i < 4; i++) {
                BoxClient.Reply r = c.read();
                assertEquals(0, r.ret(), "sn " + r.sn());
                replies.put(r.sn(), r.text());
            }
            assertEquals(Map.of(1, "done", 2, "done", 3, "done", 4, "echoed"), replies);
            assertTrue(c.closedByServer(), "the proxy closes once it owes nothing");
        }
    }

    @Test
    void claimed_packet_lengths_do_not_grow_the_proxy_heap() throws Exception {
        long proxyPid = burst.proxy().pid();
        long before = rssKb(proxyPid);
        List<BoxClient> liars = new ArrayList<>();
        try {
            // 200 connections each claim a 1 MiB body and send 16 bytes of it: 200 MiB if it were preallocated.
            for (int i = 0; i < 200; i++) {
                BoxClient c = burst.box();
                byte[] header = BoxClient.frame(BoxClient.MAGIC, 1048576, 1, i, new byte[16]);
                c.write(header);
                liars.add(c);
            }
            try (BoxClient good = burst.box()) {
                assertEquals("served", good.call(1, 1, "served").text());
            }
            long after = rssKb(proxyPid);
            assertTrue(after - before < 64 * 1024,
                    "proxy RSS grew by " + (after - before) / 1024 + " MiB for 200 claimed 1 MiB bodies");
        } finally {
            for (BoxClient c : liars) {
                c.close();
            }
        }
    }

    @Test
    void an_empty_body_is_echoed_as_an_empty_reply() throws Exception {
        try (BoxClient box = burst.box()) {
            BoxClient.Reply r = box.call(1, 9, "");
            assertEquals(0, r.ret());
            assertArrayEquals(new byte[0], r.body());
        }
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no VmRSS for pid " + pid);
    }
}
