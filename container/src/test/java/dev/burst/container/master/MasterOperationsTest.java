package dev.burst.container.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.container.config.ConfigLoader;
import dev.burst.container.master.OperationRecord.Kind;
import dev.burst.container.master.OperationRecord.State;
import dev.burst.container.process.ExitCode;
import dev.burst.container.protocol.WireMessage.Detail;
import dev.burst.container.protocol.WireMessage.GroupSize;
import dev.burst.container.protocol.WireMessage.Retire;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * change_group (SIGTTIN, SIGTTOU, the admin API), recycling and stuck workers, driven through the master's
 * events with fakes. The proxy is connected, so a worker the master retires is drained through it (RETIRE).
 */
class MasterOperationsTest {

    private static final Role GAME_1 = Role.worker("game", 1);
    private static final Role GAME_2 = Role.worker("game", 2);
    private static final Role GAME_3 = Role.worker("game", 3);

    @TempDir
    Path home;

    private Harness h;

    /** A running master: group "game" of two workers and "chat" of one, all ready and long past their start. */
    @BeforeEach
    void running() {
        h = Harness.of(home, "burst.groups", "game,chat", "burst.group.game.workers", "2", "burst.group.chat.workers", "1");
        h.spawner.startedAt = Instant.now().minusSeconds(60);
        h.running();
    }

    private List<Long> retired() {
        return h.link.sent(Retire.class).stream().map(Retire::pid).toList();
    }

    @Test
    void growing_a_group_spawns_the_new_slots() {
        h.admin(5, "change_group", "game", 4);

        assertEquals(List.of(GAME_1, GAME_2, Role.worker("chat", 1), GAME_3, Role.worker("game", 4)),
                h.spawner.workers().stream().map(FakeChild::role).toList());
        OperationRecord op = h.lastOperation();
        assertEquals(Kind.CHANGE_GROUP, op.kind());
        assertEquals(State.DONE, op.state());
        assertEquals("game 2 -> 4: done, 2 worker(s) added", op.outcome());
        assertEquals(5, op.request());
        assertEquals("admin API", op.trigger());
        assertEquals(List.of(new Detail("worker game#3", "spawned"), new Detail("worker game#4", "spawned")), op.details());
    }

    @Test
    void a_group_size_reaches_the_proxy_when_it_changes_and_a_keyed_group_reports_its_moved_key_ranges() {
        Harness keyed = Harness.of(home.resolve("keyed"), "burst.groups", "game", "burst.group.game.workers", "4",
                "burst.group.game.route", "key");
        keyed.spawner.startedAt = Instant.now().minusSeconds(60);
        keyed.running();

        keyed.admin(3, "change_group", "game", 5);

        assertEquals(new GroupSize("game", 5), keyed.link.sent(GroupSize.class).getLast());
        assertEquals(new Detail("keys (route=key)", "spread over 5 slot(s), was 4; the key ranges of 5 slot(s) change,"
                + " about 1/5 of the keys move"), keyed.lastOperation().details().getLast());
    }

    @Test
    void a_proxy_that_connects_learns_every_group_size_including_changes_made_before_it() {
        h.admin(5, "change_group", "game", 3);
        h.link.sent.clear();

        h.handle(new Event.ProxyConnected(h.proxy().pid()));

        assertEquals(List.of(new GroupSize("game", 3), new GroupSize("chat", 1)), h.link.sent(GroupSize.class));
    }

    @Test
    void a_group_that_routes_any_reports_no_key_ranges() {
        h.admin(5, "change_group", "game", 3);

        assertEquals(new GroupSize("game", 3), h.link.sent(GroupSize.class).getLast());
        assertEquals(List.of(new Detail("worker game#3", "spawned")), h.lastOperation().details());
    }

    @Test
    void shrinking_a_group_drains_the_highest_slots_through_the_proxy_and_does_not_respawn_them() {
        FakeChild first = h.last(GAME_1);
        FakeChild second = h.last(GAME_2);

        h.admin(0, "change_group", "game", 1);

        assertEquals(List.of(second.pid()), retired(), "drained, not killed: it finishes its task first");
        assertTrue(second.untouched());
        assertTrue(first.untouched());
        h.exited(second, ExitCode.OK);
        assertEquals(1, h.count(GAME_2));
        assertTrue(h.lastOperation().details().getFirst().outcome().contains("drains"));
    }

    @Test
    void a_shrunk_worker_is_asked_to_stop_directly_when_no_proxy_is_connected() {
        h.link.connected = false;

        h.admin(0, "change_group", "game", 1);

        assertTrue(h.last(GAME_2).terminated());
    }

    @Test
    void a_group_shrunk_and_grown_back_while_its_worker_drains_gets_a_new_worker_at_once() {
        FakeChild second = h.last(GAME_2);

        h.admin(0, "change_group", "game", 1);
        h.admin(0, "change_group", "game", 2);

        assertEquals(2, h.count(GAME_2), "slot 2 is filled again while the drained worker finishes its task");
        h.exited(second, ExitCode.OK);
        assertEquals(2, h.count(GAME_2), "and the drained worker's exit spawns nothing");
    }

    @Test
    void a_change_to_a_group_that_does_not_exist_is_refused_and_recorded() {
        int before = h.spawner.spawned.size();

        h.admin(9, "change_group", "nosuch", 3);

        assertEquals(before, h.spawner.spawned.size());
        OperationRecord op = h.lastOperation();
        assertEquals(State.REFUSED, op.state());
        assertEquals(9, op.request());
        assertTrue(op.result().contains("no such group; groups: [game, chat]"), op.result());
    }

    @Test
    void a_change_above_the_largest_group_is_refused() {
        int before = h.spawner.spawned.size();

        h.admin(0, "change_group", "game", ConfigLoader.MAX_WORKERS + 1);

        assertEquals(before, h.spawner.spawned.size());
        assertTrue(h.spawner.workers().stream().allMatch(FakeChild::untouched));
        assertTrue(h.lastOperation().result().contains("burst.group.game.max-workers"), h.lastOperation().result());
    }

    @Test
    void sigttin_adds_a_worker_to_the_first_group() {
        h.signal("TTIN");

        assertEquals(1, h.count(GAME_3));
        assertEquals("SIGTTIN", h.lastOperation().trigger());
    }

    @Test
    void sigttou_drains_the_last_worker_of_the_first_group() {
        h.signal("TTOU");

        assertEquals(List.of(h.last(GAME_2).pid()), retired());
        assertTrue(h.last(GAME_1).untouched());
    }

    @Test
    void sigttou_keeps_the_last_worker_of_a_group_and_says_so_in_a_refused_record() {
        h.signal("TTOU");
        h.signal("TTOU");

        assertEquals(1, retired().size());
        assertEquals(State.REFUSED, h.lastOperation().state());
        assertEquals("group game keeps its last worker", h.lastOperation().result());
    }

    @Test
    void a_recycle_asked_by_the_proxy_replaces_that_worker_spawn_first_as_an_operation() {
        FakeChild old = h.last(GAME_2);

        h.handle(new Event.RecycleAsked(old.pid(), "served 1000 requests (max-requests 1000)"));

        assertEquals(2, h.count(GAME_2));
        assertEquals(1, h.count(GAME_1));
        assertTrue(old.untouched());
        OperationRecord op = h.lastOperation();
        assertEquals(Kind.RECYCLE, op.kind());
        assertEquals("max-requests", op.trigger());
        assertEquals(State.RUNNING, op.state());

        FakeChild fresh = h.last(GAME_2);
        h.ready(fresh);
        h.exited(old, ExitCode.OK);

        assertEquals(State.DONE, h.lastOperation().state());
        assertEquals(List.of(new Detail("worker game#2 pid " + old.pid(), "replaced by pid " + fresh.pid())),
                h.lastOperation().details());
    }

    @Test
    void a_recycle_of_a_leaked_generation_is_triggered_by_the_leak() {
        h.handle(new Event.RecycleAsked(h.last(GAME_1).pid(), "generation 1 leaked: thread ticker"));

        assertEquals("leak", h.lastOperation().trigger());
    }

    @Test
    void a_recycle_asked_for_an_unknown_pid_is_refused_and_changes_nothing() {
        int before = h.spawner.spawned.size();

        h.handle(new Event.RecycleAsked(1, "leaked"));

        assertEquals(before, h.spawner.spawned.size());
        assertEquals(State.REFUSED, h.lastOperation().state());
        assertEquals("pid 1 is not a worker in a slot of this master", h.lastOperation().result());
    }

    @Test
    void a_second_recycle_of_a_worker_being_replaced_is_refused() {
        long pid = h.last(GAME_1).pid();
        h.handle(new Event.RecycleAsked(pid, "max-requests"));

        h.handle(new Event.RecycleAsked(pid, "max-requests"));

        assertEquals(2, h.count(GAME_1));
        assertEquals("it is being replaced already", h.lastOperation().result());
    }

    @Test
    void a_stuck_worker_has_its_threads_dumped_then_is_killed() throws InterruptedException {
        FakeChild stuck = h.last(GAME_1);

        h.handle(new Event.WorkerStuck(stuck.pid(), "cmd 1001 ran past task-timeout PT30S"));

        MasterTest.awaitKilled(stuck);
        assertEquals(List.of(stuck.pid()), h.spawner.dumped);
        assertFalse(stuck.terminated());
    }

    @Test
    void operations_are_refused_once_a_stop_has_begun() {
        h.signal("TERM");
        int before = h.spawner.spawned.size();

        h.admin(1, "change_group", "game", 5);
        h.admin(2, "restart_workers", "", 0);
        h.handle(new Event.RecycleAsked(h.last(GAME_1).pid(), "max-requests"));
        h.signal("HUP");

        assertEquals(before, h.spawner.spawned.size());
        List<OperationRecord> refused = h.operations().stream().filter(r -> r.state() == State.REFUSED).toList();
        assertEquals(4, refused.size());
        assertTrue(refused.stream().allMatch(r -> r.result().equals("burst is stopping")), refused.toString());
    }
}
