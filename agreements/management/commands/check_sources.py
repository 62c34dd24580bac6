"""`manage.py check_sources`: ask every source URL whether it still answers, and record the answer.

Each distinct URL that the registry cites (arrangement sources, source documents, claims) gets one
request: HEAD, or GET where a server refuses HEAD; redirects are followed. The answer, the HTTP
status or why there was none, is stored as a `LinkCheck` (not registry data: the data version does
not move), and shown beside the source on the arrangement's page and on /data/quality/ when the
page did not answer.

Run it where the web can be reached. It first asks one well-known page (`--probe`); if that fails
there is no network, and it says so and stops, recording nothing (exit status 2). It is never
part of the test run's network: the tests point it at servers of their own on 127.0.0.1.

    python manage.py check_sources                       # every URL
    python manage.py check_sources --match customs.gov   # only URLs containing the text
"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from agreements.models import Claim, LinkCheck, Source, SourceDocument

DEFAULT_PROBE = "https://www.wcoomd.org/"
USER_AGENT = "AEO-Registry-check_sources/1.0 (link check of cited sources)"
# Servers that refuse HEAD answer one of these; GET is tried instead.
RETRY_WITH_GET = {400, 403, 405, 501}


def cited_urls() -> list[str]:
    urls = set(Source.objects.exclude(url="").values_list("url", flat=True))
    urls |= set(SourceDocument.objects.values_list("url", flat=True))
    urls |= set(Claim.objects.exclude(source_url="").values_list("source_url", flat=True))
    return sorted(urls)


def ask(url: str, timeout: float) -> tuple[int | None, str]:
    """(HTTP status, note): the status of the final answer after redirects, or None and why not."""
    status: int | None = None
    note = ""
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # http(s) only
                status, note = int(response.status), ""
                if method == "GET":
                    response.read(1024)
        except urllib.error.HTTPError as error:
            status, note = int(error.code), str(error.reason)[:300]
        except (urllib.error.URLError, TimeoutError, ConnectionError, ValueError) as error:
            reason = getattr(error, "reason", error)
            status, note = None, f"no answer: {reason}"[:300]
        if status not in RETRY_WITH_GET:
            break
    return status, note


class Command(BaseCommand):
    help = "Check that every cited source URL still answers, and record the HTTP status of each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--match", default="", help="Only URLs that contain this text.")
        parser.add_argument("--timeout", type=float, default=15.0, help="Seconds to wait for each answer.")
        parser.add_argument(
            "--probe",
            default=DEFAULT_PROBE,
            help=f"A page that answers wherever there is network (default {DEFAULT_PROBE}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        urls = [url for url in cited_urls() if options["match"] in url]
        if not urls:
            self.stdout.write("No source URL to check.")
            return
        if not url_scheme_ok(options["probe"]):
            raise CommandError(f"--probe must be an http or https URL, not {options['probe']!r}")
        probe_status, probe_note = ask(options["probe"], options["timeout"])
        if probe_status is None:
            raise CommandError(
                f"No network: {options['probe']} did not answer ({probe_note}). Nothing was checked "
                "and nothing recorded; run check_sources where the web can be reached.",
                returncode=2,
            )
        failed = 0
        for url in urls:
            status, note = (
                ask(url, options["timeout"]) if url_scheme_ok(url) else (None, "not an http(s) URL")
            )
            LinkCheck.objects.update_or_create(
                url=url, defaults={"http_status": status, "note": note, "checked_at": timezone.now()}
            )
            works = status is not None and 200 <= status < 400
            failed += not works
            if not works:
                self.stdout.write(f"{status or '---'} {url} {note}".rstrip())
        self.stdout.write(f"Checked {len(urls)} URL(s): {len(urls) - failed} answer, {failed} do not.")


def url_scheme_ok(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))
