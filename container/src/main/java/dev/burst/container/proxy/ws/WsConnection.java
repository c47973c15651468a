package dev.burst.container.proxy.ws;

import dev.burst.api.DisconnectReason;
import dev.burst.container.protocol.BoxHeader;
import dev.burst.container.proxy.dispatch.Outcome;
import dev.burst.container.proxy.users.ClientConnection;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One WebSocket client at {@code /ws}: each binary message is one Box frame, answered by one Box frame in
 * one binary message; it can be logged in and pushed to like a Box connection.
 *
 * <p>States, each change under {@link #lock}:
 * <ul>
 * <li>NEW: upgraded, not yet open.</li>
 * <li>NEW to OPEN ({@link #onOpen}): registered with the users; requests are read and submitted.</li>
 * <li>OPEN to CLOSING: a close was asked (a bad message, {@link #closeAfterWrites}, the client's close
 *     frame, a slow consumer). Nothing more is queued or read; the writer writes what is queued (nothing
 *     after a bad message or a slow consumer), then the close frame, and waits for the client's close up
 *     to {@link #CLOSE_GRACE}, after which the socket is closed under it.</li>
 * <li>any to ENDED ({@link #ended}): Helidon's connection ended, whatever the cause; unregistered, the
 *     users told (once).</li>
 * </ul>
 *
 * <p>Threads:
 * <ul>
 * <li>the reader, Helidon's virtual thread of the connection: {@link #onOpen}, {@link #onMessage},
 *     {@link #onClose}, {@link #ended}. It submits requests, and at {@code burst.box.max-in-flight}
 *     unanswered requests it waits (only it: the client's further messages wait in its socket, as on
 *     Box/TCP) until a reply goes out.</li>
 * <li>the writer, a virtual thread started when frames are queued and none runs, ending when the queue
 *     is empty (an idle connection holds only Helidon's thread): the only thread that writes data frames,
 *     in queue order, encoded by {@link ServerFrame}; it also sends the close frame.</li>
 * <li>any thread (a worker link's reader for replies and pushes, the admin API): {@link #push},
 *     {@link #closeAfterWrites} and reply callbacks queue and return; they never write or wait. Past
 *     {@code burst.connection.max-outbound} queued bytes the connection is closed as a slow consumer.</li>
 * </ul>
 */
final class WsConnection implements ClientConnection, WsListener {

    private static final System.Logger LOG = System.getLogger(WsConnection.class.getName());
    /** How long a closing connection waits for the client's close frame before closing the socket. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(5);
    /** Queued frames written in one socket write, up to this many bytes. */
    private static final int GATHER = 64 * 1024;
    /** The longest reason a close frame carries (RFC 6455: 123 bytes). */
    private static final int MAX_CLOSE_REASON = 123;
    private static final byte[] EMPTY = new byte[0];

    private enum State { NEW, OPEN, CLOSING, ENDED }

    private final long id;
    private final long sinceMillis = System.currentTimeMillis();
    private final String peer;
    private final String address;
    private final WsEndpoint endpoint;
    private final DataWriter out;
    private final HelidonSocket socket;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** The reader waits at the in-flight cap; repliers wake it only then. */
    private volatile boolean paused;

    private final ReentrantLock lock = new ReentrantLock();
    /** The reader's: in flight under the cap, or no longer open. */
    private final Condition room = lock.newCondition();
    /** The closing writer's: the connection ended. */
    private final Condition gone = lock.newCondition();
    // guarded by lock (state is also read without it, to skip work)
    private volatile State state = State.NEW;
    private WsSession session;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    /** Bytes in the queue, and taken by the writer and not yet written: what the client has not read. */
    private long queued;
    private long inWrite;
    /** Whether a writer thread runs; one is started when there is something to write, and ends when done. */
    private boolean writing;
    private WsStats.Close cause;
    /** Follows the framing of what the reader pulls: the unfinished message, timed and charged. */
    private final FrameWatch watch = new FrameWatch();
    /** Set once its end is counted and the users told (guarded by lock); what {@link #awaitEnd} waits for. */
    private boolean reported;
    /** Bytes charged to the inbound budget for the unfinished message (reader thread). */
    private long charged;
    private int closeCode;
    private String closeReason = "";

    // reader thread only: a message arriving in fragments
    private byte[] partial;
    private int partialFill;

    WsConnection(long id, String peer, String address, WsEndpoint endpoint, DataWriter out, HelidonSocket socket) {
        this.id = id;
        this.peer = peer;
        this.address = address;
        this.endpoint = endpoint;
        this.out = out;
        this.socket = socket;
    }

    // ---- reading (the reader thread) ----------------------------------------------------------------

    @Override
    public void onOpen(WsSession session) {
        lock.lock();
        try {
            this.session = session;
            state = State.OPEN;
        } finally {
            lock.unlock();
        }
        endpoint.opened(this);
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        if (state != State.OPEN) {
            return; // closing: what the client sends now is not served
        }
        int n = buffer.available();
        try {
            if (partial == null && last) {
                int headLength = Math.min(n, BoxHeader.SIZE);
                byte[] head = new byte[headLength];
                buffer.read(head);
                BoxHeader h = BoxMessage.check(ByteBuffer.wrap(head), n, endpoint.maxPacket());
                byte[] body = new byte[n - BoxHeader.SIZE];
                buffer.read(body);
                submit(h, body);
                return;
            }
            if ((long) partialFill + n > endpoint.maxPacket()) {
                throw BoxMessage.tooBig((long) partialFill + n, endpoint.maxPacket());
            }
            gather(buffer, n);
            if (!last) {
                return;
            }
            byte[] message = partial;
            int length = partialFill;
            partial = null;
            partialFill = 0;
            BoxHeader h = BoxMessage.check(ByteBuffer.wrap(message, 0, Math.min(length, BoxHeader.SIZE)), length,
                    endpoint.maxPacket());
            submit(h, Arrays.copyOfRange(message, BoxHeader.SIZE, length));
        } catch (BoxMessage.BadMessage e) {
            partial = null;
            partialFill = 0;
            refuse(e.cause, e.code, e.getMessage());
        }
    }

    /** A fragment: appended, the buffer grown by doubling, never past max-packet. */
    private void gather(BufferData buffer, int n) {
        int needed = partialFill + n;
        if (partial == null) {
            partial = new byte[Math.max(needed, 4096)];
        } else if (partial.length < needed) {
            partial = Arrays.copyOf(partial, Math.min(endpoint.maxPacket(), Math.max(needed, partial.length * 2)));
        }
        buffer.read(partial, partialFill, n);
        partialFill = needed;
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        if (state == State.OPEN) {
            BoxMessage.BadMessage e = BoxMessage.text();
            refuse(e.cause, e.code, e.getMessage());
        }
    }

    @Override
    public void onPing(WsSession session, BufferData buffer) {
        byte[] payload = new byte[buffer.available()];
        buffer.read(payload);
        byte[] pong = ServerFrame.pong(payload);
        enqueue(pong, pong.length);
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        // The client's close frame: Helidon answers it as this returns, unless ours went out already.
        lock.lock();
        try {
            if (state == State.OPEN) {
                dropQueueLocked(); // nothing more goes out after the client's close
                closingLocked(WsStats.Close.CLIENT, 0, "");
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * One request: submitted once the connection is under its in-flight cap; the reply comes back on the
     * thread that answers it.
     */
    private void submit(BoxHeader h, byte[] body) {
        int cap = endpoint.limits().boxMaxInFlight();
        if (inFlight.get() >= cap && !awaitRoom(cap)) {
            return;
        }
        inFlight.incrementAndGet();
        endpoint.intake().submit(h.cmd(), h.sn(), peer, id, body, outcome -> reply(h, outcome));
    }

    /** @return whether there is room now; false when the connection stopped being open meanwhile */
    private boolean awaitRoom(int cap) {
        endpoint.stats().inFlightPauses.increment();
        lock.lock();
        try {
            paused = true;
            while (inFlight.get() >= cap && state == State.OPEN) {
                room.await();
            }
            return state == State.OPEN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // Helidon is closing the connection: its next read fails
            return false;
        } finally {
            paused = false;
            lock.unlock();
        }
    }

    /** A message that cannot be served: logged, and the connection closes with the code. */
    private void refuse(WsStats.Close why, int code, String message) {
        endpoint.peerLog().warn(why.name(), address, "ws: closing connection from " + peer + ": " + message);
        boolean start = false;
        lock.lock();
        try {
            if (state == State.OPEN) {
                dropQueueLocked();
                start = closingLocked(why, code, message);
            }
        } finally {
            lock.unlock();
        }
        startWriter(start);
    }

    /**
     * Helidon's reader refused a frame itself (one over the WebSocket frame limit, an unmasked one) and
     * sent the close frame; the connection ends next.
     */
    void refusedByHelidon(int code, String message) {
        WsStats.Close why = code == BoxMessage.TOO_BIG ? WsStats.Close.TOO_BIG : WsStats.Close.BAD_FRAME;
        String what = code == BoxMessage.TOO_BIG
                ? "a WebSocket frame over " + endpoint.protocol().maxFrameLength() + " bytes (burst.box.max-packet "
                + endpoint.maxPacket() + " and " + WsEndpoint.FRAME_SLACK + " more)"
                : message;
        endpoint.peerLog().warn(why.name(), address, "ws: closing connection from " + peer + ": " + what);
        lock.lock();
        try {
            if (cause == null) {
                cause = why;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A chunk the reader pulled from the socket (reader thread, before Helidon reads frames from it): the
     * unfinished message's bytes are charged to burst.box.max-inbound-bytes; past it the connection is cut
     * off, and the read ends.
     *
     * @throws DataReader.InsufficientDataAvailableException when it was cut off: Helidon ends the connection
     */
    void pulled(byte[] chunk) {
        long delta = watch.feed(chunk, 0, chunk.length, System.nanoTime());
        if (delta == 0) {
            return;
        }
        if (endpoint.charge(delta)) {
            charged += delta;
        } else {
            cutOff(WsStats.Close.INBOUND_BUDGET, "its unfinished message of " + watch.held() + " bytes does not fit "
                    + "in burst.box.max-inbound-bytes " + endpoint.limits().boxMaxInboundBytes());
            throw new DataReader.InsufficientDataAvailableException();
        }
    }

    /**
     * Closes the connection if its unfinished message started before the frame-timeout (the sweeper's thread).
     *
     * @param now          {@link System#nanoTime()}
     * @param timeoutNanos burst.box.frame-timeout
     */
    void checkFrameTimeout(long now, long timeoutNanos) {
        long started = watch.startedNanos();
        if (started != 0 && now - started > timeoutNanos) {
            cutOff(WsStats.Close.FRAME_TIMEOUT, "burst.box.frame-timeout " + endpoint.limits().boxFrameTimeout()
                    + " passed inside a message (" + watch.held() + " bytes of it arrived)");
        }
    }

    /** Cuts a connection off for what it sent: logged, counted under the cause, its socket closed. */
    private void cutOff(WsStats.Close why, String message) {
        lock.lock();
        try {
            if (cause != null || state == State.ENDED) {
                return;
            }
            cause = why;
        } finally {
            lock.unlock();
        }
        endpoint.peerLog().warn(why.name(), address, "ws: closing connection from " + peer + ": " + message);
        abort();
    }

    /** Helidon's connection ended, however (reader thread, once): unregistered, the users told. */
    void ended() {
        endpoint.charge(-charged); // what an unfinished message held goes back to the budget
        charged = 0;
        boolean wasOpen;
        WsStats.Close why;
        lock.lock();
        try {
            wasOpen = state != State.NEW;
            dropQueueLocked();
            state = State.ENDED;
            if (cause == null) {
                cause = WsStats.Close.CLIENT;
            }
            why = cause;
            room.signalAll();
        } finally {
            lock.unlock();
        }
        if (wasOpen) {
            LOG.log(System.Logger.Level.DEBUG, () -> "ws " + peer + " closed: " + why);
            // outside the lock: a disconnect event may queue a task and write to a worker
            endpoint.closed(this, why);
        }
        lock.lock();
        try {
            reported = true; // a stop waiting for the end sees it counted and the users told
            gone.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Helidon is stopping the listener under the connection: that is why it ends. */
    void stopping() {
        lock.lock();
        try {
            if (cause == null) {
                cause = WsStats.Close.STOPPING;
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- writing ------------------------------------------------------------------------------------

    /** A task of this connection was answered: queue the reply, count it, wake the reader if it waits. */
    private void reply(BoxHeader h, Outcome outcome) {
        byte[] body = outcome.isError() ? EMPTY : outcome.body();
        if (send(h.replyHeader(outcome.ret(), body.length), ByteBuffer.wrap(body)) != Sent.QUEUED) {
            endpoint.stats().undeliverable.increment();
        }
        inFlight.decrementAndGet();
        if (paused) {
            lock.lock();
            try {
                room.signal();
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public Sent push(ByteBuffer header, ByteBuffer body) {
        return send(header, body);
    }

    private Sent send(ByteBuffer header, ByteBuffer body) {
        byte[] frame = ServerFrame.binary(header, body);
        return enqueue(frame, frame.length);
    }

    /** Queues a frame for the writer, starting one if none runs; never waits. */
    private Sent enqueue(byte[] frame, int bytes) {
        long held;
        boolean start;
        lock.lock();
        try {
            if (state != State.OPEN) {
                return Sent.CLOSED;
            }
            held = queued + inWrite;
            if (held + bytes > endpoint.limits().connectionMaxOutbound()) {
                dropQueueLocked();
                closingLocked(WsStats.Close.SLOW_CONSUMER, 0, "");
                start = false;
            } else {
                queue.addLast(frame);
                queued += bytes;
                endpoint.stats().outboundBytes.addAndGet(bytes);
                start = !writing;
                writing = true;
                held = -1;
            }
        } finally {
            lock.unlock();
        }
        if (held < 0) {
            startWriter(start);
            return Sent.QUEUED;
        }
        endpoint.peerLog().warn("slow consumer", address, "ws: closing connection from " + peer + " as a slow consumer: "
                + held + " bytes unread and " + bytes + " more would be over burst.connection.max-outbound "
                + endpoint.limits().connectionMaxOutbound());
        abort(); // the writer may be blocked on the client: close the socket under it
        return Sent.SLOW;
    }

    @Override
    public void closeAfterWrites(DisconnectReason why) {
        WsStats.Close c = WsStats.Close.of(why);
        int code = why == DisconnectReason.SERVER_STOPPING ? 1001 : 1000;
        boolean start;
        lock.lock();
        try {
            start = closingLocked(c, code, why.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
        } finally {
            lock.unlock();
        }
        startWriter(start);
    }

    /**
     * OPEN to CLOSING: records the first cause, and the close frame (code 0: none) the writer sends once
     * the queue is written.
     *
     * @return whether the caller must start a writer (after unlocking) to send that close frame
     */
    private boolean closingLocked(WsStats.Close why, int code, String reason) {
        if (state != State.OPEN) {
            return false;
        }
        if (cause == null) {
            cause = why;
        }
        state = State.CLOSING;
        closeCode = code;
        closeReason = reason;
        room.signalAll();
        if (code == 0 || writing) {
            return false;
        }
        writing = true;
        return true;
    }

    /** Starts a writer, when the caller just claimed that job ({@link #writing}) under the lock. */
    private void startWriter(boolean start) {
        if (start) {
            Thread.ofVirtual().name("ws-write-" + id).start(this::writeLoop);
        }
    }

    private void dropQueueLocked() {
        endpoint.stats().outboundBytes.addAndGet(-queued);
        queue.clear();
        queued = 0;
    }

    /**
     * The writer, started when there is something to write: writes queued frames in order, gathering
     * small ones into one write, and ends when the queue is empty (so an idle connection holds no thread
     * of its own); when closing, it writes the queue out, sends the close frame and waits for the
     * connection to end.
     */
    private void writeLoop() {
        try {
            while (true) {
                byte[] batch;
                lock.lock();
                try {
                    if (queue.isEmpty() && (state != State.CLOSING || closeCode == 0)) {
                        writing = false;
                        return; // written out, or ended, or closing without a close frame of ours
                    }
                    if (queue.isEmpty()) {
                        break; // closing, everything written
                    }
                    batch = takeLocked();
                } finally {
                    lock.unlock();
                }
                try {
                    out.writeNow(BufferData.create(batch));
                } finally {
                    lock.lock();
                    try {
                        endpoint.stats().outboundBytes.addAndGet(-inWrite);
                        inWrite = 0;
                    } finally {
                        lock.unlock();
                    }
                }
            }
            finishClose();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // nobody interrupts it; if something does, the connection ends
            abort();
        } catch (RuntimeException e) {
            // a socket write failed (UncheckedIOException, SocketWriterException): the client is gone
            LOG.log(System.Logger.Level.DEBUG, () -> "ws " + peer + " write failed: " + e);
            abort();
        }
    }

    /** @return the next frame, or several small ones joined, up to {@link #GATHER} bytes */
    private byte[] takeLocked() {
        byte[] first = queue.pollFirst();
        long taken = first.length;
        if (queue.isEmpty() || first.length + queue.peekFirst().length > GATHER) {
            queued -= taken;
            inWrite = taken;
            return first;
        }
        int size = first.length;
        for (byte[] f : queue) {
            if (size + f.length > GATHER) {
                break;
            }
            size += f.length;
        }
        byte[] batch = Arrays.copyOf(first, size);
        int at = first.length;
        while (at < size) {
            byte[] f = queue.pollFirst();
            System.arraycopy(f, 0, batch, at, f.length);
            at += f.length;
        }
        queued -= size;
        inWrite = size;
        return batch;
    }

    /** Closing, everything written: the close frame (if this side closes), then wait for the end. */
    private void finishClose() throws InterruptedException {
        int code;
        String reason;
        WsSession s;
        lock.lock();
        try {
            code = closeCode;
            reason = closeReason;
            s = session;
        } finally {
            lock.unlock();
        }
        if (code != 0) {
            s.close(code, shorten(reason));
        }
        long left = CLOSE_GRACE.toNanos();
        lock.lock();
        try {
            while (state != State.ENDED && left > 0) {
                left = gone.awaitNanos(left);
            }
            if (state == State.ENDED) {
                return;
            }
        } finally {
            lock.unlock();
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "ws " + peer + ": no close frame from the client within "
                + CLOSE_GRACE + "; closing the socket");
        abort();
    }

    private static String shorten(String reason) {
        byte[] b = reason.getBytes(StandardCharsets.UTF_8);
        if (b.length <= MAX_CLOSE_REASON) {
            return reason;
        }
        String s = reason.substring(0, Math.min(reason.length(), MAX_CLOSE_REASON));
        while (s.getBytes(StandardCharsets.UTF_8).length > MAX_CLOSE_REASON) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    /** Closes the socket under both threads: the reader's read fails and Helidon ends the connection. */
    void abort() {
        try {
            socket.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "ws " + peer + " close: " + e);
        }
    }

    /**
     * Waits for the connection to end.
     *
     * @return whether it ended within the time
     */
    boolean awaitEnd(long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (!reported && left > 0) {
                left = gone.awaitNanos(left);
            }
            return reported;
        } finally {
            lock.unlock();
        }
    }

    // ---- what the users see -------------------------------------------------------------------------

    @Override
    public long id() {
        return id;
    }

    @Override
    public String protocol() {
        return "ws";
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
    public String toString() {
        return "ws " + peer + " #" + id;
    }
}
