package dev.burst.container.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.container.process.ExitCode;
import dev.burst.container.process.SpawnSecrets;
import dev.burst.container.protocol.WireMessage.Shutdown;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master's reconcile step and the life of its slots: what it spawns after each event, backoff, giving
 * up, the proxy, and stopping. Driven event by event with fakes ({@link Harness}).
 */
class MasterTest {

    private static final Role GAME_1 = Role.worker("game", 1);
    private static final Role GAME_2 = Role.worker("game", 2);
    private static final int KILLED = 128 + 9;

    @TempDir
    Path home;

    /** One group "game" of two workers, three boot attempts per slot. */
    private Harness game() {
        return Harness.of(home, "burst.groups", "game", "burst.group.game.workers", "2");
    }

    private Harness game(String... more) {
        String[] all = new String[4 + more.length];
        System.arraycopy(new String[] {"burst.groups", "game", "burst.group.game.workers", "2"}, 0, all, 0, 4);
        System.arraycopy(more, 0, all, 4, more.length);
        return Harness.of(home, all);
    }

    @Test
    void the_proxy_is_spawned_first_and_no_worker_before_it_is_up() {
        Harness h = game();

        h.begin();
        h.handle(new Event.ProxyListening(8080, 9900));

        assertEquals(List.of(Role.PROXY), h.spawner.roles());
    }

    @Test
    void once_the_proxy_is_up_every_worker_of_every_group_is_spawned() {
        Harness h = Harness.of(home, "burst.groups", "game,chat", "burst.group.game.workers", "3",
                "burst.group.chat.workers", "1");
        h.begin();

        h.proxyUp();

        assertEquals(List.of(Role.PROXY, Role.worker("game", 1), Role.worker("game", 2), Role.worker("game", 3),
                Role.worker("chat", 1)), h.spawner.roles());
    }

    @Test
    void a_group_of_zero_workers_spawns_none() {
        Harness h = Harness.of(home, "burst.groups", "game,idle", "burst.group.idle.workers", "0");
        h.begin();

        h.proxyUp();

        assertEquals(List.of(Role.worker("game", 1), Role.worker("game", 2)),
                h.spawner.workers().stream().map(FakeChild::role).toList());
    }

    @Test
    void a_proxy_that_comes_up_again_spawns_no_worker_that_is_still_running() {
        Harness h = game();
        h.begin();
        h.proxyUp();

        h.handle(new Event.ProxyUp(h.proxy().pid()));

        assertEquals(1, h.count(GAME_1));
        assertEquals(1, h.count(GAME_2));
    }

    @Test
    void a_proxy_up_from_a_pid_that_is_not_the_proxy_spawns_no_worker() {
        Harness h = game();
        h.begin();

        h.handle(new Event.ProxyUp(h.proxy().pid() + 100));

        assertEquals(List.of(), h.spawner.workers());
    }

    @Test
    void a_worker_killed_by_a_signal_after_a_long_uptime_is_respawned_at_once() {
        Harness h = game();
        h.spawner.startedAt = Instant.now().minusSeconds(60);
        h.running();
        FakeChild first = h.last(GAME_1);

        h.exited(first, KILLED);

        assertEquals(2, h.count(GAME_1));
        assertNotSame(first, h.last(GAME_1));
        assertEquals(1, h.count(GAME_2));
    }

    @Test
    void a_worker_that_dies_quickly_is_respawned_only_when_its_backoff_is_over() {
        Harness h = game();
        h.running();

        h.exited(h.last(GAME_1), ExitCode.FAILURE);
        assertEquals(1, h.count(GAME_1));
        assertEquals(List.of(Duration.ofMillis(200)), h.timers.delays(Event.BackoffOver.class));

        h.fire(Event.BackoffOver.class);
        assertEquals(2, h.count(GAME_1));
    }

    @Test
    void each_quick_death_in_a_row_doubles_the_backoff_up_to_ten_seconds() {
        Harness h = game();
        h.running();

        for (int i = 0; i < 8; i++) {
            h.exited(h.last(GAME_1), ExitCode.FAILURE);
            h.fire(Event.BackoffOver.class);
        }
        h.exited(h.last(GAME_1), ExitCode.FAILURE);

        assertEquals(List.of(Duration.ofSeconds(10)), h.timers.delays(Event.BackoffOver.class));
    }

    @Test
    void a_backoff_timer_of_an_earlier_backoff_does_not_end_a_later_one() {
        Harness h = game();
        h.running();
        h.exited(h.last(GAME_1), ExitCode.FAILURE);
        Event.BackoffOver first = h.timers.take(Event.BackoffOver.class).getFirst();
        h.handle(first);
        h.exited(h.last(GAME_1), ExitCode.FAILURE);

        h.handle(first);

        assertEquals(2, h.count(GAME_1), "the stale timer spawned nothing");
        h.fire(Event.BackoffOver.class);
        assertEquals(3, h.count(GAME_1));
    }

    @Test
    void a_worker_waiting_for_its_backoff_is_not_spawned_early_by_a_proxy_that_comes_up_again() {
        Harness h = game();
        h.running();
        h.exited(h.last(GAME_1), ExitCode.FAILURE);

        h.handle(new Event.ProxyUp(h.proxy().pid()));

        assertEquals(1, h.count(GAME_1));
    }

    @Test
    void a_worker_that_fails_at_boot_is_not_respawned_at_once() {
        Harness h = game();
        h.spawner.startedAt = Instant.now().minusSeconds(60);
        h.running();

        h.exited(h.last(GAME_1), ExitCode.BOOT_ERROR);

        assertEquals(1, h.count(GAME_1));
        assertEquals(1, h.timers.delays(Event.BackoffOver.class).size());
    }

    @Test
    void a_worker_that_fails_at_boot_boot_retries_times_in_a_row_is_given_up_and_the_rest_is_untouched() {
        Harness h = game("burst.worker.boot-retries", "3", "burst.start.degraded", "serve");
        h.begin();
        h.proxyUp();

        for (int i = 0; i < 3; i++) {
            h.exited(h.last(GAME_1), ExitCode.BOOT_ERROR);
            h.fire(Event.BackoffOver.class);
        }
        h.handle(new Event.ProxyUp(h.proxy().pid()));

        assertEquals(3, h.count(GAME_1));
        assertEquals(1, h.count(GAME_2));
        assertTrue(h.last(GAME_2).untouched());
        assertTrue(h.proxy().untouched());
        assertEquals(List.of(), h.timers.delays(Event.BackoffOver.class), "no retry is scheduled");
    }

    @Test
    void a_config_error_at_boot_counts_as_a_boot_failure() {
        Harness h = game("burst.worker.boot-retries", "1", "burst.start.degraded", "serve");
        h.begin();
        h.proxyUp();

        h.exited(h.last(GAME_1), ExitCode.CONFIG_ERROR);
        h.fire(Event.BackoffOver.class);

        assertEquals(1, h.count(GAME_1));
    }

    @Test
    void a_crash_that_is_not_a_boot_failure_restarts_the_count_of_boot_failures() {
        Harness h = game("burst.worker.boot-retries", "2", "burst.start.degraded", "serve");
        h.begin();
        h.proxyUp();
        h.exited(h.last(GAME_1), ExitCode.BOOT_ERROR);
        h.fire(Event.BackoffOver.class);
        h.exited(h.last(GAME_1), ExitCode.FAILURE);
        h.fire(Event.BackoffOver.class);
        assertEquals(3, h.count(GAME_1));

        h.exited(h.last(GAME_1), ExitCode.BOOT_ERROR);
        h.fire(Event.BackoffOver.class);

        assertEquals(4, h.count(GAME_1), "one boot failure since the crash: not given up");
    }

    @Test
    void the_exit_of_a_child_that_was_already_replaced_is_ignored() {
        Harness h = game();
        h.spawner.startedAt = Instant.now().minusSeconds(60);
        h.running();
        FakeChild stale = h.last(GAME_1);
        h.exited(stale, KILLED);

        h.exited(stale, KILLED);

        assertEquals(2, h.count(GAME_1));
    }

    @Test
    void the_exit_of_a_child_the_master_never_spawned_is_ignored() {
        Harness h = game();
        h.running();

        h.exited(new FakeChild(GAME_1, 1, Instant.now().minusSeconds(60)), KILLED);

        assertEquals(1, h.count(GAME_1));
    }

    @Test
    void a_worker_that_cannot_be_spawned_is_tried_again_ten_seconds_later() {
        Harness h = game();
        h.spawner.failing.add(GAME_1);
        h.begin();
        h.proxyUp();
        assertEquals(List.of(GAME_2), h.spawner.workers().stream().map(FakeChild::role).toList());
        assertEquals(List.of(Duration.ofSeconds(10)), h.timers.delays(Event.BackoffOver.class));

        h.spawner.failing.clear();
        h.handle(new Event.ProxyUp(h.proxy().pid()));
        assertEquals(0, h.count(GAME_1));

        h.fire(Event.BackoffOver.class);
        assertEquals(1, h.count(GAME_1));
    }

    @Test
    void workers_that_die_while_the_proxy_is_down_wait_for_the_next_proxy_to_be_up() {
        Harness h = game();
        h.spawner.startedAt = Instant.now().minusSeconds(60);
        h.running();
        FakeChild oldProxy = h.proxy();
        h.exited(oldProxy, ExitCode.FAILURE);
        FakeChild newProxy = h.proxy();
        assertNotSame(oldProxy, newProxy);

        h.exited(h.last(GAME_1), ExitCode.FAILURE);
        h.exited(h.last(GAME_2), ExitCode.FAILURE);
        assertEquals(1, h.count(GAME_1), "no worker is spawned while no proxy can take it");

        h.proxyUp();
        assertEquals(2, h.count(GAME_1));
        assertEquals(2, h.count(GAME_2));
    }

    @Test
    void a_proxy_that_crashes_after_serving_for_a_while_is_respawned_at_once_and_the_workers_are_kept() {
        Harness h = game();
        h.spawner.startedAt = Instant.now().minusSeconds(60);
        h.running();
        h.handle(new Event.ProxyListening(8080, 9900));

        h.exited(h.proxy(), ExitCode.BOOT_ERROR);

        assertEquals(2, h.count(Role.PROXY));
        assertTrue(h.spawner.workers().stream().allMatch(FakeChild::untouched));
    }

    @Test
    void a_proxy_that_fails_to_boot_before_it_ever_listened_stops_burst_with_the_boot_error_code() {
        Harness h = game();
        FakeChild proxy = h.begin();
        h.proxyUp();

        h.exited(proxy, ExitCode.BOOT_ERROR);

        assertEquals(1, h.count(Role.PROXY));
        assertTrue(h.spawner.workers().stream().allMatch(FakeChild::killed));
        h.fire(Event.BackoffOver.class);
        assertEquals(1, h.count(Role.PROXY));
        assertEquals(ExitCode.BOOT_ERROR.code(), h.master.exitCode());
    }

    @Test
    void every_child_gets_its_secret_in_its_environment_and_a_worker_s_proves_its_slot_to_the_proxy() {
        Harness h = game();
        FakeChild proxy = h.begin();
        h.proxyUp();

        Map<String, String> proxyEnv = h.spawner.environment(proxy);
        assertEquals(List.of(proxyEnv.get(SpawnSecrets.SECRET_ENV)), h.link.expected,
                "the control socket expects the secret the proxy was given");
        assertEquals(64, proxyEnv.get(SpawnSecrets.SECRET_ENV).length());
        byte[] key = SpawnSecrets.parseKey(proxyEnv.get(SpawnSecrets.WORKER_KEY_ENV)).orElseThrow();
        String secret = h.spawner.environment(h.last(GAME_2)).get(SpawnSecrets.SECRET_ENV);
        assertTrue(SpawnSecrets.verifyWorker(key, "game", 2, secret));
        assertFalse(SpawnSecrets.verifyWorker(key, "game", 1, secret), "a secret is good for its own slot only");
        assertFalse(h.spawner.environment(h.last(GAME_2)).containsKey(SpawnSecrets.WORKER_KEY_ENV),
                "workers never see the key");
    }

    @Test
    void the_first_proxy_is_told_it_starts_cold_and_a_respawned_one_that_it_is_a_respawn() {
        Harness h = game();
        h.spawner.startedAt = Instant.now().minusSeconds(60);
        FakeChild first = h.begin();
        h.proxyUp();

        h.exited(first, ExitCode.FAILURE);
        FakeChild second = h.proxy();

        assertEquals("cold", h.spawner.environment(first).get(Master.PROXY_START_ENV));
        assertEquals("respawn", h.spawner.environment(second).get(Master.PROXY_START_ENV));
        assertNotEquals(h.spawner.environment(first).get(SpawnSecrets.SECRET_ENV),
                h.spawner.environment(second).get(SpawnSecrets.SECRET_ENV), "a new secret per proxy");
        assertEquals(h.spawner.environment(first).get(SpawnSecrets.WORKER_KEY_ENV),
                h.spawner.environment(second).get(SpawnSecrets.WORKER_KEY_ENV), "one worker key per master");
    }

    @Test
    void housekeeping_checks_the_control_socket() {
        Harness h = game();
        h.begin();

        h.handle(new Event.Housekeeping());

        assertEquals(1, h.link.checks);
    }

    @Test
    void a_graceful_stop_asks_the_proxy_first_and_the_workers_once_the_proxy_is_gone() {
        Harness h = game();
        h.running();
        FakeChild proxy = h.proxy();

        h.signal("TERM");

        assertTrue(proxy.terminated());
        assertEquals(List.of(new Shutdown(false)), h.link.sent(Shutdown.class));
        assertTrue(h.spawner.workers().stream().noneMatch(FakeChild::terminated));

        h.exited(proxy, ExitCode.OK);

        assertTrue(h.spawner.workers().stream().allMatch(FakeChild::terminated));
        assertFalse(h.master.finished());
        h.spawner.workers().forEach(w -> h.exited(w, ExitCode.OK));
        assertTrue(h.master.finished(), "the loop ends once every child has exited");
        assertEquals(ExitCode.OK.code(), h.master.exitCode());
    }

    @Test
    void a_fast_stop_tells_the_proxy_and_kills_every_worker_at_once() {
        Harness h = game();
        h.running();

        h.signal("INT");

        assertEquals(List.of(new Shutdown(true)), h.link.sent(Shutdown.class));
        assertFalse(h.proxy().terminated(), "the proxy was told, so it is not signalled");
        assertEquals(2, h.spawner.workers().size());
        assertTrue(h.spawner.workers().stream().allMatch(FakeChild::killed));
    }

    @Test
    void a_fast_stop_without_a_connected_proxy_signals_it() {
        Harness h = game();
        FakeChild proxy = h.begin();

        h.signal("INT");

        assertTrue(proxy.terminated());
    }

    @Test
    void a_fast_stop_during_a_graceful_stop_kills_the_workers_at_once() {
        Harness h = game();
        h.running();
        h.signal("TERM");

        h.signal("INT");

        assertTrue(h.spawner.workers().stream().allMatch(FakeChild::killed));
        assertEquals(List.of(new Shutdown(false), new Shutdown(true)), h.link.sent(Shutdown.class));
    }

    @Test
    void nothing_is_spawned_once_a_stop_has_begun() {
        Harness h = game();
        h.spawner.startedAt = Instant.now().minusSeconds(60);
        h.running();
        h.exited(h.last(GAME_1), ExitCode.FAILURE);
        int before = h.spawner.spawned.size();

        h.signal("TERM");
        h.exited(h.last(GAME_1), KILLED);
        h.fire(Event.BackoffOver.class);
        h.handle(new Event.ProxyUp(h.proxy().pid()));
        h.exited(h.proxy(), ExitCode.OK);

        assertEquals(before, h.spawner.spawned.size());
    }

    @Test
    void the_stop_deadline_kills_every_child_still_running_and_the_master_exits_1() {
        Harness h = game();
        h.running();
        h.signal("TERM");
        assertEquals(List.of(Duration.ofSeconds(32)), h.timers.delays(Event.StopDeadline.class),
                "burst.stop.timeout (30 s) and 2 s for the processes to exit");
        h.exited(h.last(GAME_1), ExitCode.OK);

        h.fire(Event.StopDeadline.class);

        assertTrue(h.proxy().killed());
        assertTrue(h.last(GAME_2).killed());
        assertFalse(h.last(GAME_1).killed());
        assertEquals(ExitCode.FAILURE.code(), h.master.exitCode());
    }

    @Test
    void a_proxy_whose_graceful_stop_fails_makes_the_master_exit_non_zero() {
        Harness h = game();
        h.running();
        h.signal("TERM");

        h.exited(h.proxy(), ExitCode.FAILURE);
        h.spawner.workers().forEach(w -> h.exited(w, ExitCode.OK));

        assertTrue(h.master.finished());
        assertEquals(ExitCode.FAILURE.code(), h.master.exitCode());
    }

    @Test
    void a_sigkill_the_master_did_itself_is_not_blamed_on_memory_but_one_it_did_not_do_is() {
        Harness h = game();
        h.spawner.startedAt = Instant.now().minusSeconds(60);
        h.running();
        try (LogCapture log = new LogCapture()) {
            h.exited(h.last(GAME_1), KILLED);
            h.signal("INT");
            h.exited(h.last(GAME_2), KILLED);

            assertEquals(1, log.lines("perhaps out of memory").size(), log.lines().toString());
            assertTrue(log.lines("perhaps out of memory").getFirst().contains("worker game#1"));
        }
    }

    @Test
    void a_worker_killed_after_its_task_timeout_is_not_blamed_on_memory() throws InterruptedException {
        Harness h = game();
        h.spawner.startedAt = Instant.now().minusSeconds(60);
        h.running();
        FakeChild stuck = h.last(GAME_1);
        try (LogCapture log = new LogCapture()) {
            h.handle(new Event.WorkerStuck(stuck.pid(), "cmd 7 ran past its task-timeout"));
            awaitKilled(stuck);

            h.exited(stuck, KILLED);

            assertEquals(List.of(), log.lines("perhaps out of memory"));
            assertEquals(Level.WARNING, log.level("worker game#1 (pid " + stuck.pid() + ") was killed by signal 9"));
        }
        assertEquals(2, h.count(GAME_1), "and it is respawned");
    }

    static void awaitKilled(FakeChild child) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(5);
        while (!child.killed() && Instant.now().isBefore(deadline)) {
            Thread.sleep(5);
        }
        assertTrue(child.killed(), child + " was killed");
    }
}
