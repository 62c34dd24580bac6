"""Embeds (issue 15, item 3): a chart framed by a page on another origin is drawn there; the
dashboard itself still refuses to be framed."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import PageGuard


@contextlib.contextmanager
def newsroom(iframe_src: str) -> Iterator[str]:
    """A page on another origin (a second HTTP server on this machine) that frames `iframe_src`."""
    body = (
        '<!doctype html><html lang="en"><title>Newsroom</title>'
        f'<iframe src="{iframe_src}" width="900" height="600" title="chart"></iframe></html>'
    ).encode()

    class Story(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Story)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/story"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("path", "figure"),
    [
        ("/embed/map/?economy=CHN&as_of=2021-08-31", "shapes"),
        ("/zh-hans/embed/race/?economy=CHN&as_of=2021-08-31&measure=economies", ""),
        ("/embed/ranking/?as_of=2021-08-31", ""),
        ("/embed/blocs/RCEP/", "shapes"),
    ],
)
def test_an_embed_framed_by_another_site_draws_its_chart(
    site: str, page: Page, path: str, figure: str
) -> None:
    with newsroom(f"{site}{path}") as story:
        page.goto(story)
        draws(page, site, figure)


def draws(page: Page, site: str, figure: str) -> None:
    frame = page.frame_locator("iframe")
    chart = frame.locator("#chart[data-drawn=true]")
    chart.wait_for(timeout=20_000)
    if figure == "shapes":
        assert int(chart.get_attribute("data-shapes-drawn") or 0) > 0
    source = frame.locator(".embed-source a")
    assert (source.get_attribute("href") or "").startswith(site)
    assert frame.locator("nav").count() == 0  # the chart, its title and the source line only


def test_the_dashboard_still_refuses_to_be_framed(site: str, page: Page, page_guard: PageGuard) -> None:
    with newsroom(f"{site}/?economy=CHN&as_of=2021-08-31") as story:
        page.goto(story)
        page.wait_for_timeout(1_000)
    (child,) = [frame for frame in page.frames if frame is not page.main_frame]
    assert not child.url.startswith(site) or child.locator("#main").count() == 0
    assert any("frame" in entry.lower() for entry in page_guard.csp_violations + page_guard.console_errors)
    page_guard.clear()  # the refusal itself is what this test expects


def test_the_dashboard_offers_an_embed_snippet_for_each_chart(site: str, page: Page) -> None:
    page.goto(f"{site}/?economy=CHN&as_of=2021-08-31")
    snippets = page.locator("details.embed-snippet")
    assert snippets.count() == 3
    snippets.first.locator("summary").click()
    code = page.locator("#embed-map").text_content() or ""
    assert code.startswith('<iframe src="') and "/embed/map/?" in code and "as_of=2021-08-31" in code
