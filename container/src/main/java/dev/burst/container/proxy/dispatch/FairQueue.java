package dev.burst.container.proxy.dispatch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * The pending tasks of one group, served by source in turn: each source (a client connection, or one
 * HTTP request) has its own FIFO, and the sources take turns (round robin). A client that pipelines
 * thousands of requests delays another client's request by about one task per worker, not by its
 * backlog. Not thread-safe: its {@link GroupPool} holds the lock.
 */
final class FairQueue {

    private final Map<Long, Source> sources = new HashMap<>();
    /** Sources with tasks, in turn order: the head is served next. */
    private final ArrayDeque<Source> ring = new ArrayDeque<>();
    private int size;

    private static final class Source {
        final long id;
        final ArrayDeque<Task> tasks = new ArrayDeque<>(4);

        Source(long id) {
            this.id = id;
        }
    }

    /** Queues a task behind its source's earlier ones; a new source takes its turn last. */
    void add(Task task) {
        Source s = sources.get(task.source);
        if (s == null) {
            s = new Source(task.source);
            sources.put(task.source, s);
            ring.addLast(s);
        }
        s.tasks.addLast(task);
        size++;
    }

    /** Puts a task back in front of its source's others, and its source first in turn (a retry). */
    void addFirst(Task task) {
        Source s = sources.get(task.source);
        if (s == null) {
            s = new Source(task.source);
            sources.put(task.source, s);
        } else {
            ring.remove(s);
        }
        ring.addFirst(s);
        s.tasks.addFirst(task);
        size++;
    }

    /**
     * Takes the next task a worker can run: the oldest of the first source in turn that has one the
     * worker serves; that source then goes to the back of the turn.
     *
     * @param serves which cmds the worker serves
     * @return the task, or null when none is servable
     */
    Task poll(IntPredicate serves) {
        for (Iterator<Source> it = ring.iterator(); it.hasNext(); ) {
            Source s = it.next();
            Task found = take(s, serves);
            if (found == null) {
                continue;
            }
            it.remove();
            size--;
            if (s.tasks.isEmpty()) {
                sources.remove(s.id);
            } else {
                ring.addLast(s);
            }
            return found;
        }
        return null;
    }

    private static Task take(Source s, IntPredicate serves) {
        Task head = s.tasks.peekFirst();
        if (head != null && serves.test(head.cmd)) {
            return s.tasks.pollFirst();
        }
        for (Iterator<Task> it = s.tasks.iterator(); it.hasNext(); ) {
            Task t = it.next();
            if (serves.test(t.cmd)) {
                it.remove();
                return t;
            }
        }
        return null;
    }

    /**
     * Takes out the tasks that waited too long (each source's queue is in arrival order, so only heads
     * need checking).
     *
     * @return the expired tasks
     */
    List<Task> expire(long now, long limitNanos) {
        List<Task> expired = null;
        for (Iterator<Source> it = ring.iterator(); it.hasNext(); ) {
            Source s = it.next();
            while (!s.tasks.isEmpty() && s.tasks.peekFirst().waitedLongerThan(limitNanos, now)) {
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                expired.add(s.tasks.pollFirst());
                size--;
            }
            if (s.tasks.isEmpty()) {
                it.remove();
                sources.remove(s.id);
            }
        }
        return expired == null ? List.of() : expired;
    }

    /** @return every task, emptying the queue */
    List<Task> drain() {
        List<Task> all = new ArrayList<>(size);
        for (Source s : ring) {
            all.addAll(s.tasks);
        }
        ring.clear();
        sources.clear();
        size = 0;
        return all;
    }

    int size() {
        return size;
    }

    /** @return sources with tasks waiting */
    int sources() {
        return ring.size();
    }
}
