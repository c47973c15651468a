package dev.burst.container.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.container.master.OperationRecord.Kind;
import dev.burst.container.master.OperationRecord.State;
import dev.burst.container.process.ExitCode;
import dev.burst.container.protocol.WireMessage.Retire;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * restart_workers and its replacement machine: spawn-first, one at a time, the old worker drained only
 * once its replacement is ready; what happens when either of them dies on the way.
 */
class ReplacementTest {

    private static final Role GAME_1 = Role.worker("game", 1);
    private static final Role GAME_2 = Role.worker("game", 2);
    private static final Role CHAT_1 = Role.worker("chat", 1);

    @TempDir
    Path home;

    private Harness h;

    @BeforeEach
    void running() {
        h = Harness.of(home, "burst.groups", "game,chat", "burst.group.game.workers", "2", "burst.group.chat.workers", "1",
                "burst.start.degraded", "serve");
        h.spawner.startedAt = Instant.now().minusSeconds(60);
        h.running();
    }

    private FakeChild first(Role role) {
        return h.spawner.spawned.stream().filter(c -> c.role().equals(role)).findFirst().orElseThrow();
    }

    private List<Long> retired() {
        return h.link.sent(Retire.class).stream().map(Retire::pid).toList();
    }

    @Test
    void a_restart_spawns_the_replacement_first_and_drains_the_old_worker_once_the_new_one_is_ready() {
        FakeChild old = h.last(GAME_1);

        h.signal("USR2");

        FakeChild fresh = h.last(GAME_1);
        assertEquals(2, h.count(GAME_1));
        assertTrue(old.untouched());
        assertEquals(List.of(), retired());

        h.ready(fresh);

        assertEquals(List.of(old.pid()), retired());
        assertTrue(fresh.untouched());
    }

    @Test
    void a_restart_replaces_one_worker_at_a_time() {
        h.signal("USR2");
        FakeChild old = first(GAME_1);
        assertEquals(1, h.count(GAME_2));

        h.ready(h.last(GAME_1));
        assertEquals(1, h.count(GAME_2), "the next waits until the old one has exited");
        h.exited(old, ExitCode.OK);

        assertEquals(2, h.count(GAME_2));
    }

    @Test
    void a_restart_is_done_once_every_worker_is_replaced_and_says_so_per_worker() {
        h.signal("USR2");
        for (Role role : List.of(GAME_1, GAME_2, CHAT_1)) {
            h.ready(h.last(role));
            h.exited(first(role), ExitCode.OK);
        }

        OperationRecord op = h.lastOperation();
        assertEquals(Kind.RESTART_WORKERS, op.kind());
        assertEquals(State.DONE, op.state());
        assertEquals("SIGUSR2", op.trigger());
        assertEquals("3 worker(s), one at a time: done, 3 of 3 worker(s)", op.outcome());
        assertEquals(3, op.details().size());
        assertEquals("worker game#1 pid " + first(GAME_1).pid(), op.details().getFirst().subject());
        assertEquals("replaced by pid " + h.last(GAME_1).pid(), op.details().getFirst().outcome());
        assertTrue(op.finished().isPresent());
    }

    @Test
    void a_replacement_that_dies_before_it_is_ready_leaves_the_old_worker_serving_and_the_next_goes_on() {
        FakeChild old = h.last(GAME_1);
        h.signal("USR2");
        FakeChild fresh = h.last(GAME_1);

        h.exited(fresh, ExitCode.BOOT_ERROR);

        assertTrue(old.untouched());
        assertEquals(2, h.count(GAME_1), "the failed replacement is not respawned");
        assertEquals(2, h.count(GAME_2), "the next replacement started");
        String failure = h.lastOperation().details().getFirst().outcome();
        assertTrue(failure.contains("replacement pid " + fresh.pid() + " exited 3") && failure.contains("keeps serving"),
                failure);

        h.ready(h.last(GAME_2));
        h.exited(first(GAME_2), ExitCode.OK);
        h.ready(h.last(CHAT_1));
        h.exited(first(CHAT_1), ExitCode.OK);
        assertEquals(State.FAILED, h.lastOperation().state());
        assertTrue(h.lastOperation().outcome().contains("3 of 3 worker(s); failures: worker game#1 pid " + old.pid()),
                h.lastOperation().outcome());
    }

    @Test
    void a_replacement_not_ready_in_time_is_killed_and_the_old_worker_kept() {
        FakeChild old = h.last(GAME_1);
        h.signal("USR2");
        FakeChild fresh = h.last(GAME_1);
        assertEquals(List.of(Duration.ofSeconds(60)), h.timers.delays(Event.ReplacementTimedOut.class),
                "burst.start.timeout");

        h.fire(Event.ReplacementTimedOut.class);

        assertTrue(fresh.killed());
        assertTrue(old.untouched());
        h.exited(fresh, 128 + 9);
        assertEquals(2, h.count(GAME_2), "the next replacement started");
    }

    @Test
    void a_late_timeout_of_a_replacement_that_became_ready_kills_nothing() {
        h.signal("USR2");
        FakeChild fresh = h.last(GAME_1);
        h.ready(fresh);

        h.fire(Event.ReplacementTimedOut.class);

        assertTrue(fresh.untouched());
    }

    @Test
    void an_old_worker_that_dies_while_its_replacement_boots_hands_the_slot_to_it() {
        FakeChild old = h.last(GAME_1);
        h.signal("USR2");
        FakeChild fresh = h.last(GAME_1);

        h.exited(old, ExitCode.FAILURE);

        assertEquals(2, h.count(GAME_1), "no third process: the replacement takes the slot");
        h.ready(fresh);
        assertEquals(List.of(), retired(), "nothing left to drain");
        assertEquals(2, h.count(GAME_2), "the replacement is over; the next started");
        assertTrue(h.lastOperation().details().getFirst().outcome().contains("exited before it was replaced"));
    }

    @Test
    void a_replacement_that_took_over_the_slot_and_died_fails_and_the_slot_is_respawned() {
        FakeChild old = h.last(GAME_1);
        h.signal("USR2");
        FakeChild fresh = h.last(GAME_1);
        h.exited(old, ExitCode.FAILURE);

        h.exited(fresh, ExitCode.FAILURE);

        assertTrue(h.lastOperation().details().getFirst().outcome().contains("before it was ready"));
        assertEquals(3, h.count(GAME_1), "the slot respawns as after any death");
    }

    @Test
    void a_worker_that_exits_before_its_turn_is_skipped_and_counted() {
        h.signal("USR2");
        FakeChild second = h.last(GAME_2);
        h.exited(second, ExitCode.FAILURE);
        h.ready(h.last(GAME_2));

        h.ready(h.last(GAME_1));
        h.exited(first(GAME_1), ExitCode.OK);

        assertEquals(2, h.count(GAME_2), "the respawned worker is new already: not replaced again");
        assertTrue(h.lastOperation().details().stream()
                .anyMatch(d -> d.subject().equals("worker game#2 pid " + second.pid())
                        && d.outcome().equals("exited before its turn")), h.lastOperation().details().toString());
    }

    @Test
    void shrinking_the_group_cancels_the_replacement_of_a_removed_slot() {
        h.handle(new Event.RecycleAsked(h.last(GAME_2).pid(), "max-requests"));
        FakeChild old = first(GAME_2);
        FakeChild fresh = h.last(GAME_2);

        h.admin(0, "change_group", "game", 1);

        assertEquals(List.of(fresh.pid(), old.pid()), retired());
        OperationRecord recycle = h.operations().stream().filter(r -> r.kind() == Kind.RECYCLE).findFirst().orElseThrow();
        assertEquals(State.DONE, recycle.state());
        assertTrue(recycle.details().getFirst().outcome().contains("cancelled"), recycle.details().toString());
    }

    @Test
    void a_restart_while_one_runs_is_refused() {
        h.signal("USR2");
        long first = h.lastOperation().id();

        h.admin(4, "restart_workers", "", 0);

        assertEquals(State.REFUSED, h.lastOperation().state());
        assertEquals("restart_workers #" + first + " is already running", h.lastOperation().result());
        assertEquals(4, h.lastOperation().request());
    }

    @Test
    void a_restart_tries_given_up_slots_again() {
        FakeChild chat = h.last(CHAT_1);
        h.exited(chat, ExitCode.BOOT_ERROR);
        h.fire(Event.BackoffOver.class);
        h.exited(h.last(CHAT_1), ExitCode.BOOT_ERROR);
        h.fire(Event.BackoffOver.class);
        h.exited(h.last(CHAT_1), ExitCode.BOOT_ERROR);
        long spawns = h.count(CHAT_1);

        h.signal("USR2");

        assertEquals(spawns + 1, h.count(CHAT_1));
    }

    @Test
    void a_stop_during_a_restart_ends_it_failed_with_what_was_done() {
        h.signal("USR2");
        h.ready(h.last(GAME_1));
        h.exited(first(GAME_1), ExitCode.OK);

        h.signal("TERM");

        OperationRecord restart = h.operations().stream().filter(r -> r.kind() == Kind.RESTART_WORKERS).findFirst()
                .orElseThrow();
        assertEquals(State.FAILED, restart.state());
        assertEquals("3 worker(s), one at a time: failed, 1 of 3 worker(s); burst is stopping", restart.outcome());
    }

    @Test
    void a_replacement_refuses_a_transition_its_table_does_not_list() {
        Replacement r = new Replacement(new FakeChild(GAME_1, 7, Instant.now()), "test", Optional.empty());

        assertThrows(IllegalStateException.class, () -> r.moveTo(Replacement.State.RETIRING));
        r.moveTo(Replacement.State.SPAWNING);
        r.moveTo(Replacement.State.FAILED);
        assertThrows(IllegalStateException.class, () -> r.moveTo(Replacement.State.DONE), "an ended one stays ended");
    }

    @Test
    void a_slot_refuses_a_transition_its_table_does_not_list() {
        Slot s = new Slot(GAME_1);

        assertThrows(IllegalStateException.class, () -> s.moveTo(Slot.State.RUNNING), "pending cannot be running");
        s.spawned(new FakeChild(GAME_1, 7, Instant.now()));
        assertThrows(IllegalStateException.class, () -> s.moveTo(Slot.State.REPLACING), "starting cannot be replaced");
        s.moveTo(Slot.State.STOPPING);
        assertThrows(IllegalStateException.class, () -> s.moveTo(Slot.State.PENDING), "a stopping slot stays so");
    }
}
