package dev.burst.bench;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The connection that asks for the pushes: one Box connection (not logged in, so it gets no push itself)
 * that sends a toAll request (cmd {@link PushLoad#PUSH_REQUEST_CMD}) at fixed times, one every interval,
 * open loop: a late send does not move the next one. Each request's body is the push's sequence number
 * and {@link System#nanoTime()} just before the write ({@link PushLoad#pushBody}), which the plugin pushes
 * to everyone as is; its sn is sequence + 1. The proxy answers each request (ret 0, no body, as the
 * handler gives no reply; or an error such as -10002 when the group's queue is full): a push is accepted
 * when it is answered ret 0.
 *
 * <p>Threads: {@code push-driver} sends (and alone records how late each send was); {@code push-driver-replies}
 * reads the answers. The counts are read after {@link #awaitAnswers}.
 */
final class PushDriver implements AutoCloseable {

    private final Socket socket;
    private final Thread replies;
    private final BitSet accepted = new BitSet();                  // guarded by this
    private long rejected;                                        // guarded by this
    private long answered;                                        // guarded by this
    private int lastRejectRet;                                    // guarded by this
    private volatile long sent;
    private volatile String broken;
    private final Histogram lateness = new Histogram(3);           // sender thread, read after join
    private Thread sender;

    private PushDriver(Socket socket) {
        this.socket = socket;
        this.replies = Thread.ofPlatform().name("push-driver-replies").daemon().unstarted(this::readReplies);
    }

    static PushDriver open(InetSocketAddress server) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(server, 5_000);
        } catch (IOException e) {
            s.close();
            throw new IOException("push driver: " + e.getMessage(), e);
        }
        PushDriver d = new PushDriver(s);
        d.replies.start();
        return d;
    }

    /**
     * Starts sending: at {@code first}, then every {@code interval}, while before {@code end}.
     *
     * @return at once; {@link #awaitAnswers} waits for the sending to end
     */
    synchronized void start(long first, long end, Duration interval) {
        if (sender != null) {
            throw new IllegalStateException("the driver is already sending");
        }
        long step = interval.toNanos();
        if (step <= 0) {
            throw new IllegalArgumentException("the push interval must be positive, not " + interval);
        }
        sender = Thread.ofPlatform().name("push-driver").daemon().start(() -> send(first, end, step));
    }

    private void send(long first, long end, long step) {
        byte[] frame = BoxLoad.frame(PushLoad.PUSH_REQUEST_CMD, new byte[PushLoad.PUSH_BODY]);
        try {
            OutputStream out = socket.getOutputStream();
            for (long seq = 0; ; seq++) {
                long at = first + seq * step;
                if (at - end >= 0) {
                    return;
                }
                for (long left = at - System.nanoTime(); left > 0; left = at - System.nanoTime()) {
                    LockSupport.parkNanos(left);
                }
                long now = System.nanoTime();
                PushLoad.pushBody(frame, BoxLoad.HEADER, seq, now);
                BoxLoad.putInt(frame, 20, (int) (seq + 1));
                out.write(frame);
                sent = seq + 1;
                lateness.recordValue(Math.max(0, now - at));
            }
        } catch (IOException e) {
            broken = "push driver: sending failed: " + e.getMessage();
        }
    }

    private void readReplies() {
        byte[] header = new byte[BoxLoad.HEADER];
        try {
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 16 * 1024));
            while (true) {
                in.readFully(header);
                int length = BoxLoad.getInt(header, 8);
                if (BoxLoad.getInt(header, 0) != BoxLoad.MAGIC || length < BoxLoad.HEADER || length > BoxUsers.MAX_FRAME) {
                    throw new IOException("bad reply frame (magic " + BoxLoad.getInt(header, 0) + ", length " + length + ")");
                }
                in.skipNBytes(length - BoxLoad.HEADER);
                int ret = BoxLoad.getInt(header, 16);
                long seq = (BoxLoad.getInt(header, 20) & 0xffffffffL) - 1;
                synchronized (this) {
                    answered++;
                    if (ret == 0 && seq >= 0 && seq < Integer.MAX_VALUE) {
                        accepted.set((int) seq);
                    } else {
                        rejected++;
                        lastRejectRet = ret;
                    }
                    notifyAll();
                }
            }
        } catch (IOException e) {
            if (!socket.isClosed()) {
                broken = "push driver: reading answers failed: " + e.getMessage();
            }
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /**
     * Waits until the sending has ended and every request is answered, at most {@code within} after the end.
     *
     * @return whether every request was answered
     */
    boolean awaitAnswers(Duration within) throws InterruptedException {
        Thread s;
        synchronized (this) {
            s = sender;
        }
        if (s != null) {
            s.join();
        }
        long deadline = System.nanoTime() + within.toNanos();
        synchronized (this) {
            while (answered < sent && broken == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return answered >= sent;
        }
    }

    /** @return toAll requests sent */
    long sent() {
        return sent;
    }

    /** @return the sequence numbers of the pushes the proxy accepted (answered ret 0) */
    synchronized BitSet accepted() {
        return (BitSet) accepted.clone();
    }

    /** @return requests answered with an error (no push made) */
    synchronized long rejected() {
        return rejected;
    }

    /** @return the ret of the last rejected request, 0 if none */
    synchronized int lastRejectRet() {
        return lastRejectRet;
    }

    /** @return requests sent but not answered (by the time the answers were awaited) */
    synchronized long unanswered() {
        return Math.max(0, sent - answered);
    }

    /** @return why the connection broke, if it did */
    String broken() {
        return broken;
    }

    /** @return how late the sends were against their schedule, ns; after {@link #awaitAnswers} */
    Histogram lateness() {
        return lateness;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Already broken: nothing left to release.
        }
        try {
            replies.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
