package dev.burst.container.proxy.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FairQueueTest {

    private long ids;

    private Task task(long source, int cmd) {
        return new Task(++ids, cmd, 0, "test", source, new byte[0], o -> { });
    }

    private static List<Long> drainOrder(FairQueue q) {
        List<Long> order = new ArrayList<>();
        for (Task t; (t = q.poll(c -> true)) != null; ) {
            order.add(t.source);
        }
        return order;
    }

    @Test
    void sources_take_turns_so_a_long_backlog_does_not_delay_a_newcomer_by_its_length() {
        FairQueue q = new FairQueue();
        for (int i = 0; i < 1000; i++) {
            q.add(task(1, 1));
        }
        q.add(task(2, 1));

        assertEquals(1, q.poll(c -> true).source);
        assertEquals(2, q.poll(c -> true).source);
        assertEquals(999, q.size());
    }

    @Test
    void each_source_keeps_its_own_arrival_order() {
        FairQueue q = new FairQueue();
        Task a1 = task(1, 1);
        Task b1 = task(2, 1);
        Task a2 = task(1, 1);
        Task b2 = task(2, 1);
        q.add(a1);
        q.add(b1);
        q.add(a2);
        q.add(b2);

        assertEquals(List.of(a1, b1, a2, b2), List.of(q.poll(c -> true), q.poll(c -> true), q.poll(c -> true),
                q.poll(c -> true)));
        assertEquals(0, q.size());
        assertEquals(0, q.sources());
    }

    @Test
    void three_sources_are_served_round_robin() {
        FairQueue q = new FairQueue();
        for (int i = 0; i < 3; i++) {
            q.add(task(1, 1));
            q.add(task(2, 1));
            q.add(task(3, 1));
        }

        assertEquals(List.of(1L, 2L, 3L, 1L, 2L, 3L, 1L, 2L, 3L), drainOrder(q));
    }

    @Test
    void a_worker_gets_the_first_task_it_serves_and_the_others_keep_their_turn() {
        FairQueue q = new FairQueue();
        Task newCmd = task(1, 99);
        Task oldCmd = task(2, 1);
        q.add(newCmd);
        q.add(oldCmd);

        assertEquals(oldCmd, q.poll(c -> c == 1));
        assertNull(q.poll(c -> c == 1));
        assertEquals(newCmd, q.poll(c -> c == 99));
    }

    @Test
    void a_retried_task_goes_first() {
        FairQueue q = new FairQueue();
        q.add(task(1, 1));
        Task retried = task(2, 1);
        q.addFirst(retried);

        assertEquals(retried, q.poll(c -> true));
    }

    @Test
    void expiry_takes_the_old_heads_of_every_source_and_nothing_newer() {
        FairQueue q = new FairQueue();
        long t0 = 1_000_000_000_000L;
        Task old1 = new Task(++ids, 1, 0, "test", 1, new byte[0], o -> { }, t0);
        Task old2 = new Task(++ids, 1, 0, "test", 2, new byte[0], o -> { }, t0);
        Task fresh = new Task(++ids, 1, 0, "test", 1, new byte[0], o -> { }, t0 + 4_000_000_000L);
        q.add(old1);
        q.add(old2);
        q.add(fresh);

        List<Task> expired = q.expire(t0 + 6_000_000_000L, 5_000_000_000L);

        assertEquals(List.of(old1, old2), expired);
        assertEquals(1, q.size());
        assertEquals(fresh, q.poll(c -> true));
    }

    @Test
    void drain_empties_everything() {
        FairQueue q = new FairQueue();
        q.add(task(1, 1));
        q.add(task(2, 1));

        assertEquals(2, q.drain().size());
        assertEquals(0, q.size());
        assertNull(q.poll(c -> true));
    }
}
