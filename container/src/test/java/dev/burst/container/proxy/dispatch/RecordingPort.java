package dev.burst.container.proxy.dispatch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A worker port that records what the pool had sent, for tests: no socket. */
final class RecordingPort implements Port {

    final List<Task> sent = new ArrayList<>();
    int stops;
    int freeForSwap;
    final List<String> swapsAborted = new ArrayList<>();
    int closes;
    boolean failSends;

    /** Sizes of the task lists sent together (one write each). */
    final List<Integer> batches = new ArrayList<>();

    @Override
    public void sendQueued(PoolWorker worker) throws IOException {
        if (failSends) {
            throw new IOException("gone");
        }
        List<Task> tasks = worker.drainOutbox();
        if (!tasks.isEmpty()) {
            batches.add(tasks.size());
            sent.addAll(tasks);
        }
    }

    @Override
    public void stop() {
        stops++;
    }

    @Override
    public void freeForSwap() {
        freeForSwap++;
    }

    @Override
    public void swapAborted(String why) {
        swapsAborted.add(why);
    }

    @Override
    public void close() {
        closes++;
    }

    Task last() {
        return sent.getLast();
    }
}
