package dev.burst.container.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.container.process.ExitCode;
import dev.burst.container.config.ConfigLoader;
import dev.burst.container.config.MapConfigSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master's process-level operations (change_group, restart_workers, recycling, stuck workers), driven
 * through its events with a spawner that starts no process. No proxy is connected here, so a worker the
 * master retires is asked to stop directly (SIGTERM), which the fake child records.
 */
class MasterOperationsTest {

    private static final Role GAME_1 = Role.worker("game", 1);
    private static final Role GAME_2 = Role.worker("game", 2);
    private static final Role GAME_3 = Role.worker("game", 3);

    @TempDir
    Path home;

    private final FakeSpawner spawner = new FakeSpawner();
    private Master master;

    /** A running master: group "game" of two workers, both up and long past their start. */
    @BeforeEach
    void running() {
        spawner.startedAt = Instant.now().minusSeconds(60);
        master = new Master(ConfigLoader.from(MapConfigSource.config(Map.of(
                "burst.groups", "game,chat", "burst.group.game.workers", "2", "burst.group.chat.workers", "1")),
                home), spawner);
        master.handle(new Event.RespawnDue(Role.PROXY));
        master.handle(new Event.ProxyUp());
    }

    private OperationReport lastReport() {
        return master.reports().getLast();
    }

    private void exited(FakeChild c, ExitCode code) {
        master.handle(new Event.ChildExited(c, code.code()));
    }

    @Test
    void growing_a_group_spawns_the_new_slots() {
        master.handle(new Event.ChangeGroup("game", 4));

        assertEquals(List.of(GAME_1, GAME_2, Role.worker("chat", 1), GAME_3, Role.worker("game", 4)),
                spawner.workers().stream().map(FakeChild::role).toList());
        assertEquals("change_group", lastReport().kind());
        assertEquals("done", lastReport().state());
    }

    @Test
    void shrinking_a_group_retires_the_highest_slots_and_does_not_respawn_them() {
        FakeChild first = spawner.last(GAME_1);
        FakeChild second = spawner.last(GAME_2);

        master.handle(new Event.ChangeGroup("game", 1));

        assertTrue(second.terminated());
        assertTrue(first.untouched());
        exited(second, ExitCode.OK);
        assertEquals(1, spawner.count(GAME_2));
    }

    @Test
    void a_change_to_a_group_that_does_not_exist_is_refused() {
        int before = spawner.spawned.size();

        master.handle(new Event.ChangeGroup("nosuch", 3));

        assertEquals(before, spawner.spawned.size());
        assertTrue(master.reports().isEmpty());
    }

    @Test
    void a_change_above_the_largest_group_is_refused() {
        int before = spawner.spawned.size();

        master.handle(new Event.ChangeGroup("game", ConfigLoader.MAX_WORKERS + 1));

        assertEquals(before, spawner.spawned.size());
        assertTrue(spawner.workers().stream().allMatch(FakeChild::untouched));
    }

    @Test
    void sigttin_adds_a_worker_to_the_first_group() {
        master.handle(new Event.SignalReceived("TTIN"));

        assertEquals(1, spawner.count(GAME_3));
    }

    @Test
    void sigttou_retires_the_last_worker_of_the_first_group() {
        master.handle(new Event.SignalReceived("TTOU"));

        assertTrue(spawner.last(GAME_2).terminated());
        assertTrue(spawner.last(GAME_1).untouched());
    }

    @Test
    void sigttou_keeps_the_last_worker_of_a_group() {
        master.handle(new Event.SignalReceived("TTOU"));
        master.handle(new Event.SignalReceived("TTOU"));

        assertTrue(spawner.last(GAME_1).untouched());
    }

    @Test
    void a_restart_spawns_the_replacement_before_it_stops_the_old_worker() {
        FakeChild old = spawner.last(GAME_1);

        master.handle(new Event.RestartWorkers());

        FakeChild fresh = spawner.last(GAME_1);
        assertEquals(2, spawner.count(GAME_1));
        assertTrue(old.untouched());

        master.handle(new Event.WorkerReady(fresh.pid(), 1));

        assertTrue(old.terminated());
        assertTrue(fresh.untouched());
    }

    @Test
    void a_restart_replaces_one_worker_at_a_time() {
        master.handle(new Event.RestartWorkers());
        FakeChild old = spawner.spawned.stream().filter(c -> c.role().equals(GAME_1)).findFirst().orElseThrow();
        assertEquals(1, spawner.count(GAME_2));

        master.handle(new Event.WorkerReady(spawner.last(GAME_1).pid(), 1));
        assertEquals(1, spawner.count(GAME_2));
        exited(old, ExitCode.OK);

        assertEquals(2, spawner.count(GAME_2));
    }

    @Test
    void a_restart_reports_done_once_every_worker_is_replaced() {
        master.handle(new Event.RestartWorkers());
        for (Role role : List.of(GAME_1, GAME_2, Role.worker("chat", 1))) {
            FakeChild old = spawner.spawned.stream().filter(c -> c.role().equals(role)).findFirst().orElseThrow();
            master.handle(new Event.WorkerReady(spawner.last(role).pid(), 1));
            exited(old, ExitCode.OK);
        }

        assertEquals("restart_workers", lastReport().kind());
        assertEquals("done", lastReport().state());
        assertEquals(3, lastReport().done());
        assertEquals(List.of(), lastReport().failures());
    }

    @Test
    void a_replacement_that_dies_before_it_is_ready_leaves_the_old_worker_serving() {
        FakeChild old = spawner.last(GAME_1);
        master.handle(new Event.RestartWorkers());
        FakeChild fresh = spawner.last(GAME_1);

        exited(fresh, ExitCode.BOOT_ERROR);

        assertTrue(old.untouched());
        assertEquals(2, spawner.count(GAME_2));
        assertTrue(lastReport().failures().getFirst().contains("pid " + fresh.pid()), lastReport().failures().getFirst());
    }

    @Test
    void a_replacement_not_ready_in_time_is_killed_and_the_old_worker_kept() {
        FakeChild old = spawner.last(GAME_1);
        master.handle(new Event.RestartWorkers());
        FakeChild fresh = spawner.last(GAME_1);

        master.handle(new Event.ReplacementTimedOut(fresh.pid()));

        assertTrue(fresh.killed());
        assertTrue(old.untouched());
    }

    @Test
    void a_recycle_asked_by_the_proxy_replaces_that_worker_spawn_first() {
        FakeChild old = spawner.last(GAME_2);

        master.handle(new Event.RecycleAsked(old.pid(), "max-requests 1000 reached"));

        assertEquals(2, spawner.count(GAME_2));
        assertEquals(1, spawner.count(GAME_1));
        assertTrue(old.untouched());
    }

    @Test
    void a_recycle_asked_for_an_unknown_pid_changes_nothing() {
        int before = spawner.spawned.size();

        master.handle(new Event.RecycleAsked(1, "leaked"));

        assertEquals(before, spawner.spawned.size());
    }

    @Test
    void a_stuck_worker_has_its_threads_dumped_then_is_killed() throws InterruptedException {
        FakeChild stuck = spawner.last(GAME_1);

        master.handle(new Event.WorkerStuck(stuck.pid(), "cmd 1001 ran past task-timeout PT30S"));

        Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
        while (!stuck.killed() && Instant.now().isBefore(deadline)) {
            Thread.sleep(5);
        }
        assertTrue(stuck.killed());
        assertEquals(List.of(stuck.pid()), spawner.dumped);
        assertFalse(stuck.terminated());
    }

    @Test
    void operations_are_refused_once_a_stop_has_begun() {
        master.handle(new Event.Stop(false));
        int before = spawner.spawned.size();

        master.handle(new Event.ChangeGroup("game", 5));
        master.handle(new Event.RestartWorkers());
        master.handle(new Event.RecycleAsked(spawner.last(GAME_1).pid(), "max-requests"));

        assertEquals(before, spawner.spawned.size());
    }

    @Test
    void a_group_shrunk_and_grown_back_while_its_worker_drains_returns_to_full_size() {
        FakeChild second = spawner.last(GAME_2);

        master.handle(new Event.ChangeGroup("game", 1));
        master.handle(new Event.ChangeGroup("game", 2));
        exited(second, ExitCode.OK);

        assertEquals(2, spawner.count(GAME_2), "slot 2 is filled again once the drained worker is gone");
    }

    @Test
    void a_slot_given_up_after_boot_failures_is_tried_again_after_a_successful_reload() {
        for (int i = 0; i < 3; i++) {
            exited(spawner.last(GAME_1), ExitCode.BOOT_ERROR);
            master.handle(new Event.RespawnDue(GAME_1));
        }
        long givenUp = spawner.count(GAME_1);
        master.handle(new Event.RespawnDue(GAME_1));
        assertEquals(givenUp, spawner.count(GAME_1), "given up: no respawn");

        master.handle(new Event.ReloadDone(false, 1, "generation 2 refused"));
        assertEquals(givenUp, spawner.count(GAME_1), "a failed reload changes nothing");

        master.handle(new Event.ReloadDone(true, 2, "generation 2 serving"));
        assertEquals(givenUp + 1, spawner.count(GAME_1), "a reload that succeeded gives the slot another chance");
    }
}
