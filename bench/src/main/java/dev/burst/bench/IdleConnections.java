package dev.burst.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Many idle Box connections to one server, held by one thread: non-blocking {@link SocketChannel}s on one
 * {@link Selector}, bound to several loopback source addresses (one address has only the ephemeral port
 * range, ~28k ports). It opens connections (at most {@value #CONNECTING} connecting at once) until it
 * holds the target count or the server refuses: a connection the server closes, resets or does not let
 * connect ({@link Stop}). Then it keeps them open, doing nothing, and notices any the server closes,
 * until {@link #close()}. {@link #probe} sends one Box echo over a held connection.
 *
 * <p>Threads: everything touching the channels runs on the {@code idle-connections} platform thread;
 * other threads read the counters (volatile) and hand it probes through a queue.
 */
final class IdleConnections implements AutoCloseable {

    /** Connections connecting at once: well under the server's accept backlog. */
    static final int CONNECTING = 256;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    /** Why the opening stopped. */
    enum Stop {
        /** every connection asked for is open */
        TARGET("target reached"),
        /** the server closed or reset connections it had accepted: a limit's refusal, or the server failing */
        CLOSED_BY_SERVER("the server closed connections it had accepted"),
        /** connect failed: refused by the kernel, reset, or not accepted within 5 s (backlog full) */
        CONNECT_FAILED("connecting failed"),
        /** no source address has a free port left */
        NO_PORTS("no free source port left"),
        /** this process cannot open more sockets */
        CLIENT_LIMIT("the client's open-files limit"),
        /** {@link #close()} came first */
        CLOSED("closed while opening");

        private final String text;

        Stop(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** What the opening ended with. */
    record Opened(int open, Stop stop, Optional<String> detail, long millis) {
    }

    private final InetSocketAddress server;
    private final List<InetAddress> sources;
    private final int target;
    private final Selector selector;
    private final ConcurrentLinkedQueue<Probe> probes = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Opened> opened = new CompletableFuture<>();
    private final boolean[] exhausted;
    private final ByteBuffer sink = ByteBuffer.allocateDirect(4096);
    /** Open connections, oldest first (a probe uses the oldest). */
    private final LinkedHashSet<Conn> held = new LinkedHashSet<>();
    /** Connections connecting, oldest (earliest deadline) first; connected or failed ones leave it lazily. */
    private final ArrayDeque<Conn> pending = new ArrayDeque<>();
    private final Thread thread;
    private volatile int open;
    private volatile int closedByServer;
    private volatile int failed;
    private volatile boolean closing;
    private int connecting;
    private int nextSource;
    private Optional<String> firstError = Optional.empty();

    private IdleConnections(InetSocketAddress server, List<InetAddress> sources, int target) throws IOException {
        this.server = server;
        this.sources = List.copyOf(sources);
        this.target = target;
        this.exhausted = new boolean[sources.size()];
        this.selector = Selector.open();
        this.thread = Thread.ofPlatform().name("idle-connections").daemon().unstarted(this::run);
    }

    /**
     * Starts opening connections; {@link #opened()} completes when that stops.
     *
     * @param server  the Box listener
     * @param sources the loopback addresses to bind the connections to, used in turn
     * @param target  connections to open
     */
    static IdleConnections open(InetSocketAddress server, List<InetAddress> sources, int target) throws IOException {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no source address to connect from");
        }
        IdleConnections c = new IdleConnections(server, sources, target);
        c.thread.start();
        return c;
    }

    /**
     * @param count connections to hold
     * @return 127.0.0.2, 127.0.0.3 ...: enough addresses for that many connections, at 90 % of the
     *         ephemeral port range (/proc/sys/net/ipv4/ip_local_port_range) each
     */
    static List<InetAddress> loopbackSources(int count) {
        int ports = 28_232;
        try {
            String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            ports = Integer.parseInt(range[1]) - Integer.parseInt(range[0]) + 1;
        } catch (IOException | RuntimeException e) {
            // Not Linux, or unreadable: Linux's default range.
        }
        int perAddress = Math.max(1, ports * 9 / 10);
        int n = Math.max(1, Math.min(250, (count + perAddress - 1) / perAddress));
        List<InetAddress> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try {
                list.add(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)}));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return list;
    }

    /** @return completes when the opening stops, with the count open then */
    CompletableFuture<Opened> opened() {
        return opened;
    }

    /** @return connections open now (connected, not closed by the server) */
    int open() {
        return open;
    }

    /** @return connections the server closed or reset after accepting them */
    int closedByServer() {
        return closedByServer;
    }

    /** @return connection attempts that failed */
    int failed() {
        return failed;
    }

    /**
     * Sends one Box echo request over a held connection and waits for its reply.
     *
     * @return the round trip, or empty when no connection is held
     * @throws IOException when the reply is wrong, the connection breaks, or no reply comes within 5 s
     */
    Optional<Duration> probe(int cmd, byte[] body) throws IOException, InterruptedException {
        if (open == 0) {
            return Optional.empty();
        }
        Probe p = new Probe(BoxLoad.frame(cmd, body), body);
        probes.add(p);
        selector.wakeup();
        try {
            return Optional.of(p.done.get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("no reply within " + PROBE_TIMEOUT);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    /** Closes every connection and stops the thread (waits for it up to 60 s; an interrupt stops the wait). */
    @Override
    public void close() {
        closing = true;
        selector.wakeup();
        try {
            thread.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the thread ------------------------------------------------------------------------------------

    /** Per connection: connecting (with its deadline), then held; or the probe's reply being read. */
    private static final class Conn {
        final SocketChannel channel;
        final long deadline;
        boolean connected;
        boolean dead;
        Probe probe;

        Conn(SocketChannel channel, long deadline) {
            this.channel = channel;
            this.deadline = deadline;
        }
    }

    /** One echo over a held connection. */
    private static final class Probe {
        final ByteBuffer request;
        final byte[] body;
        final ByteBuffer reply;
        final CompletableFuture<Duration> done = new CompletableFuture<>();
        long sent;

        Probe(byte[] frame, byte[] body) {
            this.request = ByteBuffer.wrap(frame);
            this.body = body;
            this.reply = ByteBuffer.allocate(frame.length);
        }
    }

    private void run() {
        long started = System.nanoTime();
        try {
            while (!closing) {
                if (!opened.isDone()) {
                    openMore(started);
                }
                selector.select(100);
                long now = System.nanoTime();
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    Conn c = (Conn) k.attachment();
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.isConnectable()) {
                        finishConnect(k, c);
                    } else if (k.isReadable()) {
                        read(k, c, now);
                    }
                }
                if (!opened.isDone()) {
                    expireConnects(now);
                }
                startProbes();
            }
            finishOpening(Stop.CLOSED, started);
        } catch (IOException | RuntimeException e) {
            firstError = Optional.of(e.toString());
            finishOpening(Stop.CLIENT_LIMIT, started);
        } finally {
            for (SelectionKey k : selector.keys()) {
                closeQuietly(((Conn) k.attachment()).channel);
            }
            held.forEach(c -> closeQuietly(c.channel));
            try {
                selector.close();
            } catch (IOException e) {
                // Every channel is closed already: nothing else to release.
            }
            Probe p;
            while ((p = probes.poll()) != null) {
                p.done.completeExceptionally(new IOException("the idle connections are closed"));
            }
        }
    }

    private void openMore(long started) throws IOException {
        if (closedByServer > 0 || failed > 0) {
            // The server said no: let what is connecting finish, then stop.
            if (connecting == 0) {
                finishOpening(closedByServer > 0 ? Stop.CLOSED_BY_SERVER : Stop.CONNECT_FAILED, started);
            }
            return;
        }
        while (connecting < CONNECTING && open + connecting < target) {
            Optional<SocketChannel> ch = bound();
            if (ch.isEmpty()) {
                if (connecting == 0) {
                    finishOpening(Stop.NO_PORTS, started);
                }
                return;
            }
            SocketChannel channel = ch.get();
            Conn c = new Conn(channel, System.nanoTime() + CONNECT_TIMEOUT.toNanos());
            try {
                if (channel.connect(server)) {
                    connected(channel.register(selector, SelectionKey.OP_READ, c), c);
                } else {
                    channel.register(selector, SelectionKey.OP_CONNECT, c);
                    pending.add(c);
                    connecting++;
                }
            } catch (IOException e) {
                closeQuietly(channel);
                connectFailed(e);
                return;
            }
        }
        if (open >= target && connecting == 0) {
            finishOpening(Stop.TARGET, started);
        }
    }

    /** @return a non-blocking channel bound to the next source address with a free port */
    private Optional<SocketChannel> bound() throws IOException {
        for (int tries = 0; tries < sources.size(); tries++) {
            int i = nextSource;
            nextSource = (nextSource + 1) % sources.size();
            if (exhausted[i]) {
                continue;
            }
            SocketChannel ch;
            try {
                ch = SocketChannel.open();
            } catch (IOException e) {
                throw new IOException("cannot open a socket (" + e.getMessage() + ") with " + (open + connecting) + " open", e);
            }
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.bind(new InetSocketAddress(sources.get(i), 0));
                return Optional.of(ch);
            } catch (IOException e) {
                // EADDRNOTAVAIL / EADDRINUSE: this address has no free port left.
                closeQuietly(ch);
                exhausted[i] = true;
                firstError = firstError.or(() -> Optional.of(sources.get(i).getHostAddress() + ": " + e.getMessage()));
            }
        }
        return Optional.empty();
    }

    private void finishConnect(SelectionKey k, Conn c) {
        connecting--;
        try {
            if (c.channel.finishConnect()) {
                k.interestOps(SelectionKey.OP_READ);
                connected(k, c);
            }
        } catch (IOException e) {
            k.cancel();
            c.dead = true;
            closeQuietly(c.channel);
            connectFailed(e);
        }
    }

    private void connected(SelectionKey k, Conn c) {
        c.connected = true;
        held.add(c);
        open++;
    }

    private void connectFailed(IOException e) {
        failed++;
        firstError = firstError.or(() -> Optional.of("connect: " + e.getMessage()));
    }

    private void expireConnects(long now) {
        while (!pending.isEmpty()) {
            Conn c = pending.peek();
            if (c.connected || c.dead) {
                pending.poll();
            } else if (now > c.deadline) {
                pending.poll();
                c.dead = true;
                c.channel.keyFor(selector).cancel();
                closeQuietly(c.channel);
                connecting--;
                failed++;
                firstError = firstError.or(() -> Optional.of("connect: not accepted within " + CONNECT_TIMEOUT));
            } else {
                return;
            }
        }
    }

    /** Bytes on an idle connection: only a probe's reply is expected; EOF or a reset is the server closing it. */
    private void read(SelectionKey k, Conn c, long now) {
        try {
            int n;
            if (c.probe != null) {
                n = c.channel.read(c.probe.reply);
                if (!c.probe.reply.hasRemaining()) {
                    finishProbe(c, now);
                }
            } else {
                sink.clear();
                n = c.channel.read(sink);
            }
            if (n < 0) {
                throw new ClosedChannelException();
            }
        } catch (IOException e) {
            k.cancel();
            closeQuietly(c.channel);
            held.remove(c);
            open--;
            closedByServer++;
            if (c.probe != null) {
                c.probe.done.completeExceptionally(new IOException("the server closed the probe's connection"));
                c.probe = null;
            }
        }
    }

    private void startProbes() {
        Probe p;
        while ((p = probes.poll()) != null) {
            Conn c = held.isEmpty() ? null : held.iterator().next();
            if (c == null || c.probe != null) {
                p.done.completeExceptionally(new IOException(c == null ? "no connection held" : "a probe is running"));
                continue;
            }
            try {
                p.sent = System.nanoTime();
                c.channel.write(p.request);
                if (p.request.hasRemaining()) {
                    throw new IOException("the probe's " + p.request.limit() + " bytes did not fit the socket's send buffer");
                }
                c.probe = p;
            } catch (IOException e) {
                p.done.completeExceptionally(e);
            }
        }
    }

    private static void finishProbe(Conn c, long now) {
        Probe p = c.probe;
        c.probe = null;
        byte[] r = p.reply.array();
        int ret = BoxLoad.getInt(r, 16);
        if (BoxLoad.getInt(r, 0) != BoxLoad.MAGIC || ret != 0
                || !Arrays.equals(r, BoxLoad.HEADER, r.length, p.body, 0, p.body.length)) {
            p.done.completeExceptionally(new IOException("the probe's reply is not its echo (ret " + ret + ")"));
        } else {
            p.done.complete(Duration.ofNanos(now - p.sent));
        }
    }

    private void finishOpening(Stop stop, long started) {
        opened.complete(new Opened(open, stop, firstError, (System.nanoTime() - started) / 1_000_000));
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // Closing a broken socket: nothing left to release.
        }
    }
}
