package dev.burst.container.proxy.dispatch;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * The keyed tasks of a route=key group: which slot each key belongs to, a FIFO per slot, and the keys
 * that have a task running. A key belongs to the slot (1..slots) with the highest rendezvous score for
 * it, so adding slot N+1 takes about 1/(N+1) of the keys, each from whichever slot had it, and moves no
 * key between two slots that exist before and after.
 *
 * <p>A slot's queue holds its keys' tasks in arrival order. A task is taken only when no task of its
 * key runs anywhere (the one-at-a-time rule holds across a spawn-first replacement, where two processes
 * briefly share a slot, and across a resize) and no earlier task of its key waits in the queue.
 *
 * <p>Not thread-safe: its {@link GroupPool} holds the lock.
 */
final class KeySlots {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private int slots;
    /** Index 0 unused; slot n's queue at n. */
    private ArrayDeque<Task>[] queues;
    private long[] ran;
    private final Set<String> running = new HashSet<>();
    private int size;

    KeySlots(int slots) {
        this.slots = slots;
        this.queues = newQueues(slots);
        this.ran = new long[slots + 1];
    }

    @SuppressWarnings("unchecked") // an array of a generic type: filled with ArrayDeque<Task> only
    private static ArrayDeque<Task>[] newQueues(int slots) {
        ArrayDeque<Task>[] q = new ArrayDeque[slots + 1];
        for (int i = 1; i <= slots; i++) {
            q[i] = new ArrayDeque<>();
        }
        return q;
    }

    /**
     * The slot a key belongs to among slots 1..n: the one with the highest score (rendezvous hashing).
     *
     * @param key   a non-empty key
     * @param slots how many slots, at least 1
     * @return the slot, 1..slots
     */
    static int slotOf(String key, int slots) {
        long h = hash(key);
        int best = 1;
        long bestScore = Long.MIN_VALUE;
        for (int s = 1; s <= slots; s++) {
            long score = mix(h + s * GOLDEN);
            if (score > bestScore) {
                bestScore = score;
                best = s;
            }
        }
        return best;
    }

    /** FNV-1a over the key's UTF-8 bytes: the same in every process and JVM. */
    private static long hash(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** MurmurHash3's 64-bit finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /** @return how many slots the keys are spread over */
    int slots() {
        return slots;
    }

    /** @return the slot of a key now */
    int slotOf(String key) {
        return slotOf(key, slots);
    }

    /** Queues a task behind its slot's others. */
    void add(Task task) {
        queues[slotOf(task.key)].addLast(task);
        size++;
    }

    /** Puts a task back in front of its slot's others (an idempotent cmd's retry). */
    void addFirst(Task task) {
        queues[slotOf(task.key)].addFirst(task);
        size++;
    }

    /**
     * Takes the oldest task of a slot that may run now: no task of its key runs, no earlier task of its
     * key waits, and the worker serves its cmd. Its key counts as running from now.
     *
     * @param slot   the worker's slot
     * @param serves which cmds the worker serves
     * @return the task, or null when none may run
     */
    Task poll(int slot, IntPredicate serves) {
        if (slot < 1 || slot > slots) {
            return null;
        }
        ArrayDeque<Task> q = queues[slot];
        Set<String> passed = null;
        for (Iterator<Task> it = q.iterator(); it.hasNext(); ) {
            Task t = it.next();
            if (!running.contains(t.key) && (passed == null || !passed.contains(t.key)) && serves.test(t.cmd)) {
                it.remove();
                size--;
                running.add(t.key);
                ran[slot]++;
                return t;
            }
            if (passed == null) {
                passed = new HashSet<>();
            }
            passed.add(t.key);
        }
        return null;
    }

    /** @return whether a task of this key runs */
    boolean isRunning(String key) {
        return running.contains(key);
    }

    /** A task of this key was answered by its worker, or its worker is gone: the key may run again. */
    void finished(String key) {
        running.remove(key);
    }

    /**
     * Takes out the tasks that waited too long (each queue is in arrival order, so only heads need checking).
     *
     * @return the expired tasks
     */
    List<Task> expire(long now, long limitNanos) {
        List<Task> expired = null;
        for (int s = 1; s <= slots; s++) {
            ArrayDeque<Task> q = queues[s];
            while (!q.isEmpty() && q.peekFirst().waitedLongerThan(limitNanos, now)) {
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                expired.add(q.pollFirst());
                size--;
            }
        }
        return expired == null ? List.of() : expired;
    }

    /** @return every queued task, emptying the queues */
    List<Task> drain() {
        List<Task> all = new ArrayList<>(size);
        for (int s = 1; s <= slots; s++) {
            all.addAll(queues[s]);
            queues[s].clear();
        }
        size = 0;
        return all;
    }

    /**
     * Spreads the keys over a new number of slots; queued tasks follow their keys, each key's in order.
     *
     * @param next the new number of slots, at least 1
     * @return how many slots gain or lose keys: every slot of the larger count when the count changes
     *         (rendezvous hashing takes a little from every old slot for a new one, and spreads a removed
     *         slot's keys over all the others), 0 when it does not
     */
    int resize(int next) {
        if (next == slots) {
            return 0;
        }
        int changed = Math.max(next, slots);
        List<Task> queued = drain();
        slots = next;
        queues = newQueues(next);
        long[] counts = new long[next + 1];
        System.arraycopy(ran, 1, counts, 1, Math.min(ran.length, counts.length) - 1);
        ran = counts;
        queued.forEach(this::add);
        return changed;
    }

    /** @return queued tasks over all slots */
    int size() {
        return size;
    }

    /** @return tasks queued for each slot, index 0 unused */
    int[] depths() {
        int[] d = new int[slots + 1];
        for (int s = 1; s <= slots; s++) {
            d[s] = queues[s].size();
        }
        return d;
    }

    /** @return tasks each slot was given, index 0 unused */
    long[] ran() {
        return ran.clone();
    }
}
