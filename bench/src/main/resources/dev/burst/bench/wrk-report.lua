-- The benchmark's wrk script (dev.burst.bench.Wrk): every request is a POST of BENCH_WRK_BODY, and at
-- the end done() writes wrk's own figures, exact, as one JSON object to the file BENCH_WRK_JSON.
-- Times are wrk's microseconds; errors.status counts the non-2xx/3xx responses.
--
-- With BENCH_WRK_KEYS=N (N > 0) every request also carries a header Burst-Key, k1 .. kN, drawn at
-- random (uniform) per request: init() formats the N requests once per thread, and request() only
-- picks one, so varying the key costs wrk a table lookup, not a formatting per request.

wrk.method = "POST"
wrk.body = os.getenv("BENCH_WRK_BODY") or ""
wrk.headers["Content-Type"] = "application/octet-stream"

local keys = tonumber(os.getenv("BENCH_WRK_KEYS") or "0") or 0
local keyed = {}
local threads = 0

function setup(thread)
   threads = threads + 1
   thread:set("thread_number", threads)
end

function init(args)
   if keys <= 0 then
      return
   end
   math.randomseed(os.time() * 1000 + (thread_number or 0))
   for i = 1, keys do
      keyed[i] = wrk.format(nil, nil, {
         ["Content-Type"] = "application/octet-stream",
         ["Burst-Key"] = "k" .. i,
      })
   end
end

if keys > 0 then
   function request()
      return keyed[math.random(keys)]
   end
end

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
