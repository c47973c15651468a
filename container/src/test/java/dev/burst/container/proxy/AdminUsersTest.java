package dev.burst.container.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.burst.container.proxy.AdminUsers.BadInput;
import dev.burst.container.proxy.AdminUsers.CloseOrder;
import dev.burst.container.proxy.AdminUsers.PushOrder;
import dev.burst.container.proxy.users.Users.PushResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AdminUsersTest {

    private static String refusal(String body) {
        return assertThrows(BadInput.class, () -> AdminUsers.pushOrder(body), body).getMessage();
    }

    private static String closeRefusal(String body) {
        return assertThrows(BadInput.class, () -> AdminUsers.closeOrder(body), body).getMessage();
    }

    @Test
    void a_push_to_named_users_carries_their_ids_the_cmd_and_the_text_as_utf8() throws Exception {
        PushOrder o = AdminUsers.pushOrder("{\"users\":[\"u1\",\"ü3\"],\"cmd\":4000,\"body\":\"héllo\"}");

        assertEquals(List.of("u1", "ü3"), o.users());
        assertFalse(o.all());
        assertEquals(4000, o.frame().cmd());
        assertArrayEquals("héllo".getBytes(StandardCharsets.UTF_8), o.frame().body());
    }

    @Test
    void a_push_to_all_may_carry_base64_bytes_and_no_body_is_an_empty_one() throws Exception {
        PushOrder bytes = AdminUsers.pushOrder("{\"all\":true,\"cmd\":-7,\"body\":\"AAEC/w==\",\"encoding\":\"base64\"}");
        PushOrder empty = AdminUsers.pushOrder("{\"all\":true,\"cmd\":1}");

        assertTrue(bytes.all());
        assertEquals(List.of(), bytes.users());
        assertEquals(-7, bytes.frame().cmd());
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xff}, bytes.frame().body());
        assertArrayEquals(new byte[0], empty.frame().body());
    }

    @Test
    void each_bad_push_is_refused_naming_what_was_wrong() {
        Map<String, String> cases = Map.ofEntries(
                Map.entry("", "it is empty"),
                Map.entry("{\"users\":[\"u1\"", "not JSON"),
                Map.entry("[\"u1\"]", "must be a JSON object"),
                Map.entry("{\"users\":[\"u1\"],\"all\":true,\"cmd\":1}", "not both"),
                Map.entry("{\"cmd\":1}", "say whom to push to"),
                Map.entry("{\"all\":false,\"cmd\":1}", "say whom to push to"),
                Map.entry("{\"all\":\"yes\",\"cmd\":1}", "all must be true or false"),
                Map.entry("{\"users\":[],\"cmd\":1}", "users is empty"),
                Map.entry("{\"users\":\"u1\",\"cmd\":1}", "users must be an array"),
                Map.entry("{\"users\":[\"u1\",7],\"cmd\":1}", "users[1] must be a string"),
                Map.entry("{\"users\":[\"u1\",\"\"],\"cmd\":1}", "users[1]: a user id must not be empty"),
                Map.entry("{\"users\":[\"" + "x".repeat(129) + "\"],\"cmd\":1}", "at most 128 bytes"),
                Map.entry("{\"users\":[\"u1\"],\"body\":\"x\"}", "cmd is missing"),
                Map.entry("{\"users\":[\"u1\"],\"cmd\":\"5\"}", "cmd must be an integer"),
                Map.entry("{\"users\":[\"u1\"],\"cmd\":1.5}", "cmd must be an integer"),
                Map.entry("{\"users\":[\"u1\"],\"cmd\":4294967296}", "cmd must be an integer"),
                Map.entry("{\"users\":[\"u1\"],\"cmd\":1,\"body\":\"!!\",\"encoding\":\"base64\"}", "not valid base64"),
                Map.entry("{\"users\":[\"u1\"],\"cmd\":1,\"body\":\"x\",\"encoding\":\"hex\"}",
                        "encoding must be \"utf8\" or \"base64\", not \"hex\""),
                Map.entry("{\"users\":[\"u1\"],\"cmd\":1,\"body\":{\"a\":1}}", "body must be a string"),
                Map.entry("{\"user\":[\"u1\"],\"cmd\":1}", "unknown field 'user'"));

        cases.forEach((body, says) -> {
            String message = refusal(body);
            assertTrue(message.contains(says), body + " -> '" + message + "' should say '" + says + "'");
        });
    }

    @Test
    void a_close_takes_named_users_and_a_last_frame_only_with_its_cmd() throws Exception {
        CloseOrder plain = AdminUsers.closeOrder("{\"users\":[\"u2\"]}");
        CloseOrder last = AdminUsers.closeOrder("{\"users\":[\"u2\"],\"cmd\":9,\"body\":\"bye\"}");

        assertEquals(List.of("u2"), plain.users());
        assertEquals(Optional.empty(), plain.lastFrame());
        assertEquals(9, last.lastFrame().orElseThrow().cmd());
        assertArrayEquals("bye".getBytes(StandardCharsets.UTF_8), last.lastFrame().orElseThrow().body());
        assertTrue(closeRefusal("{\"users\":[\"u2\"],\"body\":\"bye\"}").contains("a last frame needs its cmd"));
        assertTrue(closeRefusal("{\"all\":true}").contains("unknown field 'all'"));
        assertTrue(closeRefusal("{}").contains("users is missing"));
        assertTrue(closeRefusal("{\"users\":[]}").contains("users is empty"));
    }

    @Test
    void the_list_limit_is_100_unless_given_and_1_to_10000() throws Exception {
        assertEquals(100, AdminUsers.limit(Optional.empty()));
        assertEquals(10_000, AdminUsers.limit(Optional.of("10000")));
        for (String bad : List.of("0", "-1", "10001", "ten", "")) {
            String message = assertThrows(BadInput.class, () -> AdminUsers.limit(Optional.of(bad))).getMessage();
            assertTrue(message.contains("limit must be a whole number from 1 to 10000, not '" + bad + "'"), message);
        }
    }

    @Test
    void the_user_id_in_the_path_is_percent_decoded_whole_slashes_and_plus_signs_included() throws Exception {
        assertEquals("team a/1?x", AdminUsers.userInPath("/admin/users/team%20a%2F1%3Fx"));
        assertEquals("a+b;c", AdminUsers.userInPath("/admin/users/a+b;c"));
        assertEquals("ü", AdminUsers.userInPath("/admin/users/%C3%BC"));
        assertTrue(assertThrows(BadInput.class, () -> AdminUsers.userInPath("/admin/users/50%"))
                .getMessage().contains("not percent-encoded properly"));
    }

    @Test
    void a_push_answers_each_named_users_outcome_when_no_connection_was_dropped() throws Exception {
        PushOrder order = AdminUsers.pushOrder("{\"users\":[\"u1\",\"u3\",\"nobody\"],\"cmd\":1}");

        JsonNode out = AdminUsers.pushOutcome(order, new PushResult(2, 1, 0, List.of("nobody")));

        assertEquals(StatReport.JSON.readTree("""
                {"delivered":2,"offline":1,"dropped":0,"offline_users":["nobody"],
                 "users":{"u1":"delivered","u3":"delivered","nobody":"offline"}}"""), out);
    }

    @Test
    void the_per_user_outcome_is_left_out_when_it_cannot_be_told_exactly() throws Exception {
        PushOrder order = AdminUsers.pushOrder("{\"users\":[\"u1\",\"u3\"],\"cmd\":1}");
        PushOrder all = AdminUsers.pushOrder("{\"all\":true,\"cmd\":1}");

        assertFalse(AdminUsers.pushOutcome(order, new PushResult(1, 0, 1, List.of())).has("users"), "one was dropped");
        assertFalse(AdminUsers.pushOutcome(all, new PushResult(3, 0, 0, List.of())).has("users"), "none was named");
    }

    @Test
    void a_close_answers_the_connections_it_closed() throws Exception {
        CloseOrder order = AdminUsers.closeOrder("{\"users\":[\"u2\",\"gone\"]}");

        JsonNode out = AdminUsers.closeOutcome(order, new PushResult(1, 1, 0, List.of("gone")));

        assertEquals(StatReport.JSON.readTree("""
                {"closed":1,"offline":1,"offline_users":["gone"],"users":{"u2":"closed","gone":"offline"}}"""), out);
    }
}
