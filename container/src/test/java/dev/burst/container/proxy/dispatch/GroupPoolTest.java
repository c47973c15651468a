package dev.burst.container.proxy.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.container.config.ConfigLoader;
import dev.burst.container.config.GroupConfig;
import dev.burst.container.config.MapConfigSource;
import dev.burst.container.plugin.CmdSpec;
import dev.burst.container.proxy.dispatch.PoolWorker.State;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GroupPoolTest {

    private static final Map<Integer, CmdSpec> ECHO = Map.of(1, new CmdSpec(1, "echo", false));

    private final List<String> told = new ArrayList<>();
    private final GroupPool.Listener listener = new GroupPool.Listener() {
        @Override
        public void stuck(PoolWorker worker, Task task) {
            told.add("stuck " + worker.id() + " cmd " + task.cmd);
        }

        @Override
        public void recycle(PoolWorker worker, String reason) {
            told.add("recycle " + worker.id() + ": " + reason);
        }

        @Override
        public void tickStuck(PoolWorker worker, String detail) {
            told.add("tick stuck " + detail);
        }
    };
    private final Map<Long, Outcome> answers = new HashMap<>();
    private long ids;

    private static GroupConfig group(int maxPending, Duration queueTimeout, Duration taskTimeout, int maxRequests) {
        return ConfigLoader.from(MapConfigSource.config(Map.of(
                "burst.groups", "game",
                "burst.group.game.max-pending", Integer.toString(maxPending),
                "burst.group.game.queue-timeout", queueTimeout.toString(),
                "burst.group.game.task-timeout", taskTimeout.toString(),
                "burst.group.game.max-requests", Integer.toString(maxRequests))), Path.of("")).group("game").orElseThrow();
    }

    private static GroupConfig keyedGroup(int workers, int maxPending, Duration queueTimeout, String keyless) {
        return ConfigLoader.from(MapConfigSource.config(Map.of(
                "burst.groups", "game",
                "burst.group.game.workers", Integer.toString(workers),
                "burst.group.game.route", "key",
                "burst.group.game.keyless", keyless,
                "burst.group.game.max-pending", Integer.toString(maxPending),
                "burst.group.game.queue-timeout", queueTimeout.toString())), Path.of("")).group("game").orElseThrow();
    }

    private GroupPool keyedPool(int workers) {
        return pool(keyedGroup(workers, 100, Duration.ofSeconds(5), "any"));
    }

    private Task keyed(String key) {
        return keyedAt(key, System.nanoTime());
    }

    private Task keyedAt(String key, long acceptedNanos) {
        long id = ++ids;
        return new Task(id, 1, key, id, o -> answers.put(id, o), acceptedNanos);
    }

    /** @return a key that belongs to the slot among that many */
    private static String keyOfSlot(int slot, int slots) {
        return keyOfSlot(slot, slots, "");
    }

    /** @return a key that belongs to the slot among that many, other than the one given */
    private static String keyOfSlot(int slot, int slots, String not) {
        for (int i = 0; ; i++) {
            String key = "player-" + i;
            if (KeySlots.slotOf(key, slots) == slot && !key.equals(not)) {
                return key;
            }
        }
    }

    private GroupPool pool() {
        return pool(group(100, Duration.ofSeconds(5), Duration.ofSeconds(30), 0));
    }

    private GroupPool pool(GroupConfig config) {
        return new GroupPool(config, listener, n -> n);
    }

    private Task task(long source, int cmd) {
        long id = ++ids;
        return new Task(id, cmd, 0, "test", source, new byte[0], o -> answers.put(id, o));
    }

    private Task oldTask(long source, long acceptedNanos) {
        long id = ++ids;
        return new Task(id, 1, 0, "test", source, new byte[0], o -> answers.put(id, o), acceptedNanos);
    }

    private PoolWorker worker(GroupPool pool, int slot) {
        PoolWorker w = new PoolWorker("game", slot, 1000 + slot, new RecordingPort());
        pool.joined(w);
        return w;
    }

    private PoolWorker readyWorker(GroupPool pool, int slot) {
        PoolWorker w = worker(pool, slot);
        run(fx -> assertTrue(pool.ready(w, 1, ECHO, fx)));
        return w;
    }

    private static RecordingPort port(PoolWorker w) {
        return (RecordingPort) w.port();
    }

    private interface Op {
        void apply(Effects fx);
    }

    private static void run(Op op) {
        Effects fx = new Effects();
        op.apply(fx);
        fx.run();
    }

    private void submit(GroupPool pool, Task t) {
        run(fx -> pool.submit(t, fx));
    }

    private void answer(GroupPool pool, PoolWorker w) {
        Task t = w.current();
        run(fx -> assertSame(t, pool.result(w, t.id, fx)));
        t.complete(Outcome.reply(0, new byte[0]));
    }

    @Test
    void a_task_goes_straight_to_an_idle_ready_worker() {
        GroupPool pool = pool();
        PoolWorker w = readyWorker(pool, 1);
        Task t = task(1, 1);

        submit(pool, t);

        assertEquals(List.of(t), port(w).sent);
        assertSame(t, w.current());
        assertEquals(0, pool.idleCount());
    }

    @Test
    void a_late_or_repeated_ready_never_makes_a_worker_idle_twice() {
        GroupPool pool = pool();
        PoolWorker w = readyWorker(pool, 1);

        run(fx -> assertFalse(pool.ready(w, 1, ECHO, fx)));
        run(fx -> assertFalse(pool.ready(w, 1, ECHO, fx)));

        assertEquals(1, pool.idleCount());
        submit(pool, task(1, 1));
        submit(pool, task(2, 1));
        assertEquals(1, port(w).sent.size(), "one worker runs one task at a time");
        assertEquals(1, pool.pendingCount());
    }

    @Test
    void a_starting_worker_gets_no_task_and_a_queued_task_goes_to_it_once_it_is_ready() {
        GroupPool pool = pool();
        PoolWorker w = worker(pool, 1);
        Task t = task(1, 1);
        submit(pool, t);
        assertEquals(List.of(), port(w).sent);

        run(fx -> pool.ready(w, 1, ECHO, fx));

        assertEquals(List.of(t), port(w).sent);
        assertEquals(0, pool.pendingCount());
    }

    @Test
    void a_queued_task_goes_to_the_worker_whose_result_comes_back() {
        GroupPool pool = pool();
        PoolWorker w = readyWorker(pool, 1);
        Task first = task(1, 1);
        Task second = task(2, 1);
        submit(pool, first);
        submit(pool, second);

        answer(pool, w);

        assertEquals(List.of(first, second), port(w).sent);
        assertEquals(1, w.served());
    }

    @Test
    void a_full_queue_answers_overloaded_at_once_and_counts_it() {
        GroupPool pool = pool(group(1, Duration.ofSeconds(5), Duration.ofSeconds(30), 0));
        readyWorker(pool, 1);
        submit(pool, task(1, 1));
        submit(pool, task(1, 1));
        Task third = task(1, 1);

        submit(pool, third);

        assertEquals(Outcome.Kind.OVERLOADED, answers.get(third.id).kind());
        assertEquals(1, pool.stats().rejects.sum());
        assertEquals(1, pool.pendingCount());
    }

    @Test
    void a_task_that_waited_past_queue_timeout_is_answered_overloaded_and_never_dispatched() {
        GroupPool pool = pool(group(100, Duration.ofMillis(100), Duration.ofSeconds(30), 0));
        PoolWorker w = readyWorker(pool, 1);
        submit(pool, task(1, 1));
        Task stale = oldTask(2, System.nanoTime() - 1_000_000_000L);
        submit(pool, stale);

        answer(pool, w);

        assertEquals(Outcome.Kind.OVERLOADED, answers.get(stale.id).kind());
        assertTrue(answers.get(stale.id).error().contains("queue-timeout"));
        assertEquals(1, port(w).sent.size());
        assertEquals(1, pool.stats().discards.sum());
    }

    @Test
    void housekeeping_answers_queued_tasks_past_queue_timeout() {
        GroupPool pool = pool(group(100, Duration.ofMillis(100), Duration.ofSeconds(30), 0));
        Task stale = oldTask(1, System.nanoTime() - 1_000_000_000L);
        submit(pool, stale);

        run(pool::housekeep);

        assertEquals(Outcome.Kind.OVERLOADED, answers.get(stale.id).kind());
        assertEquals(0, pool.pendingCount());
    }

    @Test
    void a_task_past_task_timeout_is_answered_and_its_worker_is_stuck_for_good() throws InterruptedException {
        GroupPool pool = pool(group(100, Duration.ofSeconds(5), Duration.ofMillis(1), 0));
        PoolWorker w = readyWorker(pool, 1);
        Task t = task(1, 1);
        submit(pool, t);
        Thread.sleep(5); // past the 1 ms task-timeout

        run(pool::housekeep);

        assertEquals(Outcome.Kind.TIMED_OUT, answers.get(t.id).kind());
        assertEquals(State.STUCK, w.state());
        assertEquals(List.of("stuck game#1 cmd 1"), told);
        run(fx -> assertNull(pool.result(w, t.id, fx)));
        submit(pool, task(2, 1));
        assertEquals(1, port(w).sent.size(), "a stuck worker gets nothing more");
    }

    @Test
    void a_long_tick_past_task_timeout_makes_its_worker_stuck_and_the_task_handed_to_it_meanwhile_waits_for_its_end()
            throws InterruptedException {
        GroupPool pool = pool(group(100, Duration.ofSeconds(5), Duration.ofMillis(50), 0));
        PoolWorker w = readyWorker(pool, 1);
        Task held = task(1, 1);
        submit(pool, held);
        pool.longTick(w, Duration.ofMillis(20).toNanos(), "a timer of plugin game (generation 1, after)");
        Thread.sleep(60); // the held task is past the 50 ms task-timeout, and the tick (20 ms older) too

        run(pool::housekeep);

        assertEquals(State.STUCK, w.state());
        assertEquals(1, pool.stats().stuckTicks.sum());
        assertEquals(1, told.size(), told.toString());
        assertTrue(told.getFirst().startsWith("tick stuck worker game#1 pid 1001: a timer of plugin game (generation 1,"
                + " after) ran "), told.getFirst());
        assertTrue(told.getFirst().endsWith(" ms, past burst.group.game.task-timeout PT0.05S"), told.getFirst());
        assertEquals(Map.of(), answers, "the held task had not started: it is not answered -10003");
        submit(pool, task(2, 1));
        assertEquals(List.of(held), port(w).sent, "a stuck worker gets nothing more");
        run(pool::housekeep);
        assertEquals(1, told.size(), "told once");
        assertEquals(Optional.of(held), pool.left(w, new Effects()),
                "its connection gone, the caller answers it as lost");
        assertEquals(1, pool.pendingCount(), "the queued task waits for another worker");
    }

    @Test
    void a_long_tick_that_ends_in_time_changes_nothing_and_the_task_handed_before_it_is_timed_from_its_end()
            throws InterruptedException {
        GroupPool pool = pool(group(100, Duration.ofSeconds(5), Duration.ofMillis(200), 0));
        PoolWorker w = readyWorker(pool, 1);
        Task held = task(1, 1);
        submit(pool, held);
        Thread.sleep(250); // the held task was handed over longer than task-timeout ago, but has not started
        pool.longTick(w, 0, "a timer of plugin game (generation 1, every 100 ms)");
        run(pool::housekeep);
        assertEquals(State.READY, w.state(), "the tick is timed, not the held task");

        run(fx -> pool.longTickDone(w, fx));
        run(pool::housekeep);

        assertEquals(State.READY, w.state(), "the held task starts at the tick's end, and is timed from there");
        assertEquals(Map.of(), answers);
        assertEquals(List.of(), told);
        answer(pool, w);
    }

    @Test
    void an_idle_worker_in_a_long_tick_gets_no_task_until_the_tick_ends() {
        GroupPool pool = pool();
        PoolWorker w = readyWorker(pool, 1);
        pool.longTick(w, 0, "a timer of plugin game (generation 1, every 100 ms)");
        Task t = task(1, 1);

        submit(pool, t);
        assertEquals(List.of(), port(w).sent, "it would wait behind the tick");
        assertEquals(1, pool.pendingCount());

        run(fx -> pool.longTickDone(w, fx));
        assertEquals(List.of(t), port(w).sent);
        answer(pool, w);
        Task next = task(1, 1);
        submit(pool, next);
        assertEquals(List.of(t, next), port(w).sent, "idle again after it");
    }

    @Test
    void a_tick_stuck_during_a_swap_aborts_the_swap_and_one_stuck_while_stopping_is_killed_but_stays_stopping()
            throws InterruptedException {
        GroupPool pool = pool(group(100, Duration.ofSeconds(5), Duration.ofMillis(1), 0));
        PoolWorker swapping = readyWorker(pool, 1);
        PoolWorker stopping = readyWorker(pool, 2);
        run(fx -> assertTrue(pool.beginSwap(swapping, fx)));
        run(fx -> pool.retire(stopping, fx));
        assertEquals(State.STOPPING, stopping.state());
        pool.longTick(swapping, 0, "a timer of plugin game (generation 1, after)");
        pool.longTick(stopping, 0, "a timer of plugin game (generation 1, after)");
        Thread.sleep(5);

        run(pool::housekeep);

        assertEquals(State.STUCK, swapping.state());
        assertEquals(List.of("worker game#1 pid 1001 is stuck in a timer tick"), port(swapping).swapsAborted);
        assertEquals(State.STOPPING, stopping.state());
        assertEquals(2, told.size(), "both are to be killed: " + told);
    }

    @Test
    void a_result_for_a_task_the_worker_was_not_given_is_a_protocol_error() {
        GroupPool pool = pool();
        PoolWorker w = readyWorker(pool, 1);

        assertThrows(IllegalStateException.class, () -> pool.result(w, 42, new Effects()));
    }

    @Test
    void one_pipelining_source_delays_another_by_one_task_not_by_its_backlog() {
        GroupPool pool = pool(group(10_000, Duration.ofSeconds(5), Duration.ofSeconds(30), 0));
        PoolWorker w = readyWorker(pool, 1);
        for (int i = 0; i < 3000; i++) {
            submit(pool, task(1, 1));
        }
        Task other = task(2, 1);
        submit(pool, other);

        answer(pool, w);
        answer(pool, w);

        assertSame(other, w.current(), "the newcomer waits for one queued task of the backlog, not 2,999");
    }

    @Test
    void a_worker_only_gets_tasks_for_cmds_its_generation_serves() {
        GroupPool pool = pool();
        PoolWorker old = readyWorker(pool, 1);
        Task added = task(1, 7);

        submit(pool, added);

        assertEquals(List.of(), port(old).sent);
        PoolWorker fresh = worker(pool, 2);
        run(fx -> pool.ready(fresh, 2, Map.of(1, new CmdSpec(1, "", false), 7, new CmdSpec(7, "", false)), fx));
        assertEquals(List.of(added), port(fresh).sent);
    }

    @Test
    void a_swap_waits_for_the_running_task_and_the_worker_gets_none_meanwhile() {
        GroupPool pool = pool();
        PoolWorker w = readyWorker(pool, 1);
        submit(pool, task(1, 1));

        run(fx -> assertTrue(pool.beginSwap(w, fx)));
        assertEquals(0, port(w).freeForSwap);
        submit(pool, task(2, 1));
        answer(pool, w);

        assertEquals(1, port(w).freeForSwap);
        assertEquals(1, port(w).sent.size(), "no task while swapping");
        assertTrue(pool.swapAnswered(w));
        run(fx -> pool.endSwap(w, Optional.of(new GroupPool.Started(2, ECHO)), fx));
        assertEquals(State.READY, w.state());
        assertEquals(2, w.generation());
        assertEquals(2, port(w).sent.size(), "the queued task follows the swap");
    }

    @Test
    void an_idle_worker_is_free_for_a_swap_at_once() {
        GroupPool pool = pool();
        PoolWorker w = readyWorker(pool, 1);

        run(fx -> pool.beginSwap(w, fx));

        assertEquals(1, port(w).freeForSwap);
        assertEquals(0, pool.idleCount());
    }

    @Test
    void a_swap_without_an_answer_in_time_quarantines_the_worker_and_asks_for_its_replacement() {
        GroupPool pool = pool();
        PoolWorker w = readyWorker(pool, 1);
        run(fx -> pool.beginSwap(w, fx));

        run(fx -> assertTrue(pool.swapTimedOut(w, "no answer", fx)));

        assertEquals(State.QUARANTINED, w.state());
        assertEquals(List.of("recycle game#1: no answer"), told);
        assertFalse(pool.swapAnswered(w), "a late READY does not count");
        run(fx -> pool.endSwap(w, Optional.of(new GroupPool.Started(2, ECHO)), fx));
        submit(pool, task(1, 1));
        assertEquals(List.of(), port(w).sent, "a quarantined worker never gets a task");
        assertEquals(1, pool.stats().quarantined.sum());
    }

    @Test
    void an_answer_that_beats_the_timeout_keeps_the_worker() {
        GroupPool pool = pool();
        PoolWorker w = readyWorker(pool, 1);
        run(fx -> pool.beginSwap(w, fx));
        assertTrue(pool.swapAnswered(w));

        run(fx -> assertFalse(pool.swapTimedOut(w, "no answer", fx)));

        assertEquals(State.SWAPPING, w.state());
    }

    @Test
    void a_retired_idle_worker_is_stopped_at_once() {
        GroupPool pool = pool();
        PoolWorker w = readyWorker(pool, 1);

        run(fx -> pool.retire(w, fx));

        assertEquals(State.STOPPING, w.state());
        assertEquals(1, port(w).stops);
        assertEquals(0, pool.idleCount());
    }

    @Test
    void a_retired_busy_worker_finishes_its_task_then_stops_and_gets_no_other() {
        GroupPool pool = pool();
        PoolWorker w = readyWorker(pool, 1);
        submit(pool, task(1, 1));
        submit(pool, task(2, 1));

        run(fx -> pool.retire(w, fx));
        assertEquals(0, port(w).stops);
        answer(pool, w);

        assertEquals(1, port(w).stops);
        assertEquals(1, port(w).sent.size());
        assertEquals(1, pool.pendingCount(), "the queued task waits for another worker");
    }

    @Test
    void a_worker_retired_while_starting_is_stopped_once_it_is_ready() {
        GroupPool pool = pool();
        PoolWorker w = worker(pool, 1);
        run(fx -> pool.retire(w, fx));
        assertEquals(0, port(w).stops);

        run(fx -> pool.ready(w, 1, ECHO, fx));

        assertEquals(1, port(w).stops);
        assertEquals(0, pool.idleCount());
    }

    @Test
    void retiring_a_swapping_worker_aborts_the_swap() {
        GroupPool pool = pool();
        PoolWorker w = readyWorker(pool, 1);
        run(fx -> pool.beginSwap(w, fx));

        run(fx -> pool.retire(w, fx));

        assertEquals(1, port(w).swapsAborted.size());
        assertEquals(State.STOPPING, w.state());
    }

    @Test
    void a_worker_that_leaves_gives_back_its_task_and_leaves_the_idle_list() {
        GroupPool pool = pool();
        PoolWorker busy = readyWorker(pool, 1);
        PoolWorker idle = readyWorker(pool, 2);
        Task t = task(1, 1);
        submit(pool, t);

        Effects fx = new Effects();
        assertEquals(Optional.of(t), pool.left(busy, fx));
        assertEquals(Optional.empty(), pool.left(idle, fx));
        fx.run();

        assertEquals(0, pool.idleCount());
        assertEquals(List.of(), pool.workers());
    }

    @Test
    void an_idempotent_retry_goes_before_queued_tasks() {
        GroupPool pool = pool();
        PoolWorker w = readyWorker(pool, 1);
        submit(pool, task(1, 1));
        Task queued = task(2, 1);
        submit(pool, queued);
        Task lost = task(3, 1);

        run(fx -> pool.retry(lost, fx));
        answer(pool, w);

        assertSame(lost, w.current());
        assertTrue(lost.retried());
    }

    @Test
    void a_worker_is_recycled_once_after_max_requests() {
        GroupPool pool = pool(group(100, Duration.ofSeconds(5), Duration.ofSeconds(30), 2));
        PoolWorker w = readyWorker(pool, 1);

        for (int i = 0; i < 3; i++) {
            submit(pool, task(1, 1));
            answer(pool, w);
        }

        assertEquals(List.of("recycle game#1: served 2 requests (max-requests 2)"), told);
    }

    @Test
    void clearing_answers_every_queued_task_overloaded() {
        GroupPool pool = pool();
        Task a = task(1, 1);
        Task b = task(2, 1);
        submit(pool, a);
        submit(pool, b);

        run(fx -> assertEquals(2, pool.clear("cleared", fx)));

        assertEquals(Outcome.Kind.OVERLOADED, answers.get(a.id).kind());
        assertEquals(Outcome.Kind.OVERLOADED, answers.get(b.id).kind());
        assertEquals(2, pool.stats().discards.sum());
    }

    @Test
    void a_fast_stop_answers_queued_tasks_overloaded_and_running_ones_lost() {
        GroupPool pool = pool();
        readyWorker(pool, 1);
        Task running = task(1, 1);
        Task queued = task(2, 1);
        submit(pool, running);
        submit(pool, queued);

        run(fx -> pool.abort("burst stopped", fx));

        assertEquals(Outcome.Kind.WORKER_LOST, answers.get(running.id).kind());
        assertEquals(Outcome.Kind.OVERLOADED, answers.get(queued.id).kind());
    }

    @Test
    void a_failed_send_closes_the_worker_connection() {
        GroupPool pool = pool();
        PoolWorker w = readyWorker(pool, 1);
        port(w).failSends = true;

        submit(pool, task(1, 1));

        assertEquals(1, port(w).closes);
    }

    @Test
    void stopping_tells_every_live_worker_to_stop() {
        GroupPool pool = pool();
        PoolWorker a = readyWorker(pool, 1);
        PoolWorker b = worker(pool, 2);

        run(pool::stopAll);

        assertEquals(State.STOPPING, a.state());
        assertEquals(State.STOPPING, b.state());
        assertEquals(1, port(a).stops);
        assertEquals(1, port(b).stops);
    }

    // ---- route=key ----------------------------------------------------------------------------------

    @Test
    void a_keys_tasks_run_on_its_slots_worker_one_at_a_time_in_arrival_order() {
        GroupPool pool = keyedPool(2);
        PoolWorker one = readyWorker(pool, 1);
        PoolWorker two = readyWorker(pool, 2);
        String key = keyOfSlot(2, 2);
        Task first = keyed(key);
        Task second = keyed(key);
        Task third = keyed(key);

        submit(pool, first);
        submit(pool, second);
        submit(pool, third);

        assertEquals(List.of(first), port(two).sent, "the second task waits for the first");
        assertEquals(List.of(), port(one).sent, "the other slot's idle worker never gets the key");
        answer(pool, two);
        assertEquals(List.of(first, second), port(two).sent);
        answer(pool, two);
        answer(pool, two);
        assertEquals(List.of(first, second, third), port(two).sent);
        assertEquals(List.of(), port(one).sent);
        assertEquals(3, pool.slotLoads().get(1).ran());
    }

    @Test
    void two_keys_of_one_slot_share_its_worker_and_another_slots_key_runs_beside_them() {
        GroupPool pool = keyedPool(2);
        PoolWorker one = readyWorker(pool, 1);
        PoolWorker two = readyWorker(pool, 2);
        Task a = keyed(keyOfSlot(1, 2));
        Task b = keyed(keyOfSlot(1, 2, a.key));
        Task c = keyed(keyOfSlot(2, 2));

        submit(pool, a);
        submit(pool, b);
        submit(pool, c);

        assertEquals(List.of(a), port(one).sent);
        assertEquals(List.of(c), port(two).sent);
        assertEquals(1, pool.slotLoads().get(0).queued());
    }

    @Test
    void a_slots_keys_wait_while_its_worker_is_absent_and_run_on_the_replacement() {
        GroupPool pool = keyedPool(2);
        PoolWorker one = readyWorker(pool, 1);
        PoolWorker two = readyWorker(pool, 2);
        String key = keyOfSlot(2, 2);
        Task running = keyed(key);
        submit(pool, running);
        Task waiting = keyed(key);
        submit(pool, waiting);

        run(fx -> assertEquals(Optional.of(running), pool.left(two, fx)));
        running.complete(Outcome.workerLost("gone"));
        run(pool::housekeep);
        submit(pool, task(9, 1));

        assertEquals(List.of(), port(one).sent.stream().filter(t -> t.key.equals(key)).toList(),
                "never another slot's worker");
        assertEquals(1, pool.pendingCount());
        PoolWorker replacement = worker(pool, 2);
        run(fx -> pool.ready(replacement, 1, ECHO, fx));
        assertEquals(List.of(waiting), port(replacement).sent);
    }

    @Test
    void a_slots_keys_wait_while_its_worker_swaps_and_follow_the_swap() {
        GroupPool pool = keyedPool(1);
        PoolWorker w = readyWorker(pool, 1);
        run(fx -> pool.beginSwap(w, fx));
        Task t = keyed("ann");
        submit(pool, t);
        assertEquals(List.of(), port(w).sent);

        run(fx -> pool.endSwap(w, Optional.empty(), fx));

        assertEquals(List.of(t), port(w).sent);
    }

    @Test
    void a_key_never_runs_on_two_processes_of_its_slot_during_a_spawn_first_replacement() {
        GroupPool pool = keyedPool(1);
        PoolWorker old = readyWorker(pool, 1);
        Task first = keyed("ann");
        submit(pool, first);
        PoolWorker fresh = readyWorker(pool, 1);
        Task second = keyed("ann");

        submit(pool, second);
        assertEquals(List.of(), port(fresh).sent, "ann still runs on the old process");
        run(fx -> pool.retire(old, fx));
        answer(pool, old);

        assertEquals(List.of(second), port(fresh).sent);
    }

    @Test
    void a_stuck_workers_key_waits_until_that_process_is_gone() throws InterruptedException {
        GroupPool pool = pool(ConfigLoader.from(MapConfigSource.config(Map.of(
                "burst.groups", "game",
                "burst.group.game.workers", "1",
                "burst.group.game.route", "key",
                "burst.group.game.task-timeout", "PT0.001S")), Path.of("")).group("game").orElseThrow());
        PoolWorker stuck = readyWorker(pool, 1);
        submit(pool, keyed("ann"));
        Thread.sleep(5); // past the 1 ms task-timeout
        run(pool::housekeep);
        PoolWorker fresh = readyWorker(pool, 1);
        Task next = keyed("ann");

        submit(pool, next);
        assertEquals(List.of(), port(fresh).sent, "the stuck process may still run ann's handler");
        run(fx -> pool.left(stuck, fx));
        run(pool::housekeep);

        assertEquals(List.of(next), port(fresh).sent);
    }

    @Test
    void a_keyed_task_past_queue_timeout_is_answered_overloaded() {
        GroupPool pool = pool(keyedGroup(1, 100, Duration.ofMillis(100), "any"));
        Task stale = keyedAt("ann", System.nanoTime() - 1_000_000_000L);
        submit(pool, stale);

        run(pool::housekeep);

        assertEquals(Outcome.Kind.OVERLOADED, answers.get(stale.id).kind());
        assertTrue(answers.get(stale.id).error().contains("queue-timeout"));
        assertEquals(0, pool.pendingCount());
    }

    @Test
    void keyed_and_keyless_tasks_share_max_pending_and_a_full_queue_answers_overloaded() {
        GroupPool pool = pool(keyedGroup(1, 2, Duration.ofSeconds(5), "any"));
        submit(pool, keyed("ann"));
        submit(pool, task(1, 1));
        Task third = keyed("bob");

        submit(pool, third);

        assertEquals(Outcome.Kind.OVERLOADED, answers.get(third.id).kind());
        assertEquals(1, pool.stats().rejects.sum());
        assertEquals(2, pool.pendingCount());
    }

    @Test
    void a_keyless_task_goes_to_any_idle_worker_by_default() {
        GroupPool pool = keyedPool(2);
        PoolWorker one = readyWorker(pool, 1);
        submit(pool, keyed(keyOfSlot(1, 2)));
        PoolWorker two = readyWorker(pool, 2);
        Task keyless = task(1, 1);

        submit(pool, keyless);

        assertEquals(List.of(keyless), port(two).sent);
        assertEquals(1, port(one).sent.size());
    }

    @Test
    void a_keyless_task_takes_every_other_turn_of_a_worker_whose_slot_always_has_keyed_tasks() {
        GroupPool pool = keyedPool(1);
        PoolWorker one = readyWorker(pool, 1);
        for (int i = 0; i < 6; i++) {
            submit(pool, keyed("player-" + i));
        }
        Task keyless = task(1, 1);
        Task keyless2 = task(2, 1);
        submit(pool, keyless);
        submit(pool, keyless2);

        answer(pool, one);
        assertSame(keyless, one.current(), "after a keyed task the waiting keyless one gets its turn");
        answer(pool, one);
        assertEquals("player-1", one.current().key, "then a keyed one again");
        answer(pool, one);
        assertSame(keyless2, one.current());
        for (int i = 0; i < 5; i++) {
            answer(pool, one);
        }
        assertEquals(8, port(one).sent.size(), "every task ran once");
        assertEquals(List.of(), answers.values().stream().filter(o -> o.kind() != Outcome.Kind.REPLY).toList());
    }

    @Test
    void a_keyless_task_is_refused_with_key_required_when_the_group_rejects_them() {
        GroupPool pool = pool(keyedGroup(1, 100, Duration.ofSeconds(5), "reject"));
        PoolWorker w = readyWorker(pool, 1);
        Task keyless = task(1, 1);

        submit(pool, keyless);

        assertEquals(Outcome.Kind.KEY_REQUIRED, answers.get(keyless.id).kind());
        assertEquals(-10006, answers.get(keyless.id).ret());
        assertTrue(answers.get(keyless.id).error().contains("Burst-Key"));
        assertEquals(List.of(), port(w).sent);
    }

    @Test
    void growing_four_slots_to_five_moves_about_a_fifth_of_the_keys_and_none_between_old_slots() {
        int moved = 0;
        for (int i = 0; i < 10_000; i++) {
            String key = "user-" + i;
            int before = KeySlots.slotOf(key, 4);
            int after = KeySlots.slotOf(key, 5);
            if (before != after) {
                moved++;
                assertEquals(5, after, key + " moved from slot " + before + " to " + after + ", not to the new slot");
            }
        }
        assertTrue(moved > 1_000 && moved < 3_000, moved + " of 10,000 keys moved");
    }

    @Test
    void keys_spread_evenly_over_the_slots() {
        int[] perSlot = new int[5];
        for (int i = 0; i < 10_000; i++) {
            perSlot[KeySlots.slotOf("user-" + i, 4)]++;
        }
        for (int s = 1; s <= 4; s++) {
            assertTrue(perSlot[s] > 2_000 && perSlot[s] < 3_000, "slot " + s + " has " + perSlot[s] + " keys");
        }
    }

    @Test
    void resizing_moves_queued_tasks_with_their_keys_and_reports_the_slots_that_changed() {
        GroupPool pool = keyedPool(4);
        String moving = "user-0";
        for (int i = 0; KeySlots.slotOf(moving, 5) != 5; i++) {
            moving = "user-" + i;
        }
        Task waiting = keyed(moving);
        submit(pool, waiting);
        PoolWorker fifth = worker(pool, 5);

        Effects fx = new Effects();
        assertEquals(5, pool.resize(5, fx));
        fx.run();
        run(f -> pool.ready(fifth, 1, ECHO, f));

        assertEquals(List.of(waiting), port(fifth).sent);
        assertEquals(5, pool.slotLoads().size());
        run(f -> assertEquals(0, pool.resize(5, f)));
    }

    @Test
    void a_group_that_routes_by_any_ignores_keys_and_has_no_slots() {
        GroupPool pool = pool();
        PoolWorker w = readyWorker(pool, 1);
        Task t = keyed("ann");

        submit(pool, t);

        assertEquals(List.of(t), port(w).sent);
        assertEquals(List.of(), pool.slotLoads());
        run(fx -> assertEquals(0, pool.resize(3, fx)));
    }

    // ---- prefetch ---------------------------------------------------------------------------------

    private static GroupConfig prefetchGroup(int prefetch, Duration taskTimeout, String route) {
        return ConfigLoader.from(MapConfigSource.config(Map.of(
                "burst.groups", "game",
                "burst.group.game.route", route,
                "burst.group.game.prefetch", Integer.toString(prefetch),
                "burst.group.game.task-timeout", taskTimeout.toString())), Path.of("")).group("game").orElseThrow();
    }

    private GroupPool prefetchPool(int prefetch) {
        return pool(prefetchGroup(prefetch, Duration.ofSeconds(30), "any"));
    }

    /** @return the task the gone worker was running, as {@link GroupPool#left} gives it */
    private static Optional<Task> leave(GroupPool pool, PoolWorker w) {
        Effects fx = new Effects();
        Optional<Task> lost = pool.left(w, fx);
        fx.run();
        return lost;
    }

    /** @return n tasks of cmd 1, from sources 1..n, submitted in that order */
    private List<Task> submitAll(GroupPool pool, int n) {
        List<Task> tasks = new ArrayList<>();
        for (int source = 1; source <= n; source++) {
            Task t = task(source, 1);
            submit(pool, t);
            tasks.add(t);
        }
        return tasks;
    }

    @Test
    void with_prefetch_a_busy_worker_is_sent_the_next_task_only_when_no_worker_is_idle() {
        GroupPool pool = prefetchPool(1);
        PoolWorker w1 = readyWorker(pool, 1);
        PoolWorker w2 = readyWorker(pool, 2);
        Task t1 = task(1, 1);
        Task t2 = task(2, 1);
        Task t3 = task(3, 1);
        Task t4 = task(4, 1);
        Task t5 = task(5, 1);

        submit(pool, t1);
        submit(pool, t2);
        assertEquals(List.of(t1), port(w1).sent);
        assertEquals(List.of(t2), port(w2).sent, "an idle worker goes first: nothing is held while one is idle");
        submit(pool, t3);
        submit(pool, t4);
        submit(pool, t5);

        assertEquals(List.of(t1, t3), port(w1).sent);
        assertEquals(List.of(t2, t4), port(w2).sent);
        assertEquals(1, w1.held());
        assertEquals(1, w2.held());
        assertEquals(1, pool.pendingCount(), "each worker holds at most prefetch tasks; the rest wait in the queue");
        assertEquals(2, pool.stats().prefetched.sum());
        assertSame(t1, w1.current(), "a held task has not started");
    }

    @Test
    void a_held_task_starts_when_the_one_before_is_answered_and_is_timed_from_then() throws InterruptedException {
        GroupPool pool = pool(prefetchGroup(1, Duration.ofMillis(50), "any"));
        PoolWorker w = readyWorker(pool, 1);
        Task t1 = task(1, 1);
        Task t2 = task(2, 1);
        Task t3 = task(3, 1);
        submit(pool, t1);
        submit(pool, t2);
        Thread.sleep(80); // t1 runs past task-timeout, and answers before the sweep sees it

        answer(pool, w);
        run(pool::housekeep);

        assertSame(t2, w.current());
        assertEquals(State.READY, w.state(), "t2 began at t1's answer, not when it was sent: it is not late");
        assertNull(answers.get(t2.id));
        submit(pool, t3);
        assertEquals(List.of(t1, t2, t3), port(w).sent, "the held task's place is taken by the next");
        assertEquals(1, w.held());
    }

    @Test
    void the_tasks_a_dead_worker_held_go_back_to_the_head_of_the_queue_idempotent_or_not() {
        GroupPool pool = prefetchPool(2);
        PoolWorker w1 = readyWorker(pool, 1);
        List<Task> t = submitAll(pool, 4);
        Task t1 = t.get(0);
        Task t2 = t.get(1);
        Task t3 = t.get(2);
        Task t4 = t.get(3);
        assertEquals(List.of(t1, t2, t3), port(w1).sent);

        Optional<Task> lost = leave(pool, w1);

        assertEquals(Optional.of(t1), lost, "only the task it ran is lost (the caller answers or retries it)");
        assertEquals(3, pool.pendingCount());
        assertEquals(2, pool.stats().requeued.sum());
        assertTrue(answers.isEmpty(), "a held task never started: it is not answered, it runs elsewhere");
        PoolWorker w2 = readyWorker(pool, 2);
        assertEquals(List.of(t2, t3, t4), port(w2).sent, "in their order, ahead of what was queued after them");
        assertFalse(t2.retried(), "it did not run: this is not its one retry");
    }

    @Test
    void an_idle_worker_takes_a_dead_workers_held_task_at_once() {
        GroupPool pool = prefetchPool(1);
        PoolWorker w1 = readyWorker(pool, 1);
        Task t1 = task(1, 1);
        Task t2 = task(2, 1);
        submit(pool, t1);
        submit(pool, t2);
        PoolWorker w2 = readyWorker(pool, 2);
        assertEquals(List.of(), port(w2).sent);

        run(fx -> pool.left(w1, fx));

        assertEquals(List.of(t2), port(w2).sent);
        assertSame(t2, w2.current());
    }

    @Test
    void a_stuck_workers_late_answer_means_its_next_held_task_started() throws InterruptedException {
        GroupPool pool = pool(prefetchGroup(1, Duration.ofMillis(1), "any"));
        PoolWorker w = readyWorker(pool, 1);
        List<Task> t = submitAll(pool, 2);
        Task t1 = t.get(0);
        Task t2 = t.get(1);
        Thread.sleep(5); // t1 runs past the 1 ms task-timeout
        run(pool::housekeep);
        assertEquals(State.STUCK, w.state());
        assertNull(w.current());

        run(fx -> assertNull(pool.result(w, t1.id, fx)));

        assertSame(t2, w.current(), "the worker went on to t2 before it was killed");
        Optional<Task> lost = leave(pool, w);
        assertEquals(Optional.of(t2), lost, "t2 may have run: answered as for a lost worker, not requeued");
        assertEquals(0, pool.stats().requeued.sum());
    }

    @Test
    void a_stuck_worker_killed_before_its_late_answer_never_started_its_held_task() throws InterruptedException {
        GroupPool pool = pool(prefetchGroup(1, Duration.ofMillis(1), "any"));
        PoolWorker w = readyWorker(pool, 1);
        List<Task> t = submitAll(pool, 2);
        Task t1 = t.get(0);
        Task t2 = t.get(1);
        Thread.sleep(5); // t1 runs past the 1 ms task-timeout
        run(pool::housekeep);

        Optional<Task> lost = leave(pool, w);

        assertEquals(Optional.empty(), lost);
        assertEquals(1, pool.pendingCount(), "t2 waits for another worker");
        assertEquals(1, pool.stats().requeued.sum());
    }

    @Test
    void a_swap_waits_for_the_held_tasks_and_nothing_more_is_sent_meanwhile() {
        GroupPool pool = prefetchPool(1);
        PoolWorker w = readyWorker(pool, 1);
        Task t1 = task(1, 1);
        Task t2 = task(2, 1);
        Task t3 = task(3, 1);
        submit(pool, t1);
        submit(pool, t2);
        run(fx -> assertTrue(pool.beginSwap(w, fx)));
        submit(pool, t3);

        answer(pool, w);
        assertEquals(0, port(w).freeForSwap, "t2 runs before the swap");
        answer(pool, w);

        assertEquals(1, port(w).freeForSwap);
        assertEquals(List.of(t1, t2), port(w).sent);
        assertEquals(1, pool.pendingCount());
    }

    @Test
    void a_retired_worker_runs_the_tasks_it_holds_then_stops() {
        GroupPool pool = prefetchPool(1);
        PoolWorker w = readyWorker(pool, 1);
        submit(pool, task(1, 1));
        submit(pool, task(2, 1));
        run(fx -> pool.retire(w, fx));

        answer(pool, w);
        assertEquals(0, port(w).stops);
        answer(pool, w);

        assertEquals(1, port(w).stops);
        assertEquals(State.STOPPING, w.state());
    }

    @Test
    void a_worker_that_becomes_ready_is_sent_its_task_and_its_prefetch_in_one_write() {
        GroupPool pool = prefetchPool(2);
        PoolWorker w = worker(pool, 1);
        List<Task> t = submitAll(pool, 4);
        Task t1 = t.get(0);
        Task t2 = t.get(1);
        Task t3 = t.get(2);
        Task t4 = t.get(3);

        run(fx -> pool.ready(w, 1, ECHO, fx));

        assertEquals(List.of(t1, t2, t3), port(w).sent);
        assertEquals(List.of(3), port(w).batches);
        assertEquals(1, pool.pendingCount());
    }

    @Test
    void a_route_key_group_never_prefetches() {
        GroupPool pool = pool(prefetchGroup(2, Duration.ofSeconds(30), "key"));
        PoolWorker w = readyWorker(pool, 1);
        submit(pool, task(1, 1));
        submit(pool, task(2, 1));
        submit(pool, task(3, 1));

        assertEquals(1, port(w).sent.size());
        assertEquals(0, w.held());
    }

    @Test
    void tasks_reach_a_worker_in_the_order_the_pool_gave_them_whichever_thread_sends_first() {
        GroupPool pool = prefetchPool(2);
        PoolWorker w = readyWorker(pool, 1);
        Task t1 = task(1, 1);
        Task t2 = task(2, 1);
        Task t3 = task(3, 1);
        submit(pool, t1);
        Effects first = new Effects();
        pool.submit(t2, first); // held: decided first ...
        Effects second = new Effects();
        pool.submit(t3, second);

        second.run(); // ... but the other operation's thread sends first
        first.run();

        assertEquals(List.of(t1, t2, t3), port(w).sent, "the order it will run them, which the pool expects");
        assertEquals(List.of(1, 2), port(w).batches);
    }

    @Test
    void in_a_round_the_tasks_for_one_worker_go_in_one_write() {
        GroupPool pool = prefetchPool(2);
        PoolWorker w1 = readyWorker(pool, 1);
        Task t1 = task(1, 1);
        Task t2 = task(2, 1);
        Effects.beginRound();
        try {
            for (Task t : List.of(t1, t2)) {
                Effects fx = Effects.forOperation();
                pool.submit(t, fx);
                fx.runUnlessRound();
            }
            assertEquals(List.of(), port(w1).sent, "nothing is sent before the round ends");
        } finally {
            Effects.endRound();
        }

        assertEquals(List.of(t1, t2), port(w1).sent);
        assertEquals(List.of(2), port(w1).batches);
    }

    @Test
    void an_effect_that_throws_leaves_the_others_done() {
        GroupPool pool = pool();
        Task throwing = new Task(++ids, 1, 0, "test", 1, new byte[0], o -> {
            throw new IllegalStateException("a client callback failed");
        });
        Task second = task(2, 1);
        submit(pool, throwing);
        submit(pool, second);

        run(fx -> assertEquals(2, pool.clear("cleared", fx)));

        assertEquals(Outcome.Kind.OVERLOADED, answers.get(second.id).kind(), "answered after the one that threw");
    }
}
