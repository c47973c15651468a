package dev.burst.container.proxy.box;

import dev.burst.api.DisconnectReason;
import dev.burst.container.protocol.BoxHeader;
import dev.burst.container.protocol.ProtocolException;
import dev.burst.container.proxy.dispatch.Outcome;
import dev.burst.container.proxy.users.ClientConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One Box client connection, non-blocking: many requests in flight, replies written in completion
 * order, every resource it can make the proxy hold bounded.
 *
 * <p>Reading, frame cutting and closing run on its {@link IoLoop}'s thread. Replies are written by the
 * thread that completes the task (a worker link's reader), directly when nothing is queued ahead of
 * them (no hand-off on the common path), else queued; the queue is written by the loop when the socket
 * can take more. The outbound queue is guarded by this object's monitor.
 *
 * <p>Limits: an idle connection holds no buffer (reads go through the loop's shared buffer, and only an
 * unfinished frame is kept, charged to the {@link InboundBudget}); a frame must complete within
 * frame-timeout; at max-in-flight requests unanswered the connection is not read (its excess waits in
 * its own socket); replies it does not read beyond max-outbound bytes close it as a slow consumer.
 */
final class BoxConnection implements ClientConnection {

    private static final System.Logger LOG = System.getLogger(BoxConnection.class.getName());
    private static final byte[] EMPTY = new byte[0];

    final long id;
    private final long sinceMillis = System.currentTimeMillis();
    final SocketChannel channel;
    final String peer;
    final String address;
    private final IoLoop loop;
    private final BoxServer server;
    private final FrameAssembler frames;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final FrameAssembler.Sink sink = this::submit;
    SelectionKey key;

    // written on the loop thread only; read by repliers (volatile) to know whether the loop must act
    private volatile boolean readPaused;
    private volatile boolean inputDone;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    // loop thread only
    private boolean released;
    private volatile long charged;
    private long ageKey;
    private long frameStartedNanos;

    // guarded by this
    private ArrayDeque<ByteBuffer> out;
    private long outBytes;
    private volatile boolean closed;
    private volatile boolean evicted;
    private volatile long evictedBytes;
    /** Why it closes, the first cause given; null: the client closed it. */
    private volatile DisconnectReason reason;
    /** Set by {@link #closeAfterWrites}: close once the queue is written. */
    private volatile boolean closeWhenWritten;

    BoxConnection(long id, SocketChannel channel, String peer, String address, IoLoop loop, BoxServer server) {
        this.id = id;
        this.channel = channel;
        this.peer = peer;
        this.address = address;
        this.loop = loop;
        this.server = server;
        this.frames = new FrameAssembler(server.maxPacket());
    }

    // ---- reading (loop thread) --------------------------------------------------------------------

    /** The socket has bytes (or EOF): read once into the loop's buffer and cut frames. */
    void onReadable(ByteBuffer buffer, long now) {
        buffer.clear();
        int n;
        try {
            n = channel.read(buffer);
        } catch (IOException e) {
            close("read failed: " + e.getMessage(), System.Logger.Level.DEBUG);
            return;
        }
        if (n < 0) {
            endOfInput();
            return;
        }
        buffer.flip();
        boolean wasInFrame = frames.inFrame();
        try {
            frames.feed(buffer, sink);
        } catch (ProtocolException e) {
            server.stats().badFrames.increment();
            server.peerLog().warn("bad frame", address, "box: closing connection from " + peer + ": " + e.getMessage());
            because(DisconnectReason.PROTOCOL_ERROR);
            close("bad frame", System.Logger.Level.DEBUG);
            return;
        }
        if (!wasInFrame && frames.inFrame()) {
            frameStartedNanos = now;
        }
        afterInput();
    }

    /** One complete frame: hand it to the dispatcher; stop cutting at the in-flight cap. */
    private boolean submit(BoxHeader h, byte[] body) {
        inFlight.incrementAndGet();
        server.intake().submit(h.cmd(), h.sn(), peer, id, body, outcome -> reply(h, outcome));
        return inFlight.get() < server.limits().boxMaxInFlight();
    }

    /** After input was consumed: charge what is held, pause at the in-flight cap. */
    private void afterInput() {
        long now = frames.held();
        ageKey = server.budget().update(this, ageKey, charged, now);
        charged = now;
        if (!frames.inFrame()) {
            frameStartedNanos = 0;
        }
        if (!readPaused && (inFlight.get() >= server.limits().boxMaxInFlight() || frames.stashed())) {
            readPaused = true;
            server.stats().inFlightPauses.increment();
            setInterest(key.interestOps() & ~SelectionKey.OP_READ);
            // A reply may have come between the count and the flag (it saw the flag unset): look again.
            if (inFlight.get() < server.limits().boxMaxInFlight()) {
                wake();
            }
        }
    }

    /** Replies went out below the in-flight cap: cut the stashed input, then read again. */
    void resumeReading() {
        if (closed || !readPaused || inFlight.get() >= server.limits().boxMaxInFlight()) {
            return;
        }
        try {
            frames.resume(sink);
        } catch (ProtocolException e) {
            server.stats().badFrames.increment();
            server.peerLog().warn("bad frame", address, "box: closing connection from " + peer + ": " + e.getMessage());
            because(DisconnectReason.PROTOCOL_ERROR);
            close("bad frame", System.Logger.Level.DEBUG);
            return;
        }
        readPaused = false;
        frameStartedNanos = frames.inFrame() ? System.nanoTime() : 0;
        afterInput();
        if (!readPaused && !inputDone) {
            setInterest(key.interestOps() | SelectionKey.OP_READ);
        }
    }

    /** The client stopped sending (EOF or half-close): answer what it asked, then close. */
    private void endOfInput() {
        inputDone = true;
        setInterest(key.interestOps() & ~SelectionKey.OP_READ);
        if (frames.inFrame()) {
            server.peerLog().warn("eof in frame", address, "box: closing connection from " + peer
                    + ": connection closed inside " + frames.progress());
        }
        closeIfAnswered();
    }

    /** Stop: take no more input, and close once every reply owed is written. */
    void finish() {
        if (closed) {
            return;
        }
        because(DisconnectReason.SERVER_STOPPING);
        inputDone = true;
        setInterest(key.interestOps() & ~SelectionKey.OP_READ);
        closeIfAnswered();
    }

    /** Closes when nothing is owed: no request unanswered, nothing queued. */
    void closeIfAnswered() {
        if (!inputDone || inFlight.get() > 0) {
            return;
        }
        synchronized (this) {
            if (out != null && !out.isEmpty()) {
                return;
            }
        }
        close("done", System.Logger.Level.DEBUG);
    }

    /** @return whether its unfinished frame started before the deadline (frame-timeout passed) */
    boolean frameOlderThan(long deadlineNanos) {
        return frameStartedNanos != 0 && !readPaused && frameStartedNanos - deadlineNanos < 0;
    }

    /** Closes it for a frame that took too long. */
    void frameTimedOut() {
        server.stats().frameTimeouts.increment();
        server.peerLog().warn("frame timeout", address, "box: closing connection from " + peer + ": burst.box.frame-timeout "
                + server.limits().boxFrameTimeout() + " passed inside " + frames.progress());
        because(DisconnectReason.PROTOCOL_ERROR);
        close("frame timeout", System.Logger.Level.DEBUG);
    }

    /**
     * The inbound budget needs room: this connection, holding one of the oldest unfinished frames, is
     * closed. Any thread; the close happens on the loop.
     *
     * @return the bytes it will release (0 if it was already closing)
     */
    long evictForBudget() {
        if (closed || evicted) {
            return 0;
        }
        evicted = true;
        long bytes = charged;
        evictedBytes = bytes;
        loop.execute(() -> {
            server.stats().budgetEvictions.increment();
            server.peerLog().warn("budget", address, "box: closing connection from " + peer + ": its unfinished "
                    + "frame is among the oldest while burst.box.max-inbound-bytes " + server.budget().limit()
                    + " is spent");
            because(DisconnectReason.PROTOCOL_ERROR);
            close("inbound budget", System.Logger.Level.DEBUG);
        });
        return bytes;
    }

    // ---- writing (any thread) ---------------------------------------------------------------------

    /**
     * A task of this connection was answered: send the reply, count it; wake the loop only when it must
     * act (reading paused at the cap, or input done and nothing left owed), never on the common path.
     */
    private void reply(BoxHeader h, Outcome outcome) {
        byte[] body = outcome.isError() ? EMPTY : outcome.body();
        send(h.replyHeader(outcome.ret(), body.length), ByteBuffer.wrap(body));
        int left = inFlight.decrementAndGet();
        if ((readPaused && left < server.limits().boxMaxInFlight()) || (inputDone && left == 0)) {
            wake();
        }
    }

    /** Has the loop resume reading or close, once per wake-up. */
    private void wake() {
        if (wakeQueued.compareAndSet(false, true)) {
            loop.execute(() -> {
                wakeQueued.set(false);
                resumeReading();
                closeIfAnswered();
            });
        }
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String protocol() {
        return "box";
    }

    @Override
    public String clientAddress() {
        return peer;
    }

    @Override
    public long sinceMillis() {
        return sinceMillis;
    }

    @Override
    public Sent push(ByteBuffer header, ByteBuffer body) {
        return send(header, body);
    }

    @Override
    public void closeAfterWrites(DisconnectReason why) {
        because(why);
        closeWhenWritten = true;
        loop.execute(() -> {
            if (closed) {
                return;
            }
            inputDone = true;
            setInterest(key.interestOps() & ~SelectionKey.OP_READ);
            synchronized (this) {
                if (out != null && !out.isEmpty()) {
                    return; // onWritable closes it once the queue is written
                }
            }
            close(why.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '), System.Logger.Level.DEBUG);
        });
    }

    /** Records why it closes, unless a cause was given already. */
    private void because(DisconnectReason why) {
        if (reason == null) {
            reason = why;
        }
    }

    /** @return why it closed: the first cause given, else the client closed it */
    DisconnectReason reason() {
        DisconnectReason r = reason;
        return r == null ? DisconnectReason.CLIENT_CLOSED : r;
    }

    /**
     * Writes at once when nothing is queued (the socket usually takes it), else queues, bounded.
     *
     * @return whether it was written or queued, or the connection is closed, or closed now as slow
     */
    private Sent send(ByteBuffer header, ByteBuffer body) {
        long size = header.remaining() + body.remaining();
        boolean wantWrite = false;
        synchronized (this) {
            if (closed) {
                server.stats().undeliverable.increment();
                return Sent.CLOSED;
            }
            if (out == null || out.isEmpty()) {
                try {
                    channel.write(new ByteBuffer[] {header, body});
                } catch (IOException e) {
                    server.stats().undeliverable.increment();
                    loop.execute(() -> close("write failed: " + e.getMessage(), System.Logger.Level.DEBUG));
                    return Sent.CLOSED;
                }
                if (!header.hasRemaining() && !body.hasRemaining()) {
                    return Sent.QUEUED;
                }
                wantWrite = true;
            } else if (outBytes + size > server.limits().connectionMaxOutbound()) {
                closed = true;
                server.stats().undeliverable.increment();
                server.stats().slowConsumers.increment();
                server.peerLog().warn("slow consumer", address, "box: closing connection from " + peer
                        + " as a slow consumer: " + outBytes + " bytes unread, over burst.connection.max-outbound "
                        + server.limits().connectionMaxOutbound());
                because(DisconnectReason.SLOW_CONSUMER);
                loop.execute(() -> close("slow consumer", System.Logger.Level.DEBUG));
                return Sent.SLOW;
            }
            if (out == null) {
                out = new ArrayDeque<>(4);
            }
            long queued = header.remaining() + body.remaining();
            if (header.hasRemaining()) {
                out.addLast(header);
            }
            if (body.hasRemaining()) {
                out.addLast(body);
            }
            outBytes += queued;
            server.stats().outboundBytes.addAndGet(queued);
        }
        if (wantWrite) {
            loop.execute(() -> setInterest(key.interestOps() | SelectionKey.OP_WRITE));
        }
        return Sent.QUEUED;
    }

    /** The socket can take more: write the queue (loop thread). */
    void onWritable() {
        boolean drained;
        synchronized (this) {
            if (closed || out == null) {
                return;
            }
            try {
                ByteBuffer[] bufs = out.toArray(new ByteBuffer[0]);
                long written = channel.write(bufs);
                outBytes -= written;
                server.stats().outboundBytes.addAndGet(-written);
                while (!out.isEmpty() && !out.peekFirst().hasRemaining()) {
                    out.pollFirst();
                }
                drained = out.isEmpty();
            } catch (IOException e) {
                drained = false;
                closed = true;
                LOG.log(System.Logger.Level.DEBUG, "box " + peer + " write failed: " + e.getMessage());
            }
            if (drained) {
                out = null;
            }
        }
        if (closed) {
            close("write failed", System.Logger.Level.DEBUG);
            return;
        }
        if (drained) {
            setInterest(key.interestOps() & ~SelectionKey.OP_WRITE);
            if (closeWhenWritten) {
                close(reason().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '), System.Logger.Level.DEBUG);
                return;
            }
            closeIfAnswered();
        }
    }

    // ---- closing ----------------------------------------------------------------------------------

    /** Closes the connection and gives back what it held (loop thread). */
    void close(String why, System.Logger.Level level) {
        boolean now;
        synchronized (this) {
            now = !released;
            closeLocked();
        }
        if (now) {
            LOG.log(level, "box " + peer + " closed: " + why);
            // Outside the monitor: a disconnect event may queue a task and write to a worker.
            server.closed(this);
        }
    }

    private void closeLocked() {
        if (released) {
            return;
        }
        released = true;
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "box " + peer + " close: " + e.getMessage());
        }
        if (out != null) {
            server.stats().outboundBytes.addAndGet(-outBytes);
            out = null;
            outBytes = 0;
        }
        server.budget().release(ageKey, charged, evicted ? evictedBytes : 0);
        ageKey = 0;
        charged = 0;
        loop.forget(this);
    }

    private void setInterest(int ops) {
        if (key.isValid() && key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    /** @return whether it is closed and gave back what it held */
    synchronized boolean isReleased() {
        return released;
    }
}
