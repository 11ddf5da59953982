-- wrk script of `make bench` (bench/bench.py): every request is the GET of the URL given on wrk's
-- command line, exactly as wrk sends it (Host header only: no conditional header, no cookie).
-- No request() or response() function: wrk sends and parses at full speed, the same for every
-- system. done() prints one line, "bench.json=" and a JSON object, that bench.py reads.
--
-- errors: socket errors (connect, read, write, timeout) and HTTP statuses >= 400 as wrk counts
-- them (summary.errors.status); bench.py checks every URL answers 200 before any load.

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'bench.json={"requests": %d, "duration_s": %.3f, "rps": %.2f, "bytes": %d, ' ..
      '"p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "mean_ms": %.3f, ' ..
      '"errors_connect": %d, "errors_read": %d, "errors_write": %d, "errors_timeout": %d, ' ..
      '"errors_status": %d}\n',
    summary.requests, seconds, summary.requests / seconds, summary.bytes,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    e.connect, e.read, e.write, e.timeout, e.status
  ))
end
