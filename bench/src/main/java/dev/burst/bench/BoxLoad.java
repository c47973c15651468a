package dev.burst.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A Box load generator: N connections, each with up to M requests in flight (pipelined, matched by sn),
 * for a warm-up and then a fixed measured window. Records every answered request's latency.
 *
 * <p>Box frame (netkit's): 24-byte big-endian header, then the body.
 * <pre>
 * offset size field
 *  0     4    magic        2037952207 (0x7978AECF)
 *  4     2    version      copied into the reply
 *  6     2    flag         copied into the reply
 *  8     4    packet_len   header + body
 * 12     4    cmd          copied into the reply
 * 16     4    ret          0 in requests; the result in replies
 * 20     4    sn           copied into the reply; replies may come out of order
 * </pre>
 *
 * <p>Threads: with one request in flight (M = 1), each connection is one platform thread that writes a
 * request, reads its reply and records it, like wrk's connections: no hand-off between threads, so the
 * client's own CPU per request stays near wrk's and the HTTP and Box figures compare burst, not the
 * clients. With M > 1, each connection has a writer platform thread (it also reconnects after a lost
 * connection) and a reader platform thread. The writer takes a free slot (blocking only while M requests are in
 * flight), stamps its send time, writes the frame, and flushes when no further slot is free at once; the
 * reader matches each reply's sn to its slot, records the latency and frees the slot. sn = (sequence << 9)
 * | slot, so a reply names its slot and a stale or foreign sn is caught. Nothing sleeps on this path.
 *
 * <p>A request counts as failed when its reply has ret != 0 or a body other than the echo, when its
 * connection is lost before the answer, or when it is still unanswered 5 s after the window closed.
 * Every connection records into one {@link LoadRecorder} (HdrHistogram, coordinated-omission corrected),
 * whose own thread cuts the window into seconds.
 */
public final class BoxLoad {

    static final int MAGIC = 2037952207;
    static final int HEADER = 24;
    static final int MAX_IN_FLIGHT = 512;
    private static final int SLOT_BITS = 9;
    private static final int SLOT_MASK = (1 << SLOT_BITS) - 1;
    private static final int POISON = -1;
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(5);

    /**
     * @param host        the server
     * @param port        its Box port
     * @param connections N
     * @param inFlight    M, requests in flight per connection, 1..512
     * @param warmup      load before the measured window, not recorded
     * @param duration    the measured window
     * @param cmd         the cmd every request carries (the echo)
     * @param body        the request body; the reply must echo it
     */
    public record Config(String host, int port, int connections, int inFlight, Duration warmup, Duration duration,
                         int cmd, byte[] body) {
        public Config {
            if (connections < 1) {
                throw new IllegalArgumentException("connections must be at least 1, not " + connections);
            }
            if (inFlight < 1 || inFlight > MAX_IN_FLIGHT) {
                throw new IllegalArgumentException("in-flight must be 1.." + MAX_IN_FLIGHT + ", not " + inFlight);
            }
        }
    }

    /** A load that is running: the window's start is known, so callers can schedule events in it. */
    public static final class Running {
        private final long measureStart;
        private final long end;
        private final double seconds;
        private final List<Thread> writers;
        private final LoadRecorder recorder;
        private final AtomicInteger connectFailures;
        private LoadStats stats;

        private Running(long measureStart, long end, double seconds, List<Thread> writers, LoadRecorder recorder,
                        AtomicInteger connectFailures) {
            this.measureStart = measureStart;
            this.end = end;
            this.seconds = seconds;
            this.writers = writers;
            this.recorder = recorder;
            this.connectFailures = connectFailures;
        }

        /** @return {@link System#nanoTime()} at which the measured window opens */
        public long measureStart() {
            return measureStart;
        }

        /** @return {@link System#nanoTime()} at which it closes */
        public long end() {
            return end;
        }

        /** Waits for every connection to finish (the window, then at most 5 s of draining). */
        public synchronized LoadStats await() throws InterruptedException {
            if (stats == null) {
                for (Thread t : writers) {
                    t.join();
                }
                recorder.close((int) Math.ceil(seconds - 1e-9));
                int refused = connectFailures.get();
                stats = LoadStats.of("boxload", recorder, seconds, refused == 0 ? "" : refused + " connection attempt(s) failed");
            }
            return stats;
        }

        /** @return everything recorded, per second; after {@link #await()} */
        LoadRecorder recorder() {
            if (stats == null) {
                throw new IllegalStateException("the load is still running");
            }
            return recorder;
        }
    }

    private BoxLoad() {
    }

    /** Opens the connections and starts the load; returns at once. */
    public static Running start(Config c) {
        long begin = System.nanoTime();
        long measureStart = begin + c.warmup().toNanos();
        long end = measureStart + c.duration().toNanos();
        List<Thread> writers = new ArrayList<>();
        List<Connection> connections = new ArrayList<>();
        LoadRecorder recorder = new LoadRecorder(measureStart);
        recorder.sampleSeconds(end);
        AtomicInteger connectFailures = new AtomicInteger();
        byte[] frame = frame(c.cmd(), c.body());
        for (int i = 0; i < c.connections(); i++) {
            Connection conn = new Connection(c, i, frame, end, recorder, connectFailures);
            connections.add(conn);
            writers.add(Thread.ofPlatform().name("boxload-write-" + i).daemon().start(conn::run));
        }
        // A reply that never comes must not hold the load up: 5 s after the window, close what is left.
        Thread.ofPlatform().name("boxload-watchdog").daemon().start(() -> {
            try {
                for (Thread w : writers) {
                    long left = end + DRAIN_NANOS - System.nanoTime();
                    if (left <= 0 || !w.join(Duration.ofNanos(left))) {
                        break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            connections.forEach(Connection::abandon);
        });
        return new Running(measureStart, end, c.duration().toNanos() / 1e9, writers, recorder, connectFailures);
    }

    /** Runs the load to its end. */
    public static LoadStats run(Config c) throws InterruptedException {
        return start(c).await();
    }

    static byte[] frame(int cmd, byte[] body) {
        byte[] f = new byte[HEADER + body.length];
        putInt(f, 0, MAGIC);
        f[4] = 0;
        f[5] = 1;                      // version 1, flag 0
        putInt(f, 8, f.length);
        putInt(f, 12, cmd);
        putInt(f, 16, 0);
        System.arraycopy(body, 0, f, HEADER, body.length);
        return f;
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static int getInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    /** One client connection, reconnected if it is lost before the window closes. Runs on its writer thread. */
    private static final class Connection {
        private final Config config;
        private final int index;
        private final byte[] frame;
        private final long end;
        private final LoadRecorder recorder;
        private final AtomicInteger connectFailures;
        private int sequence;
        /** The open socket, for the watchdog. */
        private volatile Socket current;

        Connection(Config config, int index, byte[] frame, long end, LoadRecorder recorder, AtomicInteger connectFailures) {
            this.config = config;
            this.index = index;
            this.frame = frame.clone();
            this.end = end;
            this.recorder = recorder;
            this.connectFailures = connectFailures;
        }

        void run() {
            while (System.nanoTime() < end) {
                Socket socket = new Socket();
                try {
                    socket.setTcpNoDelay(true);
                    socket.connect(new InetSocketAddress(config.host(), config.port()), 5_000);
                } catch (IOException e) {
                    closeQuietly(socket);
                    connectFailures.incrementAndGet();
                    pauseBeforeReconnect();
                    continue;
                }
                current = socket;
                try {
                    if (config.inFlight() == 1) {
                        driveClosedLoop(socket);
                    } else {
                        drive(socket);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    closeQuietly(socket);
                    return;
                }
            }
        }

        void abandon() {
            Socket s = current;
            if (s != null) {
                closeQuietly(s);
            }
        }

        /** One request at a time on this thread: write, read the reply, record; until the window closes. */
        private void driveClosedLoop(Socket socket) {
            byte[] header = new byte[HEADER];
            byte[] expected = config.body();
            byte[] body = new byte[Math.max(64, expected.length)];
            boolean waiting = false;
            try {
                OutputStream out = socket.getOutputStream();
                DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
                while (true) {
                    long sent = System.nanoTime();
                    if (sent >= end) {
                        break;
                    }
                    int sn = sequence++;
                    putInt(frame, 20, sn);
                    out.write(frame);
                    waiting = true;
                    in.readFully(header);
                    long now = System.nanoTime();
                    int length = getInt(header, 8);
                    if (getInt(header, 0) != MAGIC || length < HEADER || getInt(header, 20) != sn) {
                        throw new IOException("bad reply frame (magic " + getInt(header, 0) + ", length " + length
                                + ", sn " + getInt(header, 20) + " for " + sn + ")");
                    }
                    int bodyLength = length - HEADER;
                    if (bodyLength > body.length) {
                        body = new byte[bodyLength];
                    }
                    in.readFully(body, 0, bodyLength);
                    waiting = false;
                    if (getInt(header, 16) == 0 && Arrays.equals(body, 0, bodyLength, expected, 0, expected.length)) {
                        recorder.ok(sent, now);
                    } else {
                        recorder.failed(now, 1);
                    }
                }
                socket.shutdownOutput();
            } catch (IOException e) {
                // Lost connection or a bad frame: the request in flight, if any, is counted as failed below.
            } finally {
                closeQuietly(socket);
                if (waiting) {
                    recorder.failed(System.nanoTime(), 1);
                }
            }
        }

        /** Sends until the window closes or the connection breaks, then drains and closes it. */
        private void drive(Socket socket) throws InterruptedException {
            int m = config.inFlight();
            ArrayBlockingQueue<Integer> free = new ArrayBlockingQueue<>(m + 1);
            for (int s = 0; s < m; s++) {
                free.add(s);
            }
            AtomicLongArray sentAt = new AtomicLongArray(m);
            AtomicIntegerArray snOf = new AtomicIntegerArray(m);
            AtomicInteger inFlight = new AtomicInteger();
            Reader reader = new Reader(socket, config.body(), free, sentAt, snOf, inFlight, recorder);
            Thread readerThread = Thread.ofPlatform().name("boxload-read-" + index).daemon().start(reader);
            boolean broken = false;
            try {
                OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
                while (true) {
                    int slot = free.take();
                    if (slot == POISON) {
                        broken = true;
                        break;
                    }
                    long now = System.nanoTime();
                    if (now >= end) {
                        break;
                    }
                    int sn = (sequence++ << SLOT_BITS) | slot;
                    snOf.set(slot, sn);
                    sentAt.set(slot, now);
                    inFlight.incrementAndGet();
                    putInt(frame, 20, sn);
                    out.write(frame);
                    if (free.isEmpty()) {
                        out.flush();
                    }
                }
                out.flush();
                if (!broken) {
                    long deadline = end + DRAIN_NANOS;
                    while (inFlight.get() > 0) {
                        Integer slot = free.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                        if (slot == null || slot == POISON) {
                            break;
                        }
                    }
                    if (inFlight.get() == 0) {
                        socket.shutdownOutput();       // the server answers what it has, then closes
                        readerThread.join(5_000);
                    }
                }
            } catch (IOException e) {
                // The connection broke while writing: its reader sees the same; the lost requests are counted below.
            } finally {
                closeQuietly(socket);
                readerThread.join();
                recorder.failed(System.nanoTime(), inFlight.get());
            }
        }

        private static void pauseBeforeReconnect() {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The reply side of one connection. Runs on its reader thread. */
    private static final class Reader implements Runnable {
        private final Socket socket;
        private final byte[] expected;
        private final ArrayBlockingQueue<Integer> free;
        private final AtomicLongArray sentAt;
        private final AtomicIntegerArray snOf;
        private final AtomicInteger inFlight;
        private final LoadRecorder recorder;

        Reader(Socket socket, byte[] expected, ArrayBlockingQueue<Integer> free, AtomicLongArray sentAt,
               AtomicIntegerArray snOf, AtomicInteger inFlight, LoadRecorder recorder) {
            this.socket = socket;
            this.expected = expected;
            this.free = free;
            this.sentAt = sentAt;
            this.snOf = snOf;
            this.inFlight = inFlight;
            this.recorder = recorder;
        }

        @Override
        public void run() {
            byte[] header = new byte[HEADER];
            byte[] body = new byte[Math.max(64, expected.length)];
            int slots = sentAt.length();
            try {
                DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
                while (true) {
                    in.readFully(header);
                    long now = System.nanoTime();
                    int length = getInt(header, 8);
                    if (getInt(header, 0) != MAGIC || length < HEADER) {
                        throw new IOException("bad reply frame (magic " + getInt(header, 0) + ", length " + length + ")");
                    }
                    int bodyLength = length - HEADER;
                    if (bodyLength > body.length) {
                        body = new byte[bodyLength];
                    }
                    in.readFully(body, 0, bodyLength);
                    int ret = getInt(header, 16);
                    int sn = getInt(header, 20);
                    int slot = sn & SLOT_MASK;
                    if (slot >= slots || snOf.get(slot) != sn) {
                        throw new IOException("reply with unknown sn " + sn);
                    }
                    long sent = sentAt.get(slot);
                    boolean ok = ret == 0 && Arrays.equals(body, 0, bodyLength, expected, 0, expected.length);
                    inFlight.decrementAndGet();
                    free.add(slot);
                    if (ok) {
                        recorder.ok(sent, now);
                    } else {
                        recorder.failed(now, 1);
                    }
                }
            } catch (EOFException e) {
                // The server closed: after our half-close that is the end; otherwise the writer counts the loss.
            } catch (IOException e) {
                // Lost connection or a bad frame: the writer counts the requests still in flight.
            } finally {
                free.add(POISON);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // Closing a broken or never-connected socket: nothing left to release.
        }
    }

    /** The standalone command line: {@code BoxLoad --port P [...]}. */
    @Command(name = "BoxLoad", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Drives a Box echo server and prints one line of results.")
    static final class Cli implements Callable<Integer> {
        @Option(names = "--host", description = "the server (default ${DEFAULT-VALUE})")
        String host = "127.0.0.1";
        @Option(names = "--port", required = true, description = "its Box port")
        int port;
        @Option(names = "--connections", description = "connections (default ${DEFAULT-VALUE})")
        int connections = 16;
        @Option(names = "--in-flight", description = "requests in flight per connection (default ${DEFAULT-VALUE})")
        int inFlight = 1;
        @Option(names = "--duration", description = "measured seconds (default ${DEFAULT-VALUE})")
        double duration = 10;
        @Option(names = "--warmup", description = "warm-up seconds, not measured (default ${DEFAULT-VALUE})")
        double warmup = 2;
        @Option(names = "--cmd", description = "the echo's cmd (default ${DEFAULT-VALUE})")
        int cmd = 1;
        @Option(names = "--body", description = "request body (default ${DEFAULT-VALUE})")
        String body = "hello";

        @Override
        public Integer call() throws InterruptedException {
            LoadStats s = run(new Config(host, port, connections, inFlight, Options.seconds(warmup), Options.seconds(duration),
                    cmd, body.getBytes(StandardCharsets.UTF_8)));
            System.out.printf("%d connection(s) x %d in flight: %.0f req/s, p50 %.3f ms, p99 %.3f ms, max %.3f ms, %d error(s)%s%n",
                    connections, inFlight, s.throughput(), s.p50Ms(), s.p99Ms(), s.maxMs(), s.errors(),
                    s.note().isEmpty() ? "" : " (" + s.note() + ")");
            return 0;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Cli()).execute(args));
    }
}
