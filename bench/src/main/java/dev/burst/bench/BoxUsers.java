package dev.burst.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Box users for a push run: N TCP connections, each logged in as its own user, read by a few platform
 * threads, each with one NIO {@link Selector} over its share of the connections (connection i goes to
 * thread i mod K). A reader reads what a ready connection has into its thread's one buffer, cuts the Box
 * frames ({@link #cut}), and reports each push (cmd {@link PushLoad#PUSH_FRAME_CMD}, sn 0, body: sequence
 * and send time) to the {@link PushTally} with the time the read returned. Only an unfinished frame is
 * kept per connection, until the rest arrives.
 *
 * <p>Logging in: the opening thread connects each socket (blocking, 5 s), writes the login request (cmd
 * {@link PushLoad#LOGIN_CMD}, sn 1, body the user id), then hands the socket, non-blocking, to its reader,
 * which takes the reply (ret 0, body {@code ok}). At most {@value #LOGINS_IN_FLIGHT} logins are unanswered
 * at once, so the group's queue (max-pending, 1,000 by default) never overflows with them.
 *
 * <p>Threads: {@link #open} and {@link #close} on the caller's; everything else on the readers'
 * ({@code push-read-K}); a connection is only ever touched by its reader once it is handed over, until
 * {@link #close} has stopped the readers.
 */
final class BoxUsers implements PushUsers {

    static final int LOGIN_SN = 1;
    static final int MAX_FRAME = 64 * 1024;
    private static final int LOGINS_IN_FLIGHT = 256;
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final List<Reader> readers = new ArrayList<>();
    private final AtomicReference<String> loginFailure = new AtomicReference<>();
    private int connections;

    private BoxUsers(int threads, PushTally tally) throws IOException {
        for (int k = 0; k < threads; k++) {
            readers.add(new Reader(k, Selector.open(), tally));
        }
        readers.forEach(Reader::start);
    }

    /**
     * Opens a connection per user and logs each in; returns once every login was answered.
     *
     * @param server      burst's Box listener
     * @param users       the user ids, one connection each
     * @param firstIndex  the tally's number of the first connection (the others follow)
     * @param threads     reading threads
     * @param tally       where frames are reported
     * @param within      how long the logins may take in all
     * @throws IOException a connection or a login failed (named), or the logins did not finish in time
     */
    static BoxUsers open(InetSocketAddress server, List<String> users, int firstIndex, int threads, PushTally tally,
                         Duration within) throws IOException, InterruptedException {
        if (threads < 1) {
            throw new IllegalArgumentException("reader threads must be at least 1, not " + threads);
        }
        BoxUsers b = new BoxUsers(threads, tally);
        try {
            b.login(server, users, firstIndex, within);
            return b;
        } catch (IOException | InterruptedException | RuntimeException e) {
            b.close();
            throw e;
        }
    }

    private void login(InetSocketAddress server, List<String> users, int firstIndex, Duration within)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        Semaphore window = new Semaphore(LOGINS_IN_FLIGHT);
        CountDownLatch answered = new CountDownLatch(users.size());
        for (int i = 0; i < users.size(); i++) {
            if (!window.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new IOException((users.size() - answered.getCount()) + " of " + users.size()
                        + " logins answered within " + within);
            }
            failIfLoginFailed();
            String user = users.get(i);
            SocketChannel ch = SocketChannel.open();
            try {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.socket().connect(server, CONNECT_TIMEOUT_MS);
                ByteBuffer f = ByteBuffer.wrap(BoxLoad.frame(PushLoad.LOGIN_CMD, user.getBytes(StandardCharsets.UTF_8)));
                f.putInt(20, LOGIN_SN);
                while (f.hasRemaining()) {
                    ch.write(f);
                }
                ch.configureBlocking(false);
            } catch (IOException e) {
                ch.close();
                throw new IOException("user " + user + " (connection " + (i + 1) + " of " + users.size() + "): " + e.getMessage(), e);
            }
            connections++;
            readers.get(i % readers.size()).adopt(new Conn(firstIndex + i, user, ch, (ret, body) -> {
                if (ret != 0 || !body.equals("ok")) {
                    loginFailure.compareAndSet(null, "the login of user " + user + " was answered ret " + ret + " '" + body + "'");
                }
                window.release();
                answered.countDown();
            }));
        }
        if (!answered.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw new IOException((users.size() - answered.getCount()) + " of " + users.size() + " logins answered within " + within);
        }
        failIfLoginFailed();
    }

    private void failIfLoginFailed() throws IOException {
        String f = loginFailure.get();
        if (f != null) {
            throw new IOException(f);
        }
    }

    @Override
    public String protocol() {
        return "box";
    }

    @Override
    public int connections() {
        return connections;
    }

    @Override
    public int readerThreads() {
        return readers.size();
    }

    @Override
    public long readerCpuNanos() {
        if (!THREADS.isThreadCpuTimeSupported()) {
            return -1;
        }
        long sum = 0;
        for (Reader r : readers) {
            sum += Math.max(0, THREADS.getThreadCpuTime(r.thread.threadId()));
        }
        return sum;
    }

    @Override
    public void close(int batch, Runnable between) {
        if (batch < 1) {
            throw new IllegalArgumentException("a batch closes at least 1 connection, not " + batch);
        }
        for (Reader r : readers) {
            r.stopReading();
        }
        List<SocketChannel> open = new ArrayList<>();
        for (Reader r : readers) {
            open.addAll(r.channels());
        }
        for (int i = 0; i < open.size(); i++) {
            closeQuietly(open.get(i));
            if ((i + 1) % batch == 0 && i + 1 < open.size()) {
                between.run();
            }
        }
        for (Reader r : readers) {
            r.closeSelector();
        }
    }

    /** Receives the complete frames {@link #cut} finds. */
    interface FrameSink {
        /** The body is {@code bodyLength} bytes of {@code buf} from {@code bodyAt}; valid during the call only. */
        void frame(int cmd, int ret, int sn, ByteBuffer buf, int bodyAt, int bodyLength);
    }

    /**
     * Cuts the complete Box frames between {@code buf}'s position and limit, in order, and leaves its
     * position at the start of the first incomplete one (its limit, if none).
     *
     * @throws IOException a frame with a bad magic, or a length below the header or above {@value #MAX_FRAME}
     */
    static void cut(ByteBuffer buf, FrameSink sink) throws IOException {
        while (buf.remaining() >= BoxLoad.HEADER) {
            int at = buf.position();
            int magic = buf.getInt(at);
            int length = buf.getInt(at + 8);
            if (magic != BoxLoad.MAGIC || length < BoxLoad.HEADER || length > MAX_FRAME) {
                throw new IOException("bad frame: magic " + magic + ", packet_len " + length);
            }
            if (buf.remaining() < length) {
                return;
            }
            sink.frame(buf.getInt(at + 12), buf.getInt(at + 16), buf.getInt(at + 20), buf, at + BoxLoad.HEADER, length - BoxLoad.HEADER);
            buf.position(at + length);
        }
    }

    /** What a connection does with its login reply. */
    @FunctionalInterface
    private interface LoginAnswer {
        void answered(int ret, String body);
    }

    /** One user's connection; after the hand-over, touched by its reader only. */
    private static final class Conn {
        final int index;
        final String user;
        final SocketChannel channel;
        final LoginAnswer onLogin;
        boolean loggedIn;
        /** An unfinished frame's bytes, or null. */
        byte[] carry;

        Conn(int index, String user, SocketChannel channel, LoginAnswer onLogin) {
            this.index = index;
            this.user = user;
            this.channel = channel;
            this.onLogin = onLogin;
        }
    }

    /** A reading thread with its selector and buffer. */
    private static final class Reader {
        private final Selector selector;
        private final PushTally tally;
        private final Thread thread;
        private final ConcurrentLinkedQueue<Conn> handedOver = new ConcurrentLinkedQueue<>();
        private final List<Conn> conns = new ArrayList<>();
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(4 * MAX_FRAME);
        private volatile boolean running = true;
        // the frame being handled: set per read, for the sink
        private Conn current;
        private long readAt;

        Reader(int k, Selector selector, PushTally tally) {
            this.selector = selector;
            this.tally = tally;
            this.thread = Thread.ofPlatform().name("push-read-" + k).daemon().unstarted(this::run);
        }

        void start() {
            thread.start();
        }

        void adopt(Conn c) {
            handedOver.add(c);
            selector.wakeup();
        }

        /** Stops the thread; the connections stay open. */
        void stopReading() {
            running = false;
            selector.wakeup();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** @return its connections' channels, open or not; after {@link #stopReading} */
        List<SocketChannel> channels() {
            List<SocketChannel> all = new ArrayList<>();
            conns.forEach(c -> all.add(c.channel));
            for (Conn c; (c = handedOver.poll()) != null; ) {
                all.add(c.channel);
            }
            return all;
        }

        void closeSelector() {
            try {
                selector.close();
            } catch (IOException e) {
                // Closing a selector whose thread is gone: nothing left to release.
            }
        }

        private void run() {
            FrameSink sink = this::frame;
            try {
                while (running) {
                    for (Conn c; (c = handedOver.poll()) != null; ) {
                        conns.add(c);
                        c.channel.register(selector, SelectionKey.OP_READ, c);
                    }
                    selector.select(key -> read(key, sink), 200);
                }
            } catch (IOException e) {
                if (running) {
                    System.err.println("bench: " + thread.getName() + " stopped: " + e.getMessage());
                }
            }
        }

        private void read(SelectionKey key, FrameSink sink) {
            Conn c = (Conn) key.attachment();
            buffer.clear();
            if (c.carry != null) {
                buffer.put(c.carry);
                c.carry = null;
            }
            int n;
            try {
                n = c.channel.read(buffer);
            } catch (IOException e) {
                n = -1;
            }
            readAt = System.nanoTime();
            if (n < 0) {
                key.cancel();
                closeQuietly(c.channel);
                if (running) {
                    tally.lostConnection(c.index);
                }
                return;
            }
            buffer.flip();
            current = c;
            try {
                cut(buffer, sink);
            } catch (IOException e) {
                System.err.println("bench: user " + c.user + ": " + e.getMessage() + "; closing its connection");
                key.cancel();
                closeQuietly(c.channel);
                tally.lostConnection(c.index);
                return;
            }
            if (buffer.hasRemaining()) {
                c.carry = new byte[buffer.remaining()];
                buffer.get(c.carry);
            }
        }

        private void frame(int cmd, int ret, int sn, ByteBuffer buf, int bodyAt, int bodyLength) {
            Conn c = current;
            if (sn == 0 && cmd == PushLoad.PUSH_FRAME_CMD && ret == 0 && bodyLength == PushLoad.PUSH_BODY) {
                tally.frame(c.index, buf.getLong(bodyAt), buf.getLong(bodyAt + 8), readAt);
            } else if (sn == LOGIN_SN && cmd == PushLoad.LOGIN_CMD && !c.loggedIn) {
                c.loggedIn = true;
                byte[] body = new byte[bodyLength];
                buf.get(bodyAt, body);
                c.onLogin.answered(ret, new String(body, StandardCharsets.UTF_8));
            } else {
                tally.unexpected(c.index);
            }
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // Already broken: nothing left to release.
        }
    }
}
