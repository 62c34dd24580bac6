-- wrk script for `make load` (scripts/load), in one of two mixes:
--
--   wrk ... -s scripts/load.lua URL -- random CODES_FILE SEED FIRST_DAY LAST_DAY
--   wrk ... -s scripts/load.lua URL -- fixed
--   wrk ... -s scripts/load.lua URL -- page CODES_FILE SEED FIRST_DAY LAST_DAY PATH
--
-- random (the default of scripts/load): every request asks for a random economy on a random day
-- (dashboard, partners, ranking and the two counting API endpoints), so most requests miss the
-- page cache and are computed. CODES_FILE lists the economy codes, one a line (scripts/load writes
-- it from the reference data); FIRST_DAY and LAST_DAY (YYYY-MM-DD) bound `as_of`, both included.
-- Thread i draws from its own generator seeded with SEED and i: one seed replays the same URLs
-- in each thread (which of its connections sends which URL depends on timing).
--
-- page (what `make bench` measures the cache-miss path with, bench/throughput.py): as random,
-- but every request is for one page, PATH, in which {economy} and {day} are replaced by a random
-- economy and day (`/?economy={economy}&as_of={day}`, `/ranking/?as_of={day}`).
--
-- fixed: every connection cycles through 16 URLs (pages, API calls, the health check and a static
-- file), mostly answered from the page cache after their first request.
--
-- Either way every answer other than 200 counts as an error (`non200` in the LOAD line).

local fixed_paths = {
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

-- %s is the economy (where there is one), then the day.
local random_templates = {
  { "/?economy=%s&as_of=%s", true },
  { "/partners/?economy=%s&as_of=%s", true },
  { "/api/v1/summary?economy=%s&as_of=%s", true },
  { "/ranking/?as_of=%s", false },
  { "/api/v1/ranking?as_of=%s", false },
}

-- Days since 1970-01-01 and back (Howard Hinnant's civil calendar algorithms): plain arithmetic,
-- so the days drawn do not depend on the machine's time zone.
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local doy = math.floor((153 * ((m + 9) % 12) + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  return string.format("%04d-%02d-%02d", yoe + era * 400 + (m <= 2 and 1 or 0), m, d)
end

local function parse_day(text)
  local y, m, d = string.match(text or "", "^(%d%d%d%d)-(%d%d)-(%d%d)$")
  if not y then error("load.lua: not a YYYY-MM-DD day: " .. tostring(text)) end
  return days_from_civil(tonumber(y), tonumber(m), tonumber(d))
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  mix = args[1] or "fixed"
  bad = 0
  if mix == "fixed" then
    counter = (thread_number - 1) * 7  -- threads start at different URLs
  elseif mix == "random" or mix == "page" then
    local codes_file, seed = args[2], tonumber(args[3])
    if not codes_file or not seed then
      error("usage: wrk ... -s load.lua URL -- " .. mix .. " CODES_FILE SEED FIRST_DAY LAST_DAY" ..
        (mix == "page" and " PATH" or ""))
    end
    page_path = args[6]
    if mix == "page" and not page_path then error("load.lua: page needs a PATH") end
    codes = {}
    for line in io.lines(codes_file) do
      if line ~= "" then table.insert(codes, line) end
    end
    if #codes == 0 then error("load.lua: no economy code in " .. codes_file) end
    first_day, last_day = parse_day(args[4]), parse_day(args[5])
    math.randomseed(seed * 1000 + thread_number)
  else
    error("load.lua: unknown mix " .. mix .. " (fixed, random or page)")
  end
end

function request()
  if mix == "fixed" then
    counter = counter + 1
    return wrk.format("GET", fixed_paths[(counter % #fixed_paths) + 1])
  end
  local day = civil_from_days(math.random(first_day, last_day))
  if mix == "page" then
    local economy = codes[math.random(#codes)]
    local path = string.gsub(string.gsub(page_path, "{economy}", economy), "{day}", day)
    return wrk.format("GET", path)
  end
  local template = random_templates[math.random(#random_templates)]
  if template[2] then
    return wrk.format("GET", string.format(template[1], codes[math.random(#codes)], day))
  end
  return wrk.format("GET", string.format(template[1], day))
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
