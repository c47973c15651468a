package dev.burst.container.proxy.box;

import dev.burst.container.proxy.dispatch.Effects;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/**
 * One selector thread serving many Box connections: reads (through one shared buffer, so an idle
 * connection holds none), cuts frames, writes what the repliers could not, enforces frame-timeout.
 * Other threads hand it work with {@link #execute}, which wakes the selector.
 *
 * <p>Everything here runs on the loop's own platform thread, which never dies of one connection's
 * failure: an exception while serving a connection closes that connection and is logged; an error in
 * the loop itself is logged and the loop goes on (an OutOfMemoryError ends the proxy through
 * -XX:+ExitOnOutOfMemoryError, and the master respawns it).
 */
final class IoLoop implements Executor {

    private static final System.Logger LOG = System.getLogger(IoLoop.class.getName());
    private static final int READ_BUFFER = 64 * 1024;
    private static final long HOUSEKEEPING_NANOS = 250_000_000L;

    private final Selector selector;
    private final BoxServer server;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER);
    private final Set<BoxConnection> connections = new LinkedHashSet<>();
    private final Thread thread;
    private volatile boolean running = true;

    IoLoop(BoxServer server, String name) throws IOException {
        this.server = server;
        this.selector = Selector.open();
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Runs the task on the loop's thread, soon. Any thread. */
    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (Thread.currentThread() != thread) {
            selector.wakeup();
        }
    }

    /** Takes over an accepted connection. Any thread. */
    void adopt(BoxConnection c) {
        execute(() -> {
            try {
                c.key = c.channel.register(selector, SelectionKey.OP_READ, c);
                connections.add(c);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "box " + c.peer + " could not be registered: " + e);
                c.close("not registered", System.Logger.Level.DEBUG);
            }
        });
    }

    void forget(BoxConnection c) {
        connections.remove(c);
    }

    /** @return connections served here, for a stop (loop thread) */
    List<BoxConnection> connections() {
        return new ArrayList<>(connections);
    }

    private void run() {
        long nextHousekeeping = System.nanoTime() + HOUSEKEEPING_NANOS;
        while (running) {
            try {
                Effects.beginRound(); // the tasks this round's requests send one worker go in one write
                try {
                    selector.select(this::serve, HOUSEKEEPING_NANOS / 1_000_000);
                    runTasks();
                } finally {
                    Effects.endRound();
                }
                long now = System.nanoTime();
                if (now - nextHousekeeping >= 0) {
                    nextHousekeeping = now + HOUSEKEEPING_NANOS;
                    closeSlowFrames(now);
                }
            } catch (ClosedSelectorException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "box I/O loop " + thread.getName() + ": " + e, e);
            }
        }
    }

    private void serve(SelectionKey key) {
        BoxConnection c = (BoxConnection) key.attachment();
        try {
            if (key.isValid() && key.isWritable()) {
                c.onWritable();
            }
            if (key.isValid() && key.isReadable()) {
                c.onReadable(buffer, System.nanoTime());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "box " + c.peer + ": closing after an internal error", e);
            c.close("internal error", System.Logger.Level.DEBUG);
        }
    }

    private void runTasks() {
        Runnable r;
        while ((r = tasks.poll()) != null) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "box I/O loop task failed", e);
            }
        }
    }

    /** frame-timeout: closes the connections whose unfinished frame began too long ago. */
    private void closeSlowFrames(long now) {
        long deadline = now - server.limits().boxFrameTimeout().toNanos();
        List<BoxConnection> late = null;
        for (BoxConnection c : connections) {
            if (c.frameOlderThan(deadline)) {
                if (late == null) {
                    late = new ArrayList<>();
                }
                late.add(c);
            }
        }
        if (late != null) {
            late.forEach(BoxConnection::frameTimedOut);
        }
    }

    /** Stops the loop and closes its selector (its connections must be closed first). */
    void stop() {
        running = false;
        selector.wakeup();
        try {
            thread.join(1000);
            selector.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a selector: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
