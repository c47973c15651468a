package dev.burst.container.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.container.process.ExitCode;
import dev.burst.container.config.BurstConfig;
import dev.burst.container.config.ConfigLoader;
import dev.burst.container.config.MapConfigSource;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the master's event handling directly, as its loop would, with a spawner that starts no process.
 * The master's own backoff timer also enqueues into its private queue, which nothing reads here: every
 * RespawnDue below is delivered by the test, standing in for that timer.
 */
class MasterTest {

    private static final Role GAME_1 = Role.worker("game", 1);
    private static final Role GAME_2 = Role.worker("game", 2);
    private static final int KILLED = 128 + 9;

    @TempDir
    Path home;

    private final FakeSpawner spawner = new FakeSpawner();

    private Master master(Map<String, String> settings) {
        BurstConfig config = ConfigLoader.from(MapConfigSource.config(settings), home);
        return new Master(config, spawner);
    }

    /** One group "game" of two workers, three boot attempts per slot. */
    private Master gameMaster() {
        return master(Map.of("burst.groups", "game", "burst.group.game.workers", "2"));
    }

    /** The master's proxy: a RespawnDue is how the master spawns it outside run(). */
    private FakeChild proxyOf(Master m) {
        m.handle(new Event.RespawnDue(Role.PROXY));
        return spawner.last(Role.PROXY);
    }

    private void markStartedLongAgo() {
        spawner.startedAt = Instant.now().minusSeconds(60);
    }

    @Test
    void after_the_proxy_is_up_every_worker_of_every_group_is_spawned() {
        Master m = master(Map.of("burst.groups", "game,chat",
                "burst.group.game.workers", "3", "burst.group.chat.workers", "1"));

        m.handle(new Event.ProxyUp());

        assertEquals(List.of(Role.worker("game", 1), Role.worker("game", 2), Role.worker("game", 3),
                Role.worker("chat", 1)), spawner.roles());
    }

    @Test
    void no_worker_is_spawned_before_the_proxy_is_up() {
        Master m = gameMaster();

        m.handle(new Event.ProxyListening(8080, 9900));

        assertEquals(List.of(), spawner.roles());
    }

    @Test
    void a_group_of_zero_workers_spawns_none() {
        Master m = master(Map.of("burst.groups", "game,idle", "burst.group.idle.workers", "0"));

        m.handle(new Event.ProxyUp());

        assertEquals(List.of(Role.worker("game", 1), Role.worker("game", 2)), spawner.roles());
    }

    @Test
    void a_proxy_that_comes_up_again_spawns_no_worker_that_is_still_running() {
        Master m = gameMaster();
        m.handle(new Event.ProxyUp());

        m.handle(new Event.ProxyUp());

        assertEquals(List.of(GAME_1, GAME_2), spawner.roles());
    }

    @Test
    void a_worker_killed_by_a_signal_after_a_long_uptime_is_respawned_at_once() {
        Master m = gameMaster();
        markStartedLongAgo();
        m.handle(new Event.ProxyUp());
        FakeChild first = spawner.last(GAME_1);

        m.handle(new Event.ChildExited(first, KILLED));

        assertEquals(2, spawner.count(GAME_1));
        assertNotSame(first, spawner.last(GAME_1));
        assertEquals(1, spawner.count(GAME_2));
    }

    @Test
    void a_worker_that_dies_quickly_is_respawned_only_when_its_backoff_is_due() {
        Master m = gameMaster();
        m.handle(new Event.ProxyUp());

        m.handle(new Event.ChildExited(spawner.last(GAME_1), ExitCode.FAILURE.code()));
        assertEquals(1, spawner.count(GAME_1));

        m.handle(new Event.RespawnDue(GAME_1));
        assertEquals(2, spawner.count(GAME_1));
    }

    @Test
    void a_worker_waiting_for_its_backoff_is_not_spawned_early_by_a_proxy_that_comes_up_again() {
        Master m = gameMaster();
        m.handle(new Event.ProxyUp());
        m.handle(new Event.ChildExited(spawner.last(GAME_1), ExitCode.FAILURE.code()));

        m.handle(new Event.ProxyUp());

        assertEquals(1, spawner.count(GAME_1));
    }

    @Test
    void a_worker_that_fails_at_boot_is_not_respawned_at_once() {
        Master m = gameMaster();
        markStartedLongAgo();
        m.handle(new Event.ProxyUp());

        m.handle(new Event.ChildExited(spawner.last(GAME_1), ExitCode.BOOT_ERROR.code()));

        assertEquals(1, spawner.count(GAME_1));
    }

    @Test
    void a_worker_that_fails_at_boot_boot_retries_times_in_a_row_is_given_up() {
        Master m = master(Map.of("burst.groups", "game", "burst.group.game.workers", "2",
                "burst.worker.boot-retries", "3"));
        m.handle(new Event.ProxyUp());

        m.handle(new Event.ChildExited(spawner.last(GAME_1), ExitCode.BOOT_ERROR.code()));
        m.handle(new Event.RespawnDue(GAME_1));
        m.handle(new Event.ChildExited(spawner.last(GAME_1), ExitCode.BOOT_ERROR.code()));
        m.handle(new Event.RespawnDue(GAME_1));
        assertEquals(3, spawner.count(GAME_1));

        m.handle(new Event.ChildExited(spawner.last(GAME_1), ExitCode.BOOT_ERROR.code()));
        m.handle(new Event.ProxyUp());

        assertEquals(3, spawner.count(GAME_1));
        assertEquals(1, spawner.count(GAME_2));
    }

    @Test
    void a_given_up_worker_is_not_spawned_by_a_late_respawn_due() {
        Master m = master(Map.of("burst.groups", "game", "burst.group.game.workers", "1",
                "burst.worker.boot-retries", "1"));
        m.handle(new Event.ProxyUp());
        m.handle(new Event.ChildExited(spawner.last(GAME_1), ExitCode.BOOT_ERROR.code()));

        m.handle(new Event.RespawnDue(GAME_1));

        assertEquals(1, spawner.count(GAME_1));
    }

    @Test
    void a_config_error_at_boot_counts_as_a_boot_failure() {
        Master m = master(Map.of("burst.groups", "game", "burst.group.game.workers", "1",
                "burst.worker.boot-retries", "1"));
        m.handle(new Event.ProxyUp());

        m.handle(new Event.ChildExited(spawner.last(GAME_1), ExitCode.CONFIG_ERROR.code()));
        m.handle(new Event.ProxyUp());

        assertEquals(1, spawner.count(GAME_1));
    }

    @Test
    void a_crash_that_is_not_a_boot_failure_restarts_the_count_of_boot_failures() {
        Master m = master(Map.of("burst.groups", "game", "burst.group.game.workers", "1",
                "burst.worker.boot-retries", "2"));
        m.handle(new Event.ProxyUp());
        m.handle(new Event.ChildExited(spawner.last(GAME_1), ExitCode.BOOT_ERROR.code()));
        markStartedLongAgo();
        m.handle(new Event.RespawnDue(GAME_1));
        m.handle(new Event.ChildExited(spawner.last(GAME_1), ExitCode.FAILURE.code()));
        assertEquals(3, spawner.count(GAME_1));

        m.handle(new Event.ChildExited(spawner.last(GAME_1), ExitCode.BOOT_ERROR.code()));
        m.handle(new Event.RespawnDue(GAME_1));

        assertEquals(4, spawner.count(GAME_1));
    }

    @Test
    void the_exit_of_a_child_that_was_already_replaced_is_ignored() {
        Master m = gameMaster();
        markStartedLongAgo();
        m.handle(new Event.ProxyUp());
        FakeChild stale = spawner.last(GAME_1);
        m.handle(new Event.ChildExited(stale, KILLED));

        m.handle(new Event.ChildExited(stale, KILLED));

        assertEquals(2, spawner.count(GAME_1));
        m.handle(new Event.ChildExited(spawner.last(GAME_1), KILLED));
        assertEquals(3, spawner.count(GAME_1));
    }

    @Test
    void the_exit_of_a_child_the_master_never_spawned_is_ignored() {
        Master m = gameMaster();
        m.handle(new Event.ProxyUp());

        m.handle(new Event.ChildExited(new FakeChild(GAME_1, 1, Instant.now().minusSeconds(60)), KILLED));

        assertEquals(1, spawner.count(GAME_1));
    }

    @Test
    void a_respawn_due_for_a_role_that_is_running_spawns_nothing() {
        Master m = gameMaster();
        m.handle(new Event.ProxyUp());

        m.handle(new Event.RespawnDue(GAME_1));

        assertEquals(1, spawner.count(GAME_1));
    }

    @Test
    void a_worker_that_cannot_be_spawned_is_tried_again_when_its_retry_is_due() {
        Master m = gameMaster();
        spawner.failing.add(GAME_1);
        m.handle(new Event.ProxyUp());
        assertEquals(List.of(GAME_2), spawner.roles());

        spawner.failing.clear();
        m.handle(new Event.ProxyUp());
        assertEquals(0, spawner.count(GAME_1));

        m.handle(new Event.RespawnDue(GAME_1));
        assertEquals(1, spawner.count(GAME_1));
    }

    @Test
    void a_graceful_stop_asks_the_proxy_first_and_the_workers_once_the_proxy_is_gone() {
        Master m = gameMaster();
        FakeChild proxy = proxyOf(m);
        m.handle(new Event.ProxyUp());

        m.handle(new Event.SignalReceived("TERM"));

        assertTrue(proxy.terminated());
        assertTrue(spawner.workers().stream().noneMatch(FakeChild::terminated));

        m.handle(new Event.ChildExited(proxy, ExitCode.OK.code()));

        assertTrue(spawner.workers().stream().allMatch(FakeChild::terminated));
    }

    @Test
    void a_fast_stop_asks_the_proxy_and_kills_every_worker_at_once() {
        Master m = gameMaster();
        FakeChild proxy = proxyOf(m);
        m.handle(new Event.ProxyUp());

        m.handle(new Event.SignalReceived("INT"));

        assertTrue(proxy.terminated());
        assertEquals(2, spawner.workers().size());
        assertTrue(spawner.workers().stream().allMatch(FakeChild::killed));
    }

    @Test
    void a_fast_stop_during_a_graceful_stop_kills_the_workers_at_once() {
        Master m = gameMaster();
        proxyOf(m);
        m.handle(new Event.ProxyUp());
        m.handle(new Event.SignalReceived("TERM"));

        m.handle(new Event.SignalReceived("INT"));

        assertTrue(spawner.workers().stream().allMatch(FakeChild::killed));
    }

    @Test
    void nothing_is_spawned_once_a_stop_has_begun() {
        Master m = gameMaster();
        proxyOf(m);
        markStartedLongAgo();
        m.handle(new Event.ProxyUp());
        int before = spawner.spawned.size();

        m.handle(new Event.SignalReceived("TERM"));
        m.handle(new Event.ChildExited(spawner.last(GAME_1), KILLED));
        m.handle(new Event.RespawnDue(GAME_1));
        m.handle(new Event.ProxyUp());
        m.handle(new Event.RespawnDue(Role.PROXY));

        assertEquals(before, spawner.spawned.size());
    }

    @Test
    void a_proxy_that_comes_up_after_a_stop_began_spawns_no_worker() {
        Master m = gameMaster();
        proxyOf(m);

        m.handle(new Event.SignalReceived("TERM"));
        m.handle(new Event.ProxyUp());

        assertEquals(List.of(), spawner.workers());
    }

    @Test
    void the_stop_deadline_kills_every_child_still_running() {
        Master m = gameMaster();
        FakeChild proxy = proxyOf(m);
        m.handle(new Event.ProxyUp());
        m.handle(new Event.SignalReceived("TERM"));
        m.handle(new Event.ChildExited(spawner.last(GAME_1), ExitCode.OK.code()));

        m.handle(new Event.StopDeadline());

        assertTrue(proxy.killed());
        assertTrue(spawner.last(GAME_2).killed());
        assertFalse(spawner.last(GAME_1).killed());
    }

    @Test
    void a_proxy_that_fails_to_boot_before_it_ever_listened_stops_burst_at_once() {
        Master m = gameMaster();
        FakeChild proxy = proxyOf(m);
        m.handle(new Event.ProxyUp());

        m.handle(new Event.ChildExited(proxy, ExitCode.BOOT_ERROR.code()));

        assertEquals(1, spawner.count(Role.PROXY));
        assertTrue(spawner.workers().stream().allMatch(FakeChild::killed));
        m.handle(new Event.RespawnDue(Role.PROXY));
        assertEquals(1, spawner.count(Role.PROXY));
    }

    @Test
    void a_proxy_that_crashes_after_serving_for_a_while_is_respawned_at_once_and_the_workers_are_kept() {
        Master m = gameMaster();
        markStartedLongAgo();
        FakeChild proxy = proxyOf(m);
        m.handle(new Event.ProxyUp());
        m.handle(new Event.ProxyListening(8080, 9900));

        m.handle(new Event.ChildExited(proxy, ExitCode.BOOT_ERROR.code()));

        assertEquals(2, spawner.count(Role.PROXY));
        assertTrue(spawner.workers().stream().allMatch(FakeChild::untouched));
    }

    @Test
    void a_reload_while_the_proxy_cannot_be_told_fails_its_report_and_touches_no_process() {
        Master m = gameMaster();
        FakeChild proxy = proxyOf(m);
        m.handle(new Event.ProxyUp());

        m.handle(new Event.SignalReceived("HUP"));

        assertEquals(3, spawner.spawned.size());
        assertFalse(proxy.terminated());
        assertTrue(spawner.workers().stream().noneMatch(FakeChild::terminated));
        OperationReport report = m.reports().getLast();
        assertEquals("reload_workers", report.kind());
        assertEquals("failed", report.state());
    }
}
