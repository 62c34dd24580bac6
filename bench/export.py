"""Streams the arrangements CSV export of N synthetic arrangements through the real view.

Issue 6's target: 1,000,000 rows in at most 10 s, with the exporting process's peak resident memory
at most 150 MB, on PostgreSQL (the production store).

How it measures:

1. A throwaway test database of its own (`test_bench_export_<pid>` on PostgreSQL when DATABASE_URL
   is set; else a temporary SQLite file, since a second process must open it), migrated, with the
   reference dataset loaded; destroyed at the end, whatever happens. `run()` does all this in a
   new interpreter (`python -m bench.export --json`), so it works from any process, Django set up
   or not, a test database in use or not, and leaves that process's settings alone.
2. N synthetic arrangements added by set-based SQL, not model instances: one `INSERT ... SELECT`
   each for arrangements, parties (two per arrangement) and sources (one, and a second on one row
   in ten), numbered by `generate_series` on PostgreSQL and a recursive CTE on SQLite; then VACUUM
   ANALYZE on PostgreSQL (as autovacuum would) and, as a superuser, a CHECKPOINT (so that writing
   out the generated rows does not fall in the timed export); ANALYZE on SQLite.
   One row in a hundred has a note that a spreadsheet would run as a formula. A million rows take
   about 20-25 s on PostgreSQL (a superuser skips the foreign-key triggers; twice that otherwise)
   and 10 s on SQLite.
3. The export runs in a fresh child process (`python -m bench.export --child <database>`): Django
   set up, then `/arrangements/?format=csv` through the test client (middleware, view, streaming
   response), every chunk read and counted. Seconds are the child's wall time for that request
   (sent to last byte read), and peak RSS is the child's lifetime peak as the kernel reports it at its
   exit (`os.wait4`): Django's own footprint included, the data generation (another process) not.

    python -m bench.export                # 100,000 rows
    python -m bench.export --rows 1000000
    python -m bench.export --format xlsx  # the Excel workbook of 100,000 rows (issue 15: <= 150 MB)

Writes var/bench/export.json and prints one line. From another module: `run(rows) -> dict` with
rows, synthetic, seconds, peak_rss_mb, megabytes, generate_seconds and database.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import django
from django.apps import apps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aeo_registry.settings")
if not apps.ready:
    django.setup()

from django.conf import settings
from django.db import connection

from agreements import versioning
from agreements.choices import DatePrecision, Evidence, Status
from agreements.models import Arrangement, ArrangementParty, Economy, Source
from agreements.reference import load_reference

URL = "/arrangements/?format=csv"
URLS = {"csv": URL, "xlsx": "/arrangements/?format=xlsx"}
MAX_ROWS = 9_999_999  # keys are BENCH-<7 digits>
OUT = Path(settings.BASE_DIR) / "var" / "bench" / "export.json"


def _table(model: type[Any]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model: type[Any], field: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field).column)


def _generate(count: int) -> None:
    """`count` arrangements numbered 1..count, with their parties and sources, in a few statements."""
    arrangement, party, source = _table(Arrangement), _table(ArrangementParty), _table(Source)
    if connection.vendor == "postgresql":
        numbers = f"SELECT n FROM generate_series(1, {count}) AS g(n)"
        key = "'BENCH-' || lpad(n::text, 7, '0')"
        signed = "DATE '2000-01-01' + n % 9000"
        effective = "DATE '2000-01-01' + n % 9000 + 90"
    else:
        numbers = f"SELECT 1 UNION ALL SELECT n + 1 FROM numbers WHERE n < {count}"
        key = "printf('BENCH-%07d', n)"
        signed = "date('2000-01-01', '+' || (n % 9000) || ' days')"
        effective = "date('2000-01-01', '+' || (n % 9000 + 90) || ' days')"
    day, signed_status, in_force = DatePrecision.DAY.value, Status.SIGNED.value, Status.IN_FORCE.value
    levels = " ".join(f"WHEN {i} THEN '{level}'" for i, level in enumerate(Evidence.values))
    note = "Synthetic row for the export benchmark; a note of ordinary length, with a comma."
    formula = '=HYPERLINK("https://example.org") looks like a formula'  # no single quote: inlined
    columns = ", ".join(
        _column(Arrangement, name)
        for name in (
            "key", "title", "signed_date", "signed_precision", "effective_date", "effective_precision",
            "ended_date", "ended_precision", "status", "evidence", "notes",
        )
    )  # fmt: skip
    number = f"CAST(substr(a.{_column(Arrangement, 'key')}, 7) AS INTEGER)"
    a_id, a_key = f"a.{_column(Arrangement, 'id')}", f"a.{_column(Arrangement, 'key')}"
    bench_rows = f"{a_key} LIKE 'BENCH-%'"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit = off")  # this session only: a throwaway database
            # A superuser can skip the foreign-key triggers (about half the time); the rows are
            # valid by construction. Others pay for the checks.
            cursor.execute("SELECT current_setting('is_superuser')")
            superuser = cursor.fetchone()[0] == "on"
            if superuser:
                cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            f"WITH RECURSIVE numbers(n) AS ({numbers}) "
            f"INSERT INTO {arrangement} ({columns}) "
            f"SELECT {key}, 'Benchmark arrangement ' || n, {signed}, '{day}', "
            f"CASE WHEN n % 2 = 0 THEN {effective} END, CASE WHEN n % 2 = 0 THEN '{day}' ELSE '' END, "
            f"NULL, '', CASE WHEN n % 2 = 0 THEN '{in_force}' ELSE '{signed_status}' END, "
            f"CASE n % 3 {levels} END, "
            f"CASE WHEN n % 100 = 0 THEN '{formula}' ELSE '{note}' END "
            "FROM numbers"
        )
        # Two distinct parties each, by number: economies (i) and (i + 7) modulo their count.
        cursor.execute("CREATE TEMPORARY TABLE bench_codes (i INTEGER PRIMARY KEY, code VARCHAR(3))")
        codes = list(Economy.objects.order_by("code").values_list("code", flat=True))
        cursor.executemany("INSERT INTO bench_codes (i, code) VALUES (%s, %s)", list(enumerate(codes)))
        for offset in (0, 7):
            # A party's own in-force facts are empty: it takes the arrangement's date.
            cursor.execute(
                f"INSERT INTO {party} ({_column(ArrangementParty, 'arrangement')}, "
                f"{_column(ArrangementParty, 'economy')}, "
                f"{_column(ArrangementParty, 'effective_precision')}, "
                f"{_column(ArrangementParty, 'effective_unknown')}, "
                f"{_column(ArrangementParty, 'source')}, {_column(ArrangementParty, 'note')}) "
                f"SELECT {a_id}, c.code, '', FALSE, '', '' FROM {arrangement} a "
                f"JOIN bench_codes c ON c.i = ({number} + {offset}) % {len(codes)} WHERE {bench_rows}"
            )
        cursor.execute("DROP TABLE bench_codes")
        url, citation = _column(Source, "url"), _column(Source, "citation")
        cursor.execute(
            f"INSERT INTO {source} ({_column(Source, 'arrangement')}, {_column(Source, 'position')}, "
            f"{url}, {citation}) "
            f"SELECT {a_id}, 0, 'https://example.org/' || {a_key}, '' FROM {arrangement} a "
            f"WHERE {bench_rows} "
            f"UNION ALL SELECT {a_id}, 1, '', 'Benchmark citation, ' || {a_key} FROM {arrangement} a "
            f"WHERE {bench_rows} AND {number} % 10 = 0"
        )
        if connection.vendor == "postgresql":
            # As autovacuum would leave them: statistics, and a visibility map for index-only scans.
            for table in (arrangement, party, source):
                cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute("RESET synchronous_commit")
            if superuser:
                cursor.execute("RESET session_replication_role")
                # Write out the generated pages now, not in a checkpoint during the timed export.
                cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")
    versioning.bump()  # raw SQL bypasses the receivers


def _child(database: str, fmt: str = "csv", keep: str = "") -> dict[str, Any]:
    """The export, in this (fresh) process, against `database`; the bytes go to `keep` if given."""
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # DEBUG off: no query log; 'testserver' allowed
    settings.DATABASES["default"]["NAME"] = database
    connection.settings_dict["NAME"] = database
    client = Client(HTTP_HOST="localhost")
    started = time.perf_counter()
    response = client.get(URLS[fmt])
    assert response.status_code == 200 and response.streaming, response.status_code
    size = lines = 0
    kept = open(keep, "wb") if keep else None  # noqa: SIM115 - closed below
    for chunk in response.streaming_content:  # type: ignore[attr-defined]
        size += len(chunk)
        lines += chunk.count(b"\r\n")
        if kept:
            kept.write(chunk)
    if kept:
        kept.close()
    response.close()
    seconds = time.perf_counter() - started
    return {"rows": lines - 1, "seconds": seconds, "bytes": size}


def _export_in_child(database: str, fmt: str = "csv", keep: str = "") -> dict[str, Any]:
    """Runs `_child` in a new interpreter; its result and its peak RSS (from the kernel, at exit)."""
    command = [sys.executable, "-m", "bench.export", "--child", database, "--format", fmt]
    if keep:
        command += ["--keep", keep]
    process = subprocess.Popen(command, cwd=settings.BASE_DIR, stdout=subprocess.PIPE)
    assert process.stdout is not None
    output = process.stdout.read()
    process.stdout.close()
    # wait4, not wait: the rusage of this child only (RUSAGE_CHILDREN would be the largest child
    # this process ever had).
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"export child failed with exit code {process.returncode}")
    result: dict[str, Any] = json.loads(output.decode().strip().splitlines()[-1])
    peak = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    result["peak_rss_mb"] = peak / 2**20
    return result


def run(rows: int, fmt: str = "csv") -> dict[str, Any]:
    """Generate `rows` synthetic arrangements in a throwaway database and time their CSV export.

    In a new interpreter (`python -m bench.export --json`): this process's settings, connections
    and databases (a test database in use, an in-memory SQLite one that cannot be closed) are left
    alone.
    """
    if not 0 < rows <= MAX_ROWS:
        raise ValueError(f"rows must be between 1 and {MAX_ROWS}")
    command = [sys.executable, "-m", "bench.export", "--rows", str(rows), "--format", fmt, "--json"]
    output = subprocess.run(command, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, check=True).stdout
    result: dict[str, Any] = json.loads(output.decode().strip().splitlines()[-1])
    return result


def _workbook_rows(path: str) -> int:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)) - 1
    finally:
        book.close()


def _measure(rows: int, fmt: str = "csv") -> dict[str, Any]:
    """`run()`, in this process: its default database must be free to point elsewhere."""
    test_settings = connection.settings_dict.setdefault("TEST", {})
    saved_test_name = test_settings.get("NAME")
    workdir = None
    if connection.vendor == "sqlite":
        workdir = tempfile.mkdtemp(prefix="bench-export-")
        test_settings["NAME"] = str(Path(workdir) / "export.sqlite3")
    else:
        test_settings["NAME"] = f"test_bench_export_{os.getpid()}"
    old_name = connection.settings_dict["NAME"]
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        load_reference(Path(settings.BASE_DIR) / "data")
        reference = Arrangement.objects.count()
        started = time.perf_counter()
        _generate(rows)
        generate_seconds = time.perf_counter() - started
        database = str(connection.settings_dict["NAME"])
        connection.close()  # the child reads a database nobody else uses
        if fmt == "xlsx":
            with tempfile.NamedTemporaryFile(suffix=".xlsx") as kept:
                export = _export_in_child(database, fmt, kept.name)
                export["rows"] = _workbook_rows(kept.name)
        else:
            export = _export_in_child(database)
    finally:
        if connection.settings_dict["NAME"] != old_name:  # created, even if half-way: drop it
            connection.creation.destroy_test_db(old_name, verbosity=0)
        if saved_test_name is None:
            test_settings.pop("NAME", None)
        else:
            test_settings["NAME"] = saved_test_name
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    if export["rows"] != rows + reference:
        raise AssertionError(f"{export['rows']} rows exported, {rows + reference} expected")
    return {
        "database": connection.vendor,
        "format": fmt,
        "rows": export["rows"],
        "synthetic": rows,
        "seconds": round(export["seconds"], 2),
        "peak_rss_mb": round(export["peak_rss_mb"], 1),
        "megabytes": round(export["bytes"] / 2**20, 1),
        "generate_seconds": round(generate_seconds, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="synthetic arrangements (default 100000)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON (for run())")
    parser.add_argument("--format", choices=sorted(URLS), default="csv", help="csv (default) or xlsx")
    parser.add_argument("--child", metavar="DATABASE", help=argparse.SUPPRESS)
    parser.add_argument("--keep", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.format, args.keep or "")), flush=True)
        return 0
    if not 0 < args.rows <= MAX_ROWS:
        parser.error(f"--rows must be between 1 and {MAX_ROWS}")
    result = _measure(args.rows, args.format)
    report = {**result, "url": URLS[args.format], "python": sys.version.split()[0]}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2))
    if args.json:
        print(json.dumps(result), flush=True)
        return 0
    print(
        f"{result['database']}: {result['rows']} rows ({result['synthetic']} synthetic) in "
        f"{result['seconds']:.2f} s, peak RSS {result['peak_rss_mb']:.1f} MB, "
        f"{result['megabytes']:.1f} MB of {args.format.upper()} "
        f"(generated in {result['generate_seconds']:.1f} s); "
        f"written {OUT}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
