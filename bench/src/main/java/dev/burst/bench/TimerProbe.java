package dev.burst.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Talks to the timer-bench plugin (plugins/timer-bench) over burst's HTTP API: arms N timers on every
 * worker, later asks each worker how late the ticks of a window were.
 *
 * <p>Every worker of a route=any group: the benchmark cannot address a worker, so it sends one request per
 * worker at once; the plugin holds the task thread a moment ({@code hold_ms}) before it answers, so
 * while one worker holds a request the next goes to another idle worker. Each answer names its worker's
 * pid; rounds repeat (at most {@value #ROUNDS}) until every expected pid has answered. Arming a worker
 * twice arms it afresh, and a report only reads, so a worker reached twice does no harm.
 *
 * <p>Threads: the caller's; the requests of a round are in flight together on the HTTP client's threads.
 */
final class TimerProbe {

    static final int ARM = 940;
    static final int REPORT = 941;
    static final int ROUNDS = 10;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final Duration hold;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param httpPort burst's HTTP port (127.0.0.1)
     * @param hold     how long the plugin holds each request before it answers
     */
    TimerProbe(int httpPort, Duration hold) {
        this.base = URI.create("http://127.0.0.1:" + httpPort + "/cmd/");
        this.hold = hold;
    }

    /**
     * Arms {@code count} timers of {@code period} on every worker ({@code count} 0: cancels them).
     *
     * @return each worker's answer by pid
     */
    Map<Long, Map<String, Long>> arm(int count, Duration period, Set<Long> workers) throws IOException, InterruptedException {
        return everyWorker(ARM, "count=" + count + " period_us=" + period.toNanos() / 1_000 + " hold_ms=" + hold.toMillis(), workers);
    }

    /**
     * @param fromMs the window's start, wall-clock milliseconds
     * @param toMs   its end (exclusive)
     * @return each worker's lateness of the ticks that started in the window, by pid
     */
    Map<Long, Map<String, Long>> report(long fromMs, long toMs, Set<Long> workers) throws IOException, InterruptedException {
        return everyWorker(REPORT, "from_ms=" + fromMs + " to_ms=" + toMs + " hold_ms=" + hold.toMillis(), workers);
    }

    /**
     * Sends {@code cmd} until every worker in {@code workers} answered it.
     *
     * @return each worker's answer (parsed) by pid
     * @throws IOException a failed request or an error reply (with what it said), or workers still not reached
     *                     after {@value #ROUNDS} rounds (named)
     */
    Map<Long, Map<String, Long>> everyWorker(int cmd, String body, Set<Long> workers) throws IOException, InterruptedException {
        if (workers.isEmpty()) {
            throw new IllegalArgumentException("no workers to reach");
        }
        Map<Long, Map<String, Long>> answers = new LinkedHashMap<>();
        for (int round = 0; round < ROUNDS && !answers.keySet().containsAll(workers); round++) {
            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < workers.size(); i++) {
                sent.add(http.sendAsync(HttpRequest.newBuilder(base.resolve(Integer.toString(cmd))).timeout(TIMEOUT)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : sent) {
                HttpResponse<String> r;
                try {
                    r = f.get();
                } catch (ExecutionException e) {
                    throw new IOException("timer-bench cmd " + cmd + ": " + e.getCause(), e.getCause());
                }
                String ret = r.headers().firstValue("Burst-Ret").orElse("?");
                if (r.statusCode() != 200 || !ret.equals("0")) {
                    throw new IOException("timer-bench cmd " + cmd + " answered HTTP " + r.statusCode() + ", ret " + ret + ": " + r.body().trim());
                }
                Map<String, Long> a = parse(r.body());
                if (!a.containsKey("pid")) {
                    throw new IOException("timer-bench cmd " + cmd + " answered without a pid: " + r.body().trim());
                }
                answers.put(a.get("pid"), a);
            }
        }
        if (!answers.keySet().containsAll(workers)) {
            Set<Long> missing = new TreeSet<>(workers);
            missing.removeAll(answers.keySet());
            throw new IOException("timer-bench cmd " + cmd + " did not reach worker pid(s) " + missing + " in " + ROUNDS
                    + " rounds of " + workers.size() + " requests at once (answered: pids " + new TreeSet<>(answers.keySet()) + ")");
        }
        answers.keySet().retainAll(workers);
        return answers;
    }

    /**
     * @return the {@code name=value} pairs of an answer, in its order ("pid=12 ticks=3" -> pid 12, ticks 3)
     * @throws IllegalArgumentException naming the pair whose value is not a whole number
     */
    static Map<String, Long> parse(String answer) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String pair : answer.trim().split("\\s+")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("timer-bench's answer '" + answer.trim() + "' has '" + pair + "', not name=number");
            }
            try {
                m.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("timer-bench's answer '" + answer.trim() + "' has '" + pair + "', not name=number");
            }
        }
        return m;
    }
}
