"""`make bench`: every benchmark of issue 6 in one run, a table, and var/bench/results.json.

1. Throughput (`bench.throughput`): gunicorn, 2 workers, production settings, PostgreSQL; wrk on
   loopback, the trivial view interleaved with the dashboard, /arrangements/, /api/v1/summary,
   /why/ and /why/between/ (cached), then with the dashboard, /partners/, /ranking/ and
   /api/v1/summary on a random day and economy per request (the cache-miss path, issue 16);
   then headless Chromium: compressed bytes of a cold and a warm dashboard load, time to the map.
2. Export (`bench.export`): the arrangements CSV of 1,000,000 synthetic rows: seconds, peak RSS.
3. Growth (`bench.pages`): queries and server time per page at 1x, 10x and 100x the data.
4. Import (`bench.imports`): the admin's preview and confirm of an 80,000-row CSV (issue 11).

`BENCH_QUICK=1` runs a shorter version in under a minute: 2 s wrk runs, 5 requests per page and
size, and 100,000 CSV rows, reported as such (the 1,000,000-row keys are null).
The database is DATABASE_URL's server (the Makefile points it at the local PostgreSQL); each part
works in a database of its own and leaves the others alone.

    python -m bench
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench" / "results.json"
CSV_ROWS = 1_000_000
QUICK_CSV_ROWS = 100_000

# The targets of issue 6: (key, comparison, bound).
TARGETS: list[tuple[str, str, float]] = [
    ("ratio_dashboard", ">=", 0.5),
    ("ratio_summary", ">=", 0.7),
    # Issue 13: the cached "Why the number moved" pages serve like the dashboard.
    ("ratio_why", ">=", 0.5),
    ("ratio_why_between", ">=", 0.5),
    # Issue 13: the compare page, the ranking with its charts and the bloc page with its matrix.
    ("ratio_compare", ">=", 0.5),
    ("ratio_ranking", ">=", 0.5),
    ("ratio_bloc", ">=", 0.5),
    # Issue 16: the cache-miss path (random day and economy per request) against the same trivial view.
    ("ratio_dashboard_miss", ">=", 0.20),
    ("ratio_partners_miss", ">=", 0.25),
    ("ratio_ranking_miss", ">=", 0.25),
    ("ratio_summary_miss", ">=", 0.70),
    ("dashboard_ms_x100", "<=", 50.0),
    ("csv_1m_seconds", "<=", 10.0),
    ("csv_1m_peak_rss_mb", "<=", 150.0),
    ("page_weight_cold_kb", "<=", 700.0),
    ("page_weight_warm_kb", "<=", 60.0),
    ("map_drawn_ms", "<=", 1000.0),
    # Issue 11: the admin's import of an 80,000-row file.
    ("import_preview_seconds", "<=", 10.0),
    ("import_confirm_seconds", "<=", 10.0),
    # Issue 15: the Excel workbook of 100,000 arrangements, peak memory of the exporting process.
    ("xlsx_100k_peak_rss_mb", "<=", 150.0),
    # Issue 16: every page at 100x the data, page cache off (the slowest is named in the table).
    ("slowest_page_ms_x100", "<=", 30.0),
]


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        total_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory_gb = round(total_kb / 2**20, 1)
    except (OSError, ValueError, IndexError):
        pass
    postgres = ""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        postgres = subprocess.run(
            ["psql", os.environ.get("DATABASE_URL", ""), "-Atc", "show server_version"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gb": memory_gb,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "postgresql": postgres,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def check_targets(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    checked = {}
    for key, comparison, bound in TARGETS:
        value = results.get(key)
        met = None if value is None else (value >= bound if comparison == ">=" else value <= bound)
        checked[key] = {"value": value, "target": f"{comparison} {bound:g}", "met": met}
    return checked


def table(results: dict[str, Any]) -> str:
    lines = ["", f"{'figure':26} {'value':>12}  target", "-" * 52]
    for key, check in results["targets"].items():
        value = check["value"]
        shown = (
            "—"
            if value is None
            else f"{value:,.3f}"
            if isinstance(value, float) and value < 10
            else f"{value:,}"
        )
        mark = {True: "met", False: "NOT MET", None: "not measured in a quick run"}[check["met"]]
        lines.append(f"{key:26} {shown:>12}  {check['target']:9} {mark}")
    lines.append(f"{'queries_constant':26} {results['queries_constant']!s:>12}  True      "
                 + ("met" if results["queries_constant"] else "NOT MET"))  # fmt: skip
    csv = results["csv"]
    lines.append(f"CSV export: {csv['rows']:,} rows in {csv['seconds']} s, peak RSS {csv['peak_rss_mb']} MB")
    xlsx = results["xlsx"]
    lines.append(
        f"Excel export: {xlsx['rows']:,} rows in {xlsx['seconds']} s, peak RSS {xlsx['peak_rss_mb']} MB"
    )
    lines.append("")
    lines.append(f"server ms per page (page cache off), {results['pages_database']}; slowest at x100: "
                 f"{results['slowest_page_x100']}")  # fmt: skip
    sizes = list(next(iter(results["server_ms"].values())))
    lines.append(f"  {'page':26}" + "".join(f"{size:>10}" for size in sizes))
    for page, by_size in results["server_ms"].items():
        over = "  over 30 ms at x100" if by_size.get("x100", 0) > 30 else ""
        lines.append(f"  {page:26}" + "".join(f"{by_size[size]:>10.1f}" for size in sizes) + over)
    return "\n".join(lines)


def main() -> int:
    quick = os.environ.get("BENCH_QUICK") == "1"
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print(
            "make bench measures on PostgreSQL: set DATABASE_URL (the Makefile sets a local one).",
            file=sys.stderr,
        )
        return 2
    started = time.monotonic()
    results: dict[str, Any] = {
        "quick": quick,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
    }

    print("1/4 throughput and browser", flush=True)
    from bench import throughput

    served = throughput.run(quick=quick)
    for key in (
        "ratio_dashboard",
        "ratio_arrangements",
        "ratio_summary",
        "ratio_why",
        "ratio_why_between",
        "ratio_compare",
        "ratio_ranking",
        "ratio_bloc",
        "trivial_rps",
    ):
        results[key] = served[key]
    for key in ("ratio_dashboard_miss", "ratio_partners_miss", "ratio_ranking_miss", "ratio_summary_miss"):
        results[key] = served[key]
    results["miss"] = served["miss"]
    for key in ("page_weight_cold_kb", "page_weight_warm_kb", "map_drawn_ms"):
        results[key] = served[key]
    results["throughput_runs"] = served["runs"]

    print("2/4 CSV export", flush=True)
    from bench import export

    exported = export.run(QUICK_CSV_ROWS if quick else CSV_ROWS)
    # A quick run's 100,000 rows are reported as such: a tenth of the rows takes more than a tenth
    # of the time (the query's start-up is the same), so scaling them up would overstate the time.
    full = not quick
    results["csv_1m_seconds"] = exported["seconds"] if full else None
    results["csv_1m_peak_rss_mb"] = exported["peak_rss_mb"] if full else None
    results["csv"] = exported
    workbook = export.run(QUICK_CSV_ROWS, "xlsx")
    results["xlsx_100k_peak_rss_mb"] = workbook["peak_rss_mb"]
    results["xlsx"] = workbook

    print("3/4 growth: queries and server time per page", flush=True)
    from bench import pages

    grown = pages.run(quick=quick)
    results["queries_constant"] = grown["queries_constant"]
    results["server_ms"] = {
        name: {size: page[size]["server_ms"] for size in page if size.startswith("x")}
        for name, page in grown["pages"].items()
    }
    results["queries"] = {
        name: {size: page[size]["queries"] for size in page if size.startswith("x")}
        for name, page in grown["pages"].items()
    }
    results["dashboard_ms_x100"] = results["server_ms"]["dashboard"]["x100"]
    slowest = max(results["server_ms"], key=lambda name: results["server_ms"][name]["x100"])
    results["slowest_page_x100"] = slowest
    results["slowest_page_ms_x100"] = results["server_ms"][slowest]["x100"]
    results["first_request_ms"] = grown["first_request_ms"]
    results["sizes"] = grown["sizes"]
    results["pages_database"] = grown["database"]
    results["requests_per_page"] = grown["repeats"]

    print("4/4 import of an 80,000-row file", flush=True)
    from bench import imports

    imported = imports.run()
    results["import_preview_seconds"] = imported["preview_seconds"]
    results["import_confirm_seconds"] = imported["confirm_seconds"]
    results["import"] = imported

    results["targets"] = check_targets(results)
    results["seconds"] = round(time.monotonic() - started, 1)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(table(results))
    print(f"\n{'quick run, ' if quick else ''}{results['seconds']} s; written {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
