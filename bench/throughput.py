"""Throughput against the framework's own limit, page weight and time to map, on the production stack.

Serves the app with gunicorn (2 workers, production settings, whitenoise, PostgreSQL) on loopback
and drives it with wrk (Debian's package) for a few seconds per URL, interleaving the trivial
view `/ping` (returns "ok" without touching the database) with each page: a, b, a, c, a, d, a.
The figure to read is the ratio of a page's requests per second to the mean of the trivial runs
just before and after it.
Those pages are one URL each, answered from the page cache after the first request. The miss
path (issue 16) is measured the same way, interleaved with the trivial view in the same run: the
dashboard, /partners/, /ranking/ and /api/v1/summary, each request with a random `as_of` (from
2010-01-01 to today) and `economy` (every economy ranked today, by either measure), drawn by
scripts/load.lua's `page` mix from a fixed seed (BENCH_SEED, default 1), so that almost every
request is computed (`ratio_<page>_miss`).
Then headless Chromium loads the dashboard cold and warm (compressed bytes transferred) and times
navigation to the map drawn (median of 5). Writes var/bench/throughput.json.

    python -m bench.throughput            # 10 s per wrk run
    BENCH_QUICK=1 python -m bench.throughput   # 2 s per wrk run

Loopback only; every run is bounded in time; the server is stopped at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CHINA = "economy=CHN&as_of=2021-08-31&basis=signed&evidence=inferred"
URLS = {
    "trivial": "/ping",
    "dashboard": f"/?{CHINA}",
    "arrangements": "/arrangements/",
    "summary": f"/api/v1/summary?{CHINA}",
    "why": f"/why/?{CHINA}",
    "why_between": f"/why/between/?{CHINA.replace('as_of=', 'from=2020-08-31&to=')}",
    "compare": "/compare/?economy=CHN&economy=KOR&economy=EUU&as_of=2021-08-31",
    "ranking": "/ranking/?as_of=2021-08-31",
    "bloc": "/blocs/RCEP/?economy=CHN&as_of=2021-08-31",
}
# The miss path: {economy} and {day} are drawn per request by scripts/load.lua (`page` mix).
MISS_URLS = {
    "dashboard_miss": "/?economy={economy}&as_of={day}",
    "partners_miss": "/partners/?economy={economy}&as_of={day}",
    "ranking_miss": "/ranking/?as_of={day}",
    "summary_miss": "/api/v1/summary?economy={economy}&as_of={day}",
}
MISS_FIRST_DAY = "2010-01-01"
LOAD_SCRIPT = ROOT / "scripts" / "load.lua"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env() -> dict[str, str]:
    var = ROOT / "var" / "bench" / "serve"
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aeo_bench"),
        "AEO_VAR_DIR": str(var),
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    exists = subprocess.run(
        ["psql", admin, "-Atc", f"select 1 from pg_database where datname = '{name}'"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not exists:
        subprocess.run(["psql", admin, "-qc", f'create database "{name}"'], check=True)


def prepare(env: dict[str, str]) -> None:
    ensure_database(env["DATABASE_URL"])
    for args in (["collectstatic", "--noinput", "-v0"], ["migrate", "--noinput", "-v0"], ["load_reference"]):
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    gunicorn = str(Path(PY).with_name("gunicorn"))
    command = [gunicorn, "aeo_registry.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    command += ["--no-control-socket", "--graceful-timeout", "5", "--log-level", "warning"]
    log = (ROOT / "var" / "bench" / "gunicorn.log").open("ab")
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("gunicorn did not answer within 30 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def to_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    value, unit = match.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk(url: str, seconds: int, connections: int = 16, script: list[str] | None = None) -> dict[str, Any]:
    """One wrk run; `script`: scripts/load.lua's arguments (after `--`), for URLs drawn per request."""
    lua = ["-s", str(LOAD_SCRIPT), url, "--", *script] if script else [url]
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *lua],
        capture_output=True, text=True, check=True, timeout=seconds + 30,
    ).stdout  # fmt: skip
    if "Requests/sec" not in out or not re.search(r"^\s*99%\s+\S+", out, re.M):
        raise RuntimeError(f"wrk printed no figures for {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = to_ms(re.search(r"^\s*50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = to_ms(re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def ranked_economies(base: str, day: str) -> list[str]:
    """Every economy ranked on `day` by partner countries or by partner economies."""
    codes: set[str] = set()
    for by in ("countries", "economies"):
        with urllib.request.urlopen(f"{base}/api/v1/ranking?as_of={day}&by={by}", timeout=30) as response:
            codes.update(row["economy"] for row in json.load(response)["results"])
    return sorted(codes)


def browser_figures(base: str) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
    args += [
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
    ]
    url = f"{base}/?{CHINA}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=args)
        context = browser.new_context()
        page = context.new_page()
        session = context.new_cdp_session(page)
        session.send("Network.enable")
        transferred: list[float] = []
        session.on("Network.loadingFinished", lambda event: transferred.append(event["encodedDataLength"]))
        page.goto(url, wait_until="networkidle")
        page.wait_for_selector("#map[data-drawn=true]", timeout=30_000)
        cold = sum(transferred)
        transferred.clear()
        page.goto(url, wait_until="networkidle")
        page.wait_for_selector("#map[data-drawn=true]", timeout=30_000)
        warm = sum(transferred)
        drawn = []
        for _ in range(5):
            page.goto(url)
            page.wait_for_selector("#map[data-drawn=true]", timeout=30_000)
            drawn.append(float(page.get_attribute("#map", "data-drawn-ms") or "nan"))
        browser.close()
    return {
        "page_weight_cold_kb": round(cold / 1024, 1),
        "page_weight_warm_kb": round(warm / 1024, 1),
        "map_drawn_ms": statistics.median(drawn),
    }


def run(*, quick: bool) -> dict[str, Any]:
    """Serve, measure and stop; raises if wrk is missing or any response was not a 200."""
    seconds = 2 if quick else 10
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is required: apt-get install -y wrk")
    env = server_env()
    prepare(env)
    port = free_port()
    server = start_server(env, port)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, Any] = {"seconds_per_run": seconds, "connections": 16, "runs": []}
    try:
        warm = [*URLS.values(), *(u.format(economy="CHN", day="2021-08-31") for u in MISS_URLS.values())]
        for path in warm:  # warm every worker's page cache, imports and counting index
            for _ in range(4):
                urllib.request.urlopen(base + path, timeout=30).read()
        # a, b, a, c, a, d, a: each page against the trivial runs just before and after it.
        order = ["trivial"]
        for name in URLS:
            if name == "trivial":
                continue
            order += [name, "trivial"]
        # Then the miss path, in the same way: a, e, a, f, a, g, a, h, a.
        for name in MISS_URLS:
            order += [name, "trivial"]
        today = dt.date.today().isoformat()
        codes = ranked_economies(base, today)
        codes_file = ROOT / "var" / "bench" / "ranked-economies.txt"
        codes_file.write_text("".join(f"{code}\n" for code in codes))
        seed = os.environ.get("BENCH_SEED", "1")
        results["miss"] = {
            "economies": len(codes),
            "first_day": MISS_FIRST_DAY,
            "last_day": today,
            "seed": seed,
        }
        runs = []
        for current in order:
            if current in MISS_URLS:
                script = ["page", str(codes_file), seed, MISS_FIRST_DAY, today, MISS_URLS[current]]
                run = {"view": current, **wrk(base, seconds, script=script)}
            else:
                run = {"view": current, **wrk(base + URLS[current], seconds)}
            runs.append(run)
            rate, p50, p99 = run["rps"], run["p50_ms"], run["p99_ms"]
            print(f"  {current:13} {rate:9.1f} req/s  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms", flush=True)
        results["runs"] = runs
        for position, run in enumerate(runs):
            if run["view"] != "trivial":
                around = statistics.mean([runs[position - 1]["rps"], runs[position + 1]["rps"]])
                results[f"ratio_{run['view']}"] = round(run["rps"] / around, 3)
        results["trivial_rps"] = round(statistics.mean(r["rps"] for r in runs if r["view"] == "trivial"), 1)
        results["errors"] = sum(r["non_2xx"] for r in runs)
        if results["errors"]:
            raise RuntimeError(f"{results['errors']} responses were not 2xx or 3xx")
        results |= browser_figures(base)
    finally:
        stop_server(server)
    return results


def main() -> int:
    results = run(quick=os.environ.get("BENCH_QUICK") == "1")
    out = ROOT / "var" / "bench" / "throughput.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps({k: v for k, v in results.items() if k != "runs"}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
