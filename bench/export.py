"""Streams the arrangements CSV export of N synthetic arrangements through the real view.

Shows that memory stays flat as the export grows: the view iterates the filtered queryset in
chunks (`.iterator(chunk_size=...)` with its prefetches) and yields encoded CSV chunk by chunk.
Measured at N/10 and N rows on a throwaway test database (SQLite in memory by default,
PostgreSQL when DATABASE_URL is set): seconds, bytes, the Python heap's peak during the export
(tracemalloc, with --heap) and the process's resident memory during the export (sampled from
/proc at every chunk) beside its lifetime peak (getrusage). Not a test: prints a table and writes
var/bench/export.json.

    python -m bench.export            # 100,000 rows
    python -m bench.export --rows 20000 --heap
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aeo_registry.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from agreements import versioning  # noqa: E402
from agreements.choices import DatePrecision, Evidence, Status  # noqa: E402
from agreements.models import Arrangement, ArrangementParty, Economy, Source  # noqa: E402
from agreements.reference import load_reference  # noqa: E402

BATCH = 5000
URL = "/arrangements/?format=csv"


def rss_bytes() -> int:
    """Current resident set size (Linux /proc; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def max_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def add_arrangements(count: int, start: int) -> None:
    """`count` bilateral arrangements with one source each, inserted in batches (bulk, no signals)."""
    codes = list(Economy.objects.order_by("code").values_list("code", flat=True))
    for offset in range(0, count, BATCH):
        numbers = range(start + offset, start + min(offset + BATCH, count))
        batch = [
            Arrangement(
                key=f"BENCH-{n:07d}",
                title=f"Benchmark arrangement {n}",
                signed_date=dt.date(2000, 1, 1) + dt.timedelta(days=n % 9000),
                signed_precision=DatePrecision.DAY,
                status=Status.SIGNED,
                evidence=Evidence.values[n % 3],
                notes="Synthetic row for the export benchmark; a note of ordinary length, with a comma.",
            )
            for n in numbers
        ]
        Arrangement.objects.bulk_create(batch)
        ids = dict(Arrangement.objects.filter(key__in=[a.key for a in batch]).values_list("key", "id"))
        ArrangementParty.objects.bulk_create(
            ArrangementParty(arrangement_id=ids[a.key], economy_id=code)
            for i, a in enumerate(batch)
            for code in (codes[i % len(codes)], codes[(i + 7) % len(codes)])
        )
        Source.objects.bulk_create(
            Source(arrangement_id=ids[a.key], url=f"https://example.org/{a.key}") for a in batch
        )
    versioning.bump()


def stream(client: Client, *, heap: bool) -> dict[str, Any]:
    """One export, timed; with `heap`, traced by tracemalloc (about 2-3 times slower)."""
    if heap:
        tracemalloc.start()
        tracemalloc.reset_peak()
    rss_before = rss_bytes()
    rss_peak = rss_before
    started = time.perf_counter()
    response = client.get(URL)
    assert response.status_code == 200 and response.streaming, response.status_code
    size = lines = 0
    for chunk in response.streaming_content:  # type: ignore[attr-defined]
        size += len(chunk)
        lines += chunk.count(b"\r\n")
        rss_peak = max(rss_peak, rss_bytes())
    response.close()
    seconds = time.perf_counter() - started
    result: dict[str, Any] = {
        "rows": lines - 1,
        "seconds": round(seconds, 2),
        "megabytes": round(size / 2**20, 1),
        "rss_growth_mb": round((rss_peak - rss_before) / 2**20, 1),
        "max_rss_mb": round(max_rss_bytes() / 2**20, 1),
    }
    if heap:
        result["heap_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="synthetic arrangements (default 100000)")
    parser.add_argument("--heap", action="store_true", help="also trace the Python heap's peak (slower)")
    args = parser.parse_args()
    setup_test_environment()  # DEBUG off: no query log growing with the export
    from django.db import connection

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    results = []
    try:
        load_reference(Path(settings.BASE_DIR) / "data")
        client = Client(HTTP_HOST="localhost")
        reference = Arrangement.objects.count()
        done = 0
        for target in sorted({max(args.rows // 10, 1), args.rows}):
            add_arrangements(target - done, done)
            done = target
            result = {"synthetic": target, **stream(client, heap=False)}
            if args.heap:
                result["heap_peak_mb"] = stream(client, heap=True)["heap_peak_mb"]
            assert result["rows"] == target + reference, result
            results.append(result)
            heap = f"  heap peak {result['heap_peak_mb']:6.1f} MB" if args.heap else ""
            print(
                f"{result['rows']:>8} rows  {result['seconds']:7.2f} s  {result['megabytes']:7.1f} MB CSV  "
                f"RSS growth {result['rss_growth_mb']:6.1f} MB  max RSS {result['max_rss_mb']:7.1f} MB{heap}",
                flush=True,
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    report = {"database": connection.vendor, "url": URL, "python": sys.version.split()[0], "runs": results}
    out = Path(settings.BASE_DIR) / "var" / "bench" / "export.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
