"""The admin's bulk import of an 80,000-row file: seconds to preview and to confirm (issue 11).

A bloc-membership file of 80,000 rows (about 5 MB: every ISO territory, monthly periods, a note on
each row) is uploaded to the admin's "Import CSV" as a signed-in superuser would, through the test
client and the whole request stack (session storage of the upload included), then confirmed.
Runs against a throwaway test database with the reference data: PostgreSQL when DATABASE_URL is
set (what `make bench` does). The target: each step under 10 s.

    python -m bench.imports          # prints the figures, writes var/bench/imports.json
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import re
import time
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aeo_registry.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402

from agreements.models import Bloc, BlocMembership, Territory  # noqa: E402
from agreements.reference import COLUMNS, load_reference  # noqa: E402

ROWS = 80_000
BLOC = "BENCHIMP"
OUT = Path(settings.BASE_DIR) / "var" / "bench" / "imports.json"


def import_file(rows: int = ROWS) -> bytes:
    """`rows` non-overlapping memberships of BLOC: one month each, territory after territory."""
    territories = sorted(Territory.objects.values_list("iso3", flat=True))
    per_territory = -(-rows // len(territories))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS["bloc_members.csv"])
    written = 0
    for iso3 in territories:
        for month in range(per_territory):
            if written == rows:
                break
            start = dt.date(1995 + month // 12, 1 + month % 12, 1)
            end = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
            note = f"bench row {written}"
            writer.writerow([BLOC, iso3, start.isoformat(), end.isoformat(), note])
            written += 1
    return buffer.getvalue().encode("utf-8")


def measure(client: Client, content: bytes) -> dict[str, Any]:
    url = "/" + settings.ADMIN_PATH + "agreements/blocmembership/import/"
    started = time.perf_counter()
    upload = SimpleUploadedFile("bloc_members.csv", content, content_type="text/csv")
    preview = client.post(url, {"file": upload})
    preview_seconds = time.perf_counter() - started
    assert preview.status_code == 200, preview.status_code
    body = preview.content.decode()
    assert "no error" in body, re.findall(r"errornote.*|<td><strong>error.*|<ul class=\"errorlist.*", body)[
        :10
    ]
    digest = preview.context["confirm_form"].initial["digest"]
    started = time.perf_counter()
    confirmed = client.post(url, {"digest": digest})
    confirm_seconds = time.perf_counter() - started
    assert confirmed.status_code == 302, confirmed.status_code
    return {"preview_seconds": round(preview_seconds, 2), "confirm_seconds": round(confirm_seconds, 2)}


def run(rows: int = ROWS) -> dict[str, Any]:
    with contextlib.suppress(RuntimeError):  # already set up by an earlier step of `make bench`
        setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with override_settings(AEO_PAGE_CACHE_SECONDS=0):
            load_reference(Path(settings.AEO_REFERENCE_DIR))
            Bloc.objects.create(code=BLOC, name="Import benchmark")
            content = import_file(rows)
            user = get_user_model().objects.create_superuser("bench", "bench@example.invalid", "x")
            client = Client(HTTP_HOST="localhost")
            client.force_login(user)
            figures = measure(client, content)
            assert BlocMembership.objects.filter(bloc_id=BLOC).count() == rows
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return {"rows": rows, "bytes": len(content), "database": connection.vendor, **figures}


if __name__ == "__main__":
    result = run()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
