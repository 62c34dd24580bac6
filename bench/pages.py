"""Server time and queries per page, at the reference data and at larger synthetic sizes.

Runs in-process (Django's test client) against a throwaway test database created for the run:
SQLite in memory by default, PostgreSQL when DATABASE_URL is set. Prints a table and writes
var/bench/pages.json. BENCH_QUICK=1 measures fewer requests and skips the 100x size.

    python -m bench.pages
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aeo_registry.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core import signals  # noqa: E402
from django.db import close_old_connections, connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from agreements.reference import load_reference  # noqa: E402
from agreements.synthetic import add_synthetic  # noqa: E402

CHINA = "economy=CHN&as_of=2021-08-31&basis=signed&evidence=inferred"
PAGES = {
    "dashboard": f"/?{CHINA}",
    "partners (RCEP)": f"/partners/?{CHINA}&bloc=RCEP",
    "arrangements": "/arrangements/",
    "arrangements ?party=CHN": "/arrangements/?party=CHN",
    "arrangement detail": "/arrangements/CHN-EUU-2014/",
    "economies": "/economies/",
    "economy detail": "/economies/CHN/",
    "territories": "/territories/",
    "territory detail": "/territories/FRA/",
    "blocs": "/blocs/",
    "bloc detail": "/blocs/BRI_COOP/",
    "ranking": "/ranking/?as_of=2021-08-31",
    "claims": "/claims/",
    "how we count": "/how-we-count/",
    "api summary": f"/api/v1/summary?{CHINA}",
    "api ranking": "/api/v1/ranking?as_of=2021-08-31",
    "api claims": "/api/v1/claims",
}


def measure(client: Client, url: str, repeats: int) -> tuple[float, int]:
    reset_queries()  # the log is a bounded deque: once full, counting by its length reads 0
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), len(queries.captured_queries)


def main() -> int:
    quick = os.environ.get("BENCH_QUICK") == "1"
    repeats = int(os.environ.get("BENCH_REPEATS", "20" if quick else "200"))
    scales = [1, 10] if quick else [1, 10, 100]
    setup_test_environment()
    # As in Django's tests: keep one connection for the run, so every query is counted.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        load_reference(Path(settings.BASE_DIR) / "data")
        client = Client(HTTP_HOST="localhost")
        results: dict[str, dict[str, Any]] = {}
        current = 1
        for scale in scales:
            if scale > current:
                add_synthetic(scale=scale, seed=scale)  # adds (scale - 1)x the reference size
                current = scale
            for name, url in PAGES.items():
                ms, queries = measure(client, url, max(5, repeats // scale) if scale == 100 else repeats)
                results.setdefault(name, {"url": url})[f"x{scale}"] = {
                    "server_ms": round(ms, 2),
                    "queries": queries,
                }
                print(f"{name:26} x{scale:<4} {ms:8.2f} ms {queries:4d} queries", flush=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    constant = all(
        len({v["queries"] for k, v in r.items() if k.startswith("x")}) == 1 for r in results.values()
    )
    report = {
        "database": connection.vendor,
        "repeats": repeats,
        "queries_constant": constant,
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "pages": results,
    }
    out = Path(settings.BASE_DIR) / "var" / "bench" / "pages.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"queries constant with data size: {constant}; written {out}")
    return 0 if constant else 1


if __name__ == "__main__":
    raise SystemExit(main())
