-- wrk script for `make load`: cycles every connection through a mix of pages, API calls, the
-- health check and a static file, and counts every answer that is not 200 as an error.
local paths = {
  "/",
  "/?economy=CHN&as_of=2021-08-31",
  "/ranking/?as_of=2021-08-31",
  "/partners/?economy=CHN&as_of=2021-08-31&bloc=RCEP",
  "/arrangements/",
  "/arrangements/?party=CHN",
  "/economies/CHN/",
  "/territories/FRA/",
  "/blocs/",
  "/claims/",
  "/how-we-count/",
  "/api/v1/summary?economy=CHN&as_of=2021-08-31",
  "/api/v1/ranking?as_of=2021-08-31",
  "/api/v1/claims",
  "/healthz",
  "/static/css/site.css",
}

local counter = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counter = math.random(#paths) - 1
  bad = 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total_bad = 0
  for _, thread in ipairs(threads) do
    total_bad = total_bad + thread:get("bad")
  end
  local errors = summary.errors
  io.write(string.format(
    "LOAD requests=%d duration_s=%.1f rps=%.1f p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f " ..
    "non200=%d connect=%d read=%d write=%d timeout=%d status=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, total_bad, errors.connect, errors.read, errors.write, errors.timeout,
    errors.status))
end
