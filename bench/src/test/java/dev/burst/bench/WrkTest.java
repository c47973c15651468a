package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WrkTest {

    private static final String REPORT = """
            Running 5s test @ http://127.0.0.1:39457/cmd/1
              2 threads and 16 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency    17.65ms   21.61ms    1.02s    87.70%
                Req/Sec   684.39    632.96     3.54k    90.62%
              Latency Distribution
                 50%  114.00us
                 75%   22.22ms
                 90%   44.78ms
                 99%  108.04ms
              6702 requests in 5.09s, 772.30KB read
              Socket errors: connect 0, read 2, write 0, timeout 1
              Non-2xx or 3xx responses: 5
            Requests/sec:   1315.72
            Transfer/sec:    151.62KB
            """;

    @Test
    void the_latency_distribution_maximum_and_failures_are_read_in_milliseconds() {
        LoadStats s = Wrk.parse(REPORT);
        assertEquals(0.114, s.p50Ms(), 1e-9);
        assertEquals(44.78, s.p90Ms(), 1e-9);
        assertEquals(108.04, s.p99Ms(), 1e-9);
        assertEquals(1020, s.maxMs(), 1e-9);
        assertEquals(6697, s.requests());
        assertEquals(8, s.errors());
        assertEquals(5.09, s.seconds(), 1e-9);
    }
}
