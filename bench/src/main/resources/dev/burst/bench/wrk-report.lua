-- The benchmark's wrk script (dev.burst.bench.Wrk): every request is a POST of BENCH_WRK_BODY, and at
-- the end done() writes wrk's own figures, exact, as one JSON object to the file BENCH_WRK_JSON.
-- Times are wrk's microseconds; errors.status counts the non-2xx/3xx responses.

wrk.method = "POST"
wrk.body = os.getenv("BENCH_WRK_BODY") or ""
wrk.headers["Content-Type"] = "application/octet-stream"

function done(summary, latency, requests)
   local path = os.getenv("BENCH_WRK_JSON")
   if path == nil then
      return
   end
   local e = summary.errors
   local out = assert(io.open(path, "w"))
   out:write(string.format(
      '{"duration_us": %d, "requests": %d, "bytes": %d, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
      '"latency_us": {"min": %d, "max": %d, "mean": %.3f, "stdev": %.3f, ' ..
      '"p50": %d, "p75": %d, "p90": %d, "p99": %d, "p99_9": %d}}\n',
      summary.duration, summary.requests, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency.min, latency.max, latency.mean, latency.stdev,
      latency:percentile(50), latency:percentile(75), latency:percentile(90), latency:percentile(99),
      latency:percentile(99.9)))
   out:close()
end
