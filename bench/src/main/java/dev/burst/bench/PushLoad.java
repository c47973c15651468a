package dev.burst.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A push fan-out load: N users logged in over Box ({@link BoxUsers}), each on its own connection and
 * reading everything pushed to it, and a {@link PushDriver} asking for one toAll every interval. The
 * plugin is the push-probe fixture (dist/target/fixtures/push-probe.jar): cmd {@value #LOGIN_CMD} logs the
 * connection in as the body, cmd {@value #PUSH_REQUEST_CMD} pushes the body to every logged-in connection
 * as cmd {@value #PUSH_FRAME_CMD}.
 *
 * <p>A push's body ({@value #PUSH_BODY} bytes, big-endian): its sequence number (long), then the driver's
 * {@link System#nanoTime()} when it sent the request (long). Driver and readers run in this JVM, so a
 * reader's read time minus that is the delivery latency: driver -> proxy -> worker -> proxy -> client.
 *
 * <p>The run: log everyone in, then the windows of the layout back to back (the driver sends from the
 * first window's start to the last one's end), then wait until every accepted push reached every
 * connection (or 3 s pass without progress, at most 20 s), then close.
 *
 * <p>Threads: {@link #start} and {@link Running#await} on the caller's; sending and reading on the
 * driver's and the users' own threads.
 */
final class PushLoad {

    static final int LOGIN_CMD = 900;
    static final int PUSH_REQUEST_CMD = 903;
    static final int PUSH_FRAME_CMD = 952;
    static final int PUSH_BODY = 16;
    private static final Duration LOGIN_WITHIN = Duration.ofSeconds(120);
    private static final Duration ANSWERS_WITHIN = Duration.ofSeconds(10);
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(3);
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(20);
    /** Between the last login and the first push: the logins' replies and pushes must not overlap. */
    private static final long SETTLE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /**
     * @param server  burst's Box listener
     * @param users   the user ids, one connection each
     * @param readers reading threads
     * @param every   the driver's interval between two toAll requests
     * @param layout  the windows after the logins
     * @param closing how the users are closed at the end: so many at a time, and what to do between
     */
    record Config(InetSocketAddress server, List<String> users, int readers, Duration every, List<PushWindows.Layout> layout,
                  Closing closing) {
        Config {
            users = List.copyOf(users);
            layout = List.copyOf(layout);
            if (users.isEmpty()) {
                throw new IllegalArgumentException("a push load needs at least one user");
            }
            if (every.isZero() || every.isNegative()) {
                throw new IllegalArgumentException("the push interval must be positive, not " + every);
            }
        }
    }

    /** Close the users {@code batch} at a time, running {@code between} after each batch but the last. */
    record Closing(int batch, Runnable between) {
        static final Closing AT_ONCE = new Closing(Integer.MAX_VALUE, () -> { });
    }

    private PushLoad() {
    }

    /** Writes a push body (sequence, send time) into {@code frame} at {@code at}. */
    static void pushBody(byte[] frame, int at, long seq, long sentNanos) {
        putLong(frame, at, seq);
        putLong(frame, at + 8, sentNanos);
    }

    private static void putLong(byte[] b, int at, long v) {
        BoxLoad.putInt(b, at, (int) (v >>> 32));
        BoxLoad.putInt(b, at + 4, (int) v);
    }

    /** Logs every user in, then starts the driver; returns once it sends. */
    static Running start(Config c) throws IOException, InterruptedException {
        PushTally tally = new PushTally(c.users().size(), c.layout());
        long t0 = System.nanoTime();
        PushUsers users = BoxUsers.open(c.server(), c.users(), 0, c.readers(), tally, LOGIN_WITHIN);
        long loginNanos = System.nanoTime() - t0;
        PushDriver driver;
        try {
            driver = PushDriver.open(c.server());
        } catch (IOException e) {
            users.close();
            throw e;
        }
        PushWindows windows = tally.start(System.nanoTime() + SETTLE_NANOS);
        driver.start(windows.origin(), windows.end(), c.every());
        return new Running(c, tally, List.of(users), driver, windows, loginNanos);
    }

    /** A load that is running: its windows are known, so a caller can measure alongside them. */
    static final class Running {
        private final Config config;
        private final PushTally tally;
        private final List<PushUsers> users;
        private final PushDriver driver;
        private final PushWindows windows;
        private final long loginNanos;
        private Result result;

        private Running(Config config, PushTally tally, List<PushUsers> users, PushDriver driver, PushWindows windows,
                        long loginNanos) {
            this.config = config;
            this.tally = tally;
            this.users = users;
            this.driver = driver;
            this.windows = windows;
            this.loginNanos = loginNanos;
        }

        PushWindows windows() {
            return windows;
        }

        /** @return CPU time the reading threads have used so far, ns (-1: unknown) */
        long readerCpuNanos() {
            long sum = 0;
            for (PushUsers u : users) {
                long n = u.readerCpuNanos();
                if (n < 0) {
                    return -1;
                }
                sum += n;
            }
            return sum;
        }

        /** Waits for the end, the answers and the last frames, closes everything and counts. */
        synchronized Result await() throws InterruptedException {
            if (result != null) {
                return result;
            }
            try {
                driver.awaitAnswers(ANSWERS_WITHIN);
                long unanswered = driver.unanswered();
                BitSet accepted = driver.accepted();
                long expected = (long) accepted.cardinality() * tally.connections();
                long deadline = System.nanoTime() + DRAIN_NANOS;
                long got = tally.distinctFrames();
                long progress = System.nanoTime();
                while (got < expected) {
                    long now = System.nanoTime();
                    if (now - deadline > 0 || now - progress > STALL_NANOS) {
                        break;
                    }
                    Thread.sleep(20);
                    long n = tally.distinctFrames();
                    if (n != got) {
                        got = n;
                        progress = System.nanoTime();
                    }
                }
                long drained = Math.max(0, progress - windows.end());
                for (PushUsers u : users) {
                    u.close(config.closing().batch(), config.closing().between());
                }
                PushTally.Count count = tally.count(accepted);
                List<String> notes = new ArrayList<>();
                if (unanswered > 0) {
                    notes.add(unanswered + " toAll request(s) unanswered " + ANSWERS_WITHIN.toSeconds() + " s after the end");
                }
                if (driver.rejected() > 0) {
                    notes.add(driver.rejected() + " toAll request(s) rejected (last ret " + driver.lastRejectRet() + ")");
                }
                if (driver.broken() != null) {
                    notes.add(driver.broken());
                }
                Histogram late = driver.lateness();
                result = new Result(users.stream().map(PushUsers::protocol).distinct().toList(), tally.connections(),
                        users.stream().mapToInt(PushUsers::readerThreads).sum(), config.every(), loginNanos / 1e6,
                        driver.sent(), accepted.cardinality(), driver.rejected(), unanswered, count,
                        LoadStats.ms(late, 99), late.getTotalCount() == 0 ? 0 : LoadStats.ms(late.getMaxValue()),
                        drained / 1e6, String.join("; ", notes));
                return result;
            } finally {
                users.forEach(PushUsers::close);
                driver.close();
            }
        }
    }

    /**
     * What a push run measured.
     *
     * @param protocols      the users' protocols ("box")
     * @param connections    users logged in, one connection each
     * @param readerThreads  threads that read them
     * @param every          the interval between two toAll requests
     * @param loginMs        how long logging everyone in took
     * @param sent           toAll requests sent
     * @param accepted       of those, answered ret 0 (a push was made)
     * @param rejected       answered with an error (no push)
     * @param unanswered     not answered by the end
     * @param frames         the frames received against accepted x connections, and per window
     * @param driverLateP99Ms how late the driver's sends were against their schedule, p99 and max: a late
     *                        driver means the client machine, not burst, held the pushes back
     * @param drainMs        from the end of the last window until the last frame arrived (or the wait ended)
     * @param note           what a reader should know (rejections, unanswered requests), or ""
     */
    record Result(List<String> protocols, int connections, int readerThreads, Duration every, double loginMs, long sent,
                  long accepted, long rejected, long unanswered, PushTally.Count frames, double driverLateP99Ms,
                  double driverLateMaxMs, double drainMs, String note) {
    }
}
