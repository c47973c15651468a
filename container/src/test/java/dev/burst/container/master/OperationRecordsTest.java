package dev.burst.container.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.container.master.OperationRecord.Kind;
import dev.burst.container.master.OperationRecord.State;
import dev.burst.container.process.ExitCode;
import dev.burst.container.protocol.WireMessage.Detail;
import dev.burst.container.protocol.WireMessage.Operation;
import dev.burst.container.protocol.WireMessage.Reload;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operations as data: each one asked for is a record (refused ones too), kept in a bounded history, sent
 * to the proxy as OPERATION whenever it changes, and all of them when a proxy connects. reload_workers runs
 * in the proxy as the master's operation: RELOAD carries its id, RELOADED answers with it.
 */
class OperationRecordsTest {

    private static final Role GAME_1 = Role.worker("game", 1);

    @TempDir
    Path home;

    private Harness h;

    @BeforeEach
    void running() {
        h = Harness.of(home, "burst.groups", "game", "burst.group.game.workers", "2", "burst.start.degraded", "serve");
        h.spawner.startedAt = Instant.now().minusSeconds(60);
        h.running();
    }

    private Event.ReloadDone reloaded(long operation, boolean ok) {
        return new Event.ReloadDone(operation, ok, 2, ok ? 2 : 1,
                ok ? "generation 2 serving on 2 worker(s) in 80 ms" : "generation 2 refused, generation 1 still serving",
                List.of(new Detail("plugins/hello.jar", ok ? "loaded" : "corrupt")));
    }

    @Test
    void sighup_opens_a_reload_and_asks_the_proxy_to_run_it_under_its_id() {
        h.signal("HUP");

        OperationRecord op = h.lastOperation();
        assertEquals(Kind.RELOAD_WORKERS, op.kind());
        assertEquals(State.RUNNING, op.state());
        assertEquals("SIGHUP", op.trigger());
        assertEquals(List.of(new Reload(op.id())), h.link.sent(Reload.class));
    }

    @Test
    void reloaded_ends_the_reload_with_the_proxy_s_summary_and_details() {
        h.signal("HUP");
        long id = h.lastOperation().id();

        h.handle(reloaded(id, true));

        OperationRecord op = h.lastOperation();
        assertEquals(State.DONE, op.state());
        assertEquals("generation 2 serving on 2 worker(s) in 80 ms", op.result());
        assertEquals(List.of(new Detail("plugins/hello.jar", "loaded")), op.details());
        Operation last = h.link.sent(Operation.class).getLast();
        assertEquals(id, last.id());
        assertEquals("done", last.state());
        assertTrue(last.finishedMillis() >= last.startedMillis());
        assertTrue(last.outcome().endsWith("done, generation 2 serving on 2 worker(s) in 80 ms"), last.outcome());
    }

    @Test
    void a_failed_reload_ends_failed() {
        h.signal("HUP");

        h.handle(reloaded(h.lastOperation().id(), false));

        assertEquals(State.FAILED, h.lastOperation().state());
    }

    @Test
    void a_reload_asked_while_one_runs_is_refused_at_once_with_a_warning_and_the_proxy_is_not_asked() {
        h.signal("HUP");
        long running = h.lastOperation().id();
        try (LogCapture log = new LogCapture()) {
            h.admin(42, "reload_workers", "", 0);

            OperationRecord refused = h.lastOperation();
            assertEquals(State.REFUSED, refused.state());
            assertEquals("reload #" + running + " is already running", refused.result());
            assertEquals(42, refused.request());
            assertEquals(1, h.link.sent(Reload.class).size());
            assertEquals(Level.WARNING, log.level("reload_workers #" + refused.id()));
        }
    }

    @Test
    void during_a_sighup_storm_the_reload_that_went_live_is_reported_done() {
        for (int i = 0; i < 5; i++) {
            h.signal("HUP");
        }
        long live = h.link.sent(Reload.class).getFirst().operation();

        h.handle(reloaded(live, true));

        List<OperationRecord> reloads = h.operations().stream().filter(r -> r.kind() == Kind.RELOAD_WORKERS).toList();
        assertEquals(List.of(State.DONE, State.REFUSED, State.REFUSED, State.REFUSED, State.REFUSED),
                reloads.stream().map(OperationRecord::state).toList());
        assertEquals(1, h.link.sent(Reload.class).size(), "one reload ran");
    }

    @Test
    void a_reload_is_refused_while_no_proxy_is_connected() {
        h.link.connected = false;

        h.signal("HUP");

        assertEquals(State.REFUSED, h.lastOperation().state());
        assertEquals("the proxy is not connected (it is being respawned)", h.lastOperation().result());
    }

    @Test
    void a_reload_is_refused_while_burst_is_starting() {
        Harness starting = Harness.of(home, "burst.groups", "game");
        starting.begin();
        starting.link.connected = true;

        starting.signal("HUP");

        assertEquals("burst is starting", starting.lastOperation().result());
    }

    @Test
    void a_proxy_that_exits_during_a_reload_fails_it_saying_so() {
        h.signal("HUP");
        long id = h.lastOperation().id();

        h.exited(h.proxy(), ExitCode.FAILURE);

        OperationRecord op = h.operations().stream().filter(r -> r.id() == id).findFirst().orElseThrow();
        assertEquals(State.FAILED, op.state());
        assertTrue(op.result().contains("the proxy (pid " + h.spawner.spawned.getFirst().pid() + ") exited 1"), op.result());
    }

    @Test
    void a_stop_during_a_reload_fails_the_reload_saying_so_and_the_stop_is_done() {
        h.signal("HUP");
        long reload = h.lastOperation().id();
        h.signal("TERM");

        h.exited(h.proxy(), ExitCode.OK);
        h.spawner.workers().forEach(w -> h.exited(w, ExitCode.OK));
        h.master.closeRecords();

        OperationRecord op = h.operations().stream().filter(r -> r.id() == reload).findFirst().orElseThrow();
        assertEquals(State.FAILED, op.state());
        assertTrue(op.result().startsWith("burst stopped before the reload reported"), op.result());
        OperationRecord stop = h.lastOperation();
        assertEquals(Kind.STOP, stop.kind());
        assertEquals("SIGTERM", stop.trigger());
        assertEquals(State.DONE, stop.state());
        assertEquals("graceful stop of 3 process(es): done, exit 0", stop.outcome());
    }

    @Test
    void a_stop_that_ends_with_a_failed_proxy_is_recorded_failed() {
        h.admin(3, "stop", "", 0);

        h.exited(h.proxy(), ExitCode.FAILURE);
        h.spawner.workers().forEach(w -> h.exited(w, ExitCode.OK));
        h.master.closeRecords();

        OperationRecord stop = h.lastOperation();
        assertEquals(State.FAILED, stop.state());
        assertEquals(3, stop.request());
        assertTrue(stop.result().startsWith("exit 1: the proxy's stop failed"), stop.result());
    }

    @Test
    void a_second_stop_is_refused() {
        h.signal("TERM");

        h.signal("TERM");

        assertEquals(State.REFUSED, h.lastOperation().state());
        assertTrue(h.lastOperation().result().endsWith("is already running"));
    }

    @Test
    void a_reload_the_proxy_ran_on_its_own_is_recorded_as_an_admin_api_reload() {
        h.handle(reloaded(0, true));

        OperationRecord op = h.lastOperation();
        assertEquals(Kind.RELOAD_WORKERS, op.kind());
        assertEquals("admin API", op.trigger());
        assertEquals(State.DONE, op.state());
    }

    @Test
    void a_slot_given_up_after_boot_failures_is_tried_again_only_after_a_successful_reload() {
        for (int i = 0; i < 3; i++) {
            h.exited(h.last(GAME_1), ExitCode.BOOT_ERROR);
            h.fire(Event.BackoffOver.class);
        }
        long givenUp = h.count(GAME_1);

        h.signal("HUP");
        h.handle(reloaded(h.lastOperation().id(), false));
        assertEquals(givenUp, h.count(GAME_1), "a failed reload changes nothing");

        h.signal("HUP");
        h.handle(reloaded(h.lastOperation().id(), true));
        assertEquals(givenUp + 1, h.count(GAME_1), "a reload that succeeded gives the slot another chance");
    }

    @Test
    void every_operation_frame_of_an_admin_request_echoes_its_request_id() {
        h.admin(77, "restart_workers", "", 0);
        long id = h.lastOperation().id();
        for (Role role : List.of(GAME_1, Role.worker("game", 2))) {
            FakeChild old = h.spawner.spawned.stream().filter(c -> c.role().equals(role)).findFirst().orElseThrow();
            h.ready(h.last(role));
            h.exited(old, ExitCode.OK);
        }

        List<Operation> frames = h.link.sent(Operation.class).stream().filter(o -> o.id() == id).toList();
        assertEquals(List.of("running", "running", "done"), frames.stream().map(Operation::state).toList());
        assertTrue(frames.stream().allMatch(o -> o.request() == 77), frames.toString());
        assertEquals("restart_workers", frames.getLast().kind());
        assertEquals("admin API", frames.getLast().trigger());
    }

    @Test
    void a_proxy_that_connects_is_sent_every_kept_record() {
        h.signal("TTIN");
        h.signal("TTOU");
        h.link.sent.clear();

        h.handle(new Event.ProxyConnected(h.proxy().pid()));

        assertEquals(h.operations().stream().map(OperationRecord::id).toList(),
                h.link.sent(Operation.class).stream().map(Operation::id).toList());
    }

    @Test
    void the_history_keeps_the_newest_hundred_records() {
        for (int i = 0; i < 130; i++) {
            h.admin(i, "change_group", "nosuch", 1);
        }

        assertEquals(Operations.KEPT, h.operations().size());
        assertEquals(130, h.lastOperation().id());
        assertEquals(31, h.operations().getFirst().id());
    }

    @Test
    void a_running_operation_is_not_dropped_for_newer_ones() {
        h.signal("HUP");
        long reload = h.lastOperation().id();
        for (int i = 0; i < 130; i++) {
            h.admin(i, "change_group", "nosuch", 1);
        }

        h.handle(reloaded(reload, true));

        assertEquals(State.DONE, h.operations().stream().filter(r -> r.id() == reload).findFirst().orElseThrow().state());
    }

    @Test
    void the_log_line_is_a_view_of_the_record() {
        try (LogCapture log = new LogCapture()) {
            h.admin(12, "change_group", "game", 3);

            assertEquals(List.of("change_group #1 (game 2 -> 3): running; trigger admin API, request 12",
                    "change_group #1 (game 2 -> 3): done, 1 worker(s) added; trigger admin API, request 12"),
                    log.lines("change_group #"));
        }
    }
}
