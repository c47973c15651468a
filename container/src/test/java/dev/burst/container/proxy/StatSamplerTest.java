package dev.burst.container.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.burst.container.proxy.StatHistory.Sample;
import dev.burst.container.proxy.StatSampler.CmdRate;
import dev.burst.container.proxy.StatSampler.CmdTotals;
import dev.burst.container.proxy.StatSampler.Totals;
import dev.burst.container.proxy.dispatch.Latency;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatSamplerTest {

    private static final long T0 = 1_764_000_000_000L;

    /** Counters a test moves by hand, read by the sampler as the dispatcher's would be. */
    private static final class Counters {
        long ok;
        long handlerErrors;
        long rejected;
        long timedOut;
        long lost;
        long pushes;
        int pending;
        final Latency latency = new Latency();
        final Map<String, CmdTotals> cmds = new LinkedHashMap<>();

        Totals read() {
            long[] buckets = new long[Latency.BUCKETS];
            latency.addBucketsTo(buckets);
            return new Totals(ok, handlerErrors, rejected, timedOut, lost, 0, buckets, pending, 0, 2, 1, 3, 4, pushes, pushes,
                    0, 0, Map.copyOf(cmds));
        }

        void answer(int n, long nanos) {
            for (int i = 0; i < n; i++) {
                latency.record(nanos);
            }
            ok += n;
        }
    }

    private final Counters counters = new Counters();
    /** Counters started at T0 + 50 ms. */
    private final StatSampler sampler = new StatSampler(counters::read, new StatHistory(), T0 + 50);

    private List<Sample> samples() {
        return sampler.history().after(0);
    }

    @Test
    void each_second_gets_one_sample_with_the_answers_of_that_second_by_outcome() {
        sampler.tick(T0 + 500); // the second the counters started in: no sample
        assertEquals(List.of(), samples());
        counters.answer(100, 400_000);
        counters.handlerErrors += 3;
        counters.rejected += 2;
        counters.timedOut += 1;
        counters.lost += 1;
        counters.pushes += 7;
        counters.pending = 5;
        sampler.tick(T0 + 1050);
        counters.answer(40, 400_000);
        sampler.tick(T0 + 2051);

        List<Sample> s = samples();
        assertEquals(2, s.size());
        Sample first = s.getFirst();
        assertEquals(T0 / 1000 + 1, first.second());
        assertEquals(1000, first.spanMillis());
        assertEquals(100, first.ok());
        assertEquals(3, first.handlerErrors());
        assertEquals(2, first.rejected());
        assertEquals(1, first.timedOut());
        assertEquals(1, first.lost());
        assertEquals(7, first.pushes());
        assertEquals(5, first.pending(), "gauges are as they stand when the sample is taken");
        assertEquals(3, first.usersOnline());
        Sample second = s.get(1);
        assertEquals(40, second.ok(), "only what was answered since the previous sample");
        assertEquals(0, second.handlerErrors());
        assertEquals(0, second.pushes());
        assertEquals(1001, second.spanMillis());
    }

    @Test
    void what_was_answered_before_the_first_tick_is_in_the_first_sample() {
        counters.answer(7, 1_000_000); // a fast start: clients served before the sampler first ran
        sampler.tick(T0 + 1050);

        Sample first = samples().getFirst();
        assertEquals(7, first.ok());
        assertEquals(1000, first.spanMillis(), "from the counters' start");
    }

    @Test
    void a_second_tick_within_the_same_second_takes_no_sample_and_its_answers_go_into_the_next() {
        counters.answer(10, 1_000_000);
        sampler.tick(T0 + 1050);
        counters.answer(5, 1_000_000);
        sampler.tick(T0 + 1900); // still the same second
        counters.answer(6, 1_000_000);
        sampler.tick(T0 + 2050);

        List<Sample> s = samples();
        assertEquals(List.of(T0 / 1000 + 1, T0 / 1000 + 2), s.stream().map(Sample::second).toList());
        assertEquals(10, s.get(0).ok());
        assertEquals(11, s.get(1).ok());
        assertEquals(1000, s.get(1).spanMillis());
    }

    @Test
    void a_late_sampler_leaves_the_seconds_it_missed_as_gaps_and_its_next_sample_spans_them() {
        counters.answer(10, 1_000_000);
        sampler.tick(T0 + 1050);
        counters.answer(30, 1_000_000);
        sampler.tick(T0 + 4080); // ran three seconds late: a long GC pause, a stalled machine

        List<Sample> s = samples();
        assertEquals(List.of(T0 / 1000 + 1, T0 / 1000 + 4), s.stream().map(Sample::second).toList(),
                "seconds 2 and 3 have no sample");
        assertEquals(30, s.get(1).ok());
        assertEquals(3030, s.get(1).spanMillis(), "the rate is the count over the span");
    }

    @Test
    void latency_percentiles_are_those_of_the_span_not_since_the_start() {
        counters.answer(1000, 1_000_000); // 1 ms
        sampler.tick(T0 + 1050);
        counters.answer(98, 50_000_000); // 50 ms
        counters.answer(2, 400_000_000); // 400 ms
        sampler.tick(T0 + 2050);
        sampler.tick(T0 + 3050); // nothing answered

        List<Sample> s = samples();
        assertWithin(1.0, s.get(0).p50Millis().getAsDouble());
        assertWithin(1.0, s.get(0).p99Millis().getAsDouble());
        assertWithin(50.0, s.get(1).p50Millis().getAsDouble());
        assertWithin(400.0, s.get(1).p99Millis().getAsDouble());
        assertTrue(s.get(2).p50Millis().isEmpty() && s.get(2).p99Millis().isEmpty(), "no answers, no percentiles");
    }

    private static void assertWithin(double expected, double actual) {
        assertTrue(actual >= expected && actual <= expected * 1.125, "within 12.5% above " + expected + ": " + actual);
    }

    @Test
    void a_count_read_ahead_of_its_answer_is_not_counted_twice_and_every_answer_is_counted_once() {
        counters.rejected = 1; // read while an answer was half counted: as a refusal, for a moment
        sampler.tick(T0 + 1050);
        counters.rejected = 0; // ... and then, correctly, as a handler error
        counters.handlerErrors = 1;
        sampler.tick(T0 + 2050);
        counters.rejected = 2; // two real refusals since
        sampler.tick(T0 + 3050);

        List<Sample> s = samples();
        assertEquals(List.of(1L, 0L, 1L), s.stream().map(Sample::rejected).toList(), "never negative");
        assertEquals(2, s.stream().mapToLong(Sample::rejected).sum(), "the samples add up to the counter");
        assertEquals(1, s.stream().mapToLong(Sample::handlerErrors).sum());
    }

    @Test
    void the_cmd_view_has_the_busiest_twenty_of_the_newest_second_with_their_p99() {
        for (int cmd = 1; cmd <= 30; cmd++) {
            counters.cmds.put("g/" + cmd, cmd("g", cmd, cmd * 10L, 0, 2_000_000, cmd * 10));
        }
        counters.cmds.put("g/99", cmd("g", 99, 0, 0, 0, 0)); // known, never answered in the span
        sampler.tick(T0 + 1050);

        List<CmdRate> top = sampler.cmds();
        assertEquals(StatSampler.CMDS, top.size());
        assertEquals(30, top.getFirst().cmd());
        assertEquals(300.0, top.getFirst().perSecond());
        assertEquals(11, top.getLast().cmd());
        assertWithin(2.0, top.getFirst().p99Millis().getAsDouble());

        counters.cmds.put("g/5", cmd("g", 5, 50 + 1000, 10, 80_000_000, 1000));
        sampler.tick(T0 + 2050);
        top = sampler.cmds();
        assertEquals(List.of(5), top.stream().map(CmdRate::cmd).toList(), "only cmds answered in the newest span");
        assertEquals(1000.0, top.getFirst().perSecond());
        assertEquals(10.0, top.getFirst().errorsPerSecond());
        assertWithin(80.0, top.getFirst().p99Millis().getAsDouble());
    }

    /** A cmd's totals whose histogram holds {@code recorded} values of {@code nanos} (on top of what it had). */
    private CmdTotals cmd(String group, int cmd, long requests, long errors, long nanos, int recorded) {
        CmdTotals before = counters.cmds.get(group + "/" + cmd);
        long[] buckets = before == null ? new long[Latency.BUCKETS] : before.latency().clone();
        Latency l = new Latency();
        for (int i = 0; i < recorded; i++) {
            l.record(nanos);
        }
        l.addBucketsTo(buckets);
        return new CmdTotals(group, cmd, "cmd" + cmd, requests, errors, buckets);
    }

    @Test
    void the_json_has_every_sample_after_the_second_asked_and_nulls_for_empty_percentiles() {
        counters.answer(3, 1_000_000);
        sampler.tick(T0 + 1050);
        sampler.tick(T0 + 2050);

        JsonNode all = sampler.json(0);
        assertEquals(StatHistory.CAPACITY, all.get("capacity").asInt());
        List<Long> seconds = new ArrayList<>();
        all.get("samples").forEach(n -> seconds.add(n.get("t").asLong()));
        assertEquals(List.of(T0 / 1000 + 1, T0 / 1000 + 2), seconds);
        JsonNode first = all.get("samples").get(0);
        assertEquals(3, first.get("ok").asLong());
        assertTrue(first.get("p99_ms").asDouble() >= 1.0);
        assertTrue(all.get("samples").get(1).get("p99_ms").isNull());
        assertEquals(1, sampler.json(T0 / 1000 + 1).get("samples").size());
    }
}
