"""Server time and queries per page, at the reference data and at 10x and 100x synthetic data.

Runs in-process (Django's test client, production settings: DEBUG off) against a throwaway test
database created for the run: PostgreSQL when DATABASE_URL is set (what `make bench` does),
SQLite in memory otherwise. The whole-page cache is off, so every request renders its page: the
figures are the cost of computing a page, not of serving a cached one.

For each size: the number of SQL queries of one request, and the median server time of repeated
requests (200 each; `BENCH_QUICK=1`: 5). The counting index that the counting pages share is
built once per data version (`agreements.selectors.fact_index`); the time of the dashboard's
first request after the data changed, which builds it, is reported as `first_request_ms`.

    python -m bench.pages            # prints a table, writes var/bench/pages.json
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aeo_registry.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core import signals  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402

from agreements import selectors, versioning  # noqa: E402
from agreements.reference import load_reference  # noqa: E402
from bench.synthetic import add_synthetic  # noqa: E402

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
    "bloc detail (RCEP matrix)": "/blocs/RCEP/?economy=CHN&as_of=2021-08-31",
    "compare": "/compare/?economy=CHN&economy=KOR&economy=EUU&as_of=2021-08-31",
    "data quality": "/data/quality/",
    "ranking": "/ranking/?as_of=2021-08-31",
    "why the number moved": f"/why/?{CHINA}",
    "why: between two dates": f"/why/between/?{CHINA.replace('as_of=', 'from=2020-08-31&to=')}",
    "claims": "/claims/",
    "how we count": "/how-we-count/",
    "api summary": f"/api/v1/summary?{CHINA}",
    "api ranking": "/api/v1/ranking?as_of=2021-08-31",
    "api claims": "/api/v1/claims",
}
SCALES = (1, 10, 100)


def measure(client: Client, url: str, repeats: int) -> tuple[float, int]:
    """(median milliseconds of `repeats` requests, queries of one request)."""
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    versioning.forget()  # count the data-version read too: without it, the count would depend on timing
    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), len(queries)


def first_request(client: Client, url: str) -> float:
    """Milliseconds of a request right after the data changed (the counting index is rebuilt)."""
    selectors.forget_index()
    start = time.perf_counter()
    assert client.get(url).status_code == 200
    return (time.perf_counter() - start) * 1000


def run(*, quick: bool) -> dict[str, Any]:
    repeats = int(os.environ.get("BENCH_REPEATS", "5" if quick else "200"))
    setup_test_environment()
    # As in Django's tests: one connection for the run, so every query is counted.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    pages: dict[str, dict[str, Any]] = {name: {"url": url} for name, url in PAGES.items()}
    first: dict[str, float] = {}
    sizes: dict[str, dict[str, int]] = {}
    try:
        with override_settings(DEBUG=False, AEO_PAGE_CACHE_SECONDS=0):
            load_reference(Path(settings.BASE_DIR) / "data")
            client = Client(HTTP_HOST="localhost")
            for scale in SCALES:
                if scale > 1:
                    add_synthetic(scale=scale, seed=scale)  # grows the data to `scale` x the reference
                sizes[f"x{scale}"] = _size()
                first[f"x{scale}"] = round(first_request(client, PAGES["dashboard"]), 1)
                for name, url in PAGES.items():
                    ms, queries = measure(client, url, repeats)
                    pages[name][f"x{scale}"] = {"server_ms": round(ms, 2), "queries": queries}
                    print(f"  {name:26} x{scale:<4} {ms:8.2f} ms {queries:4d} queries", flush=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    constant = all(len({page[f"x{s}"]["queries"] for s in SCALES}) == 1 for page in pages.values())
    return {
        "database": connection.vendor,
        "repeats": repeats,
        "sizes": sizes,
        "queries_constant": constant,
        "first_request_ms": {"dashboard": first},
        "pages": pages,
    }


def _size() -> dict[str, int]:
    from agreements.models import Arrangement, Economy, Territory

    return {
        "economies": Economy.objects.count(),
        "territories": Territory.objects.count(),
        "arrangements": Arrangement.objects.count(),
    }


def main() -> int:
    report = run(quick=os.environ.get("BENCH_QUICK") == "1")
    out = Path(settings.BASE_DIR) / "var" / "bench" / "pages.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"queries constant with data size: {report['queries_constant']}; written {out}")
    return 0 if report["queries_constant"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
