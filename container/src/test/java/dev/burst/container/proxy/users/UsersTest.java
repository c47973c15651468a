package dev.burst.container.proxy.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.api.DisconnectReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The user registry alone, with connections that record what they are sent. */
class UsersTest {

    private final List<Users.Left> left = new ArrayList<>();
    private final Users users = new Users(Users.DuplicateLogin.KICK_OLD, left::add);

    /** A connection that keeps what it is sent; one made full refuses like a slow consumer. */
    private static final class Recorded implements ClientConnection {
        final long id;
        final List<String> frames = new ArrayList<>();
        DisconnectReason closedFor;
        boolean full;

        Recorded(long id) {
            this.id = id;
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public String protocol() {
            return "box";
        }

        @Override
        public String clientAddress() {
            return "127.0.0.1:" + (40000 + id);
        }

        @Override
        public long sinceMillis() {
            return 0;
        }

        @Override
        public Sent push(ByteBuffer header, ByteBuffer body) {
            if (closedFor != null) {
                return Sent.CLOSED;
            }
            if (full) {
                closedFor = DisconnectReason.SLOW_CONSUMER;
                return Sent.SLOW;
            }
            frames.add(header.getInt(12) + "/" + header.getInt(16) + ":" + StandardCharsets.UTF_8.decode(body));
            return Sent.QUEUED;
        }

        @Override
        public void closeAfterWrites(DisconnectReason reason) {
            closedFor = reason;
        }
    }

    private Recorded open(long id) {
        Recorded c = new Recorded(id);
        users.opened(c);
        return c;
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void a_login_of_a_closed_connection_binds_nothing() {
        assertFalse(users.login(7, "ann"));
        assertEquals(0, users.online());
    }

    @Test
    void a_second_login_kicks_the_first_connection_and_its_close_reports_kicked_whatever_closed_it() {
        Recorded first = open(1);
        Recorded second = open(2);
        users.login(1, "ann");
        users.login(2, "ann");

        assertEquals(List.of("0/-10005:logged in elsewhere"), first.frames);
        assertEquals(DisconnectReason.KICKED, first.closedFor);
        assertEquals(Optional.empty(), users.userOf(1));
        users.closed(first, DisconnectReason.CLIENT_CLOSED);
        assertEquals(List.of(new Users.Left("ann", DisconnectReason.KICKED, "127.0.0.1:40001")), left);
        assertEquals(1, users.toUsers(List.of("ann"), 5, text("x")).delivered());
        assertEquals(List.of("5/0:x"), second.frames);
    }

    @Test
    void a_connection_that_logs_in_as_another_user_leaves_the_first_and_a_logout_runs_no_disconnect() {
        Recorded c = open(1);
        users.login(1, "ann");
        users.login(1, "bob");

        assertEquals(List.of("bob"), users.page(10));
        users.logout(1);
        users.closed(c, DisconnectReason.CLIENT_CLOSED);
        assertEquals(List.of(), left);
        assertEquals(0, users.online());
    }

    @Test
    void a_push_counts_offline_users_and_slow_connections_apart_and_to_all_skips_anonymous_ones() {
        Recorded ann = open(1);
        Recorded slow = open(2);
        Recorded anonymous = open(3);
        users.login(1, "ann");
        users.login(2, "sam");
        slow.full = true;

        Users.PushResult named = users.toUsers(List.of("ann", "sam", "zed", "ann"), 9, text("hi"));
        Users.PushResult all = users.toAll(8, text("all"));

        assertEquals(new Users.PushResult(1, 1, 1, List.of("zed")), named);
        assertEquals(1, all.delivered());
        assertEquals(List.of("9/0:hi", "8/0:all"), ann.frames);
        assertTrue(anonymous.frames.isEmpty());
        assertEquals(1, users.pushDroppedSlow.sum());
    }

    @Test
    void closing_users_sends_the_last_frame_then_closes_for_push_and_an_offline_one_is_named() {
        Recorded eve = open(1);
        users.login(1, "eve");

        Users.PushResult r = users.close(List.of("eve", "gone"), 4, text("bye"));

        assertEquals(new Users.PushResult(1, 1, 0, List.of("gone")), r);
        assertEquals(List.of("4/0:bye"), eve.frames);
        assertEquals(DisconnectReason.CLOSED_BY_PUSH, eve.closedFor);
    }

    @Test
    void the_listing_is_sorted_and_bounded_and_sessions_name_each_connection() {
        open(1);
        open(2);
        open(3);
        users.login(1, "cid");
        users.login(2, "ann");
        users.login(3, "bob");

        assertEquals(List.of("ann", "bob"), users.page(2));
        assertEquals(List.of(new Users.Session(2, "box", "127.0.0.1:40002", users.sessions("ann").getFirst().sinceMillis())),
                users.sessions("ann"));
        assertEquals(List.of(), users.sessions("nobody"));
    }
}
