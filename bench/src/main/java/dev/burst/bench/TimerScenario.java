package dev.burst.bench;

import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Timers under load (issue 13): the largest Box echo scenario three times on the benchmark's burst:
 * without timers; with N timers of period P armed on every worker by the timer-bench plugin
 * ({@link TimerProbe}; their first ticks spread evenly over one period); and without again, after they
 * were cancelled. Reports the echo's throughput and latency with the timers against the mean of the two
 * runs without, and how late the ticks that started in the measured window were, per worker (exact, from
 * the plugin), besides burst's own timer counts from stat ({@code workers_detail[].timers}: since the
 * plugin's generation started, warm-up included, the lateness p99 as the upper bound of a bucket).
 *
 * <p>Threads: none of its own; the records are built on the benchmark's main thread.
 */
final class TimerScenario {

    /** The plugin's name in burst (its jar's name), as stat reports its timers. */
    static final String PLUGIN = "timer-bench";

    private TimerScenario() {
    }

    /**
     * How late one worker's ticks started in the measured window, as the plugin measured it.
     *
     * @param worker        "default#1"
     * @param pid           the worker's pid
     * @param armed         timers armed on it
     * @param ticks         ticks that started in the window
     * @param expectedTicks armed x window / period: what the plan asked for
     * @param p50Ms         lateness percentiles (nearest rank) and maximum
     * @param p99Ms         .
     * @param p999Ms        .
     * @param maxMs         .
     * @param dropped       ticks the plugin could not keep (its log was full); 0 normally
     */
    record Lateness(String worker, long pid, long armed, long ticks, double expectedTicks, double p50Ms, double p99Ms,
                    double p999Ms, double maxMs, long dropped) {

        /**
         * @param group   the worker's group, for its id
         * @param answer  the plugin's answer to a report ({@code pid= slot= armed= period_us= ticks= late_p50_us= ...})
         * @param windowS the window's length, seconds
         * @throws IllegalArgumentException naming a field the answer lacks
         */
        static Lateness of(String group, Map<String, Long> answer, double windowS) {
            long period = field(answer, "period_us");
            long armed = field(answer, "armed");
            return new Lateness(group + "#" + field(answer, "slot"), field(answer, "pid"), armed, field(answer, "ticks"),
                    period == 0 ? 0 : armed * windowS * 1e6 / period, ms(answer, "late_p50_us"), ms(answer, "late_p99_us"),
                    ms(answer, "late_p999_us"), ms(answer, "late_max_us"), field(answer, "dropped"));
        }

        private static long field(Map<String, Long> answer, String name) {
            Long v = answer.get(name);
            if (v == null) {
                throw new IllegalArgumentException("timer-bench's report " + answer + " has no " + name);
            }
            return v;
        }

        private static double ms(Map<String, Long> answer, String name) {
            return field(answer, name) / 1000.0;
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("worker", worker);
            m.put("pid", pid);
            m.put("armed", armed);
            m.put("ticks", ticks);
            m.put("expected_ticks", expectedTicks);
            m.put("late_p50_ms", p50Ms);
            m.put("late_p99_ms", p99Ms);
            m.put("late_p99_9_ms", p999Ms);
            m.put("late_max_ms", maxMs);
            m.put("dropped", dropped);
            return m;
        }
    }

    /**
     * The scenario's result.
     *
     * @param load      the echo scenario run three times ("box-c16")
     * @param perWorker timers armed on each worker
     * @param period    their period
     * @param plugin    the plugin jar's file name
     * @param without   the echo before the timers were armed
     * @param with      the echo with them
     * @param after     the echo after they were cancelled
     * @param lateness  per worker, the ticks that started in the measured window of {@code with}
     * @param stat      burst's own counts of the plugin's timers, per worker, read right after {@code with}
     */
    record Result(String load, int perWorker, Duration period, String plugin, Scenario.Side without, Scenario.Side with,
                  Scenario.Side after, List<Lateness> lateness, List<AdminStat.WorkerTimers> stat) {

        /** @return the mean throughput of the two runs without timers */
        double withoutThroughput() {
            return (without.stats().throughput() + after.stats().throughput()) / 2;
        }

        /** @return the echo's throughput with the timers over without them (the mean of before and after); 0 when unknown */
        double withOverWithout() {
            double w = withoutThroughput();
            return w == 0 ? 0 : with.stats().throughput() / w;
        }

        /** @return the echo's p50 with the timers minus without them (the mean of before and after) */
        double addedP50Ms() {
            return with.stats().p50Ms() - (without.stats().p50Ms() + after.stats().p50Ms()) / 2;
        }

        /** @return the largest per-worker lateness p99: the figure the target is about */
        double worstP99Ms() {
            return lateness.stream().mapToDouble(Lateness::p99Ms).max().orElse(0);
        }

        double maxMs() {
            return lateness.stream().mapToDouble(Lateness::maxMs).max().orElse(0);
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("load_scenario", load);
            m.put("timers_per_worker", perWorker);
            m.put("period_ms", period.toNanos() / 1e6);
            m.put("first_ticks", "spread evenly over one period");
            m.put("plugin", plugin);
            m.put("without", without.json());
            m.put("with", with.json());
            m.put("after", after.json());
            m.put("with_over_without", withOverWithout());
            m.put("added_p50_ms", addedP50Ms());
            m.put("late_p99_ms_worst_worker", worstP99Ms());
            m.put("late_max_ms", maxMs());
            m.put("lateness", lateness.stream().sorted(Comparator.comparing(Lateness::worker)).map(Lateness::json).toList());
            m.put("stat_timers", stat.stream().map(AdminStat.WorkerTimers::json).toList());
            return m;
        }
    }
}
