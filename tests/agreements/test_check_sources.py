"""`manage.py check_sources` (issue 14, item 4) against HTTP servers of the test's own on 127.0.0.1:
the test run never reaches the network."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from agreements import versioning
from agreements.models import Arrangement, LinkCheck, Source, SourceDocument

pytestmark = pytest.mark.django_db


class Pages(BaseHTTPRequestHandler):
    def _answer(self, body: bool) -> None:
        if self.path == "/ok":
            self.send_response(200)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif self.path == "/no-head" and self.command == "HEAD":
            self.send_response(405)
        elif self.path == "/no-head":
            self.send_response(200)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "2" if body else "0")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def do_HEAD(self) -> None:  # the name http.server calls
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_each_cited_url_gets_its_status_recorded_and_shown(site: str, client: Client) -> None:
    arrangement = Arrangement.objects.get(key="CHN-KOR-2013")
    for position, path in enumerate(("/ok", "/gone", "/moved", "/no-head"), start=50):
        Source.objects.create(arrangement=arrangement, position=position, url=f"{site}{path}")
    SourceDocument.objects.create(url=f"{site}/document", title="A document nobody cites")
    version = versioning.current_version()
    out = StringIO()
    call_command("check_sources", "--match", site, "--probe", f"{site}/ok", "--timeout", "5", stdout=out)
    found = dict(LinkCheck.objects.filter(url__startswith=site).values_list("url", "http_status"))
    assert found == {
        f"{site}/ok": 200,
        f"{site}/gone": 404,
        f"{site}/moved": 200,  # after the redirect
        f"{site}/no-head": 200,  # GET where HEAD is refused
        f"{site}/document": 404,
    }
    assert "Checked 5 URL(s): 3 answer, 2 do not." in out.getvalue()
    assert f"404 {site}/gone" in out.getvalue()
    assert versioning.current_version() == version  # a check is not a data change
    # The arrangement's page says which link did not answer (a new page: the cache key is new).
    html = client.get("/arrangements/CHN-KOR-2013/?as_of=2020-01-01").content.decode()
    assert html.count("did not answer when checked on") == 1


def test_without_network_it_says_so_and_records_nothing(site: str) -> None:
    SourceDocument.objects.create(url=f"{site}/ok")
    with pytest.raises(CommandError, match=r"No network: .* did not answer .*Nothing was checked") as raised:
        call_command("check_sources", "--match", site, "--probe", f"http://127.0.0.1:{closed_port()}/")
    assert raised.value.returncode == 2
    assert not LinkCheck.objects.filter(url__startswith=site).exists()


def test_an_unanswered_url_is_recorded_with_the_reason(site: str) -> None:
    dead = f"http://127.0.0.1:{closed_port()}/gone"
    SourceDocument.objects.create(url=dead)
    call_command(
        "check_sources", "--match", dead, "--probe", f"{site}/ok", "--timeout", "2", stdout=StringIO()
    )
    check = LinkCheck.objects.get(url=dead)
    assert check.http_status is None and check.note.startswith("no answer:") and not check.works


def test_the_quality_figures_count_cited_links_that_did_not_answer(site: str, client: Client) -> None:
    assert client.get("/api/v1/quality").json()["links_not_answering"] is None  # never checked
    arrangement = Arrangement.objects.get(key="CHN-KOR-2013")
    Source.objects.create(arrangement=arrangement, position=60, url=f"{site}/gone")
    Source.objects.create(arrangement=arrangement, position=61, url=f"{site}/ok")
    call_command("check_sources", "--match", site, "--probe", f"{site}/ok", stdout=StringIO())
    versioning.bump()  # the sources added above are data; the checks are not
    assert client.get("/api/v1/quality").json()["links_not_answering"] == 1
    assert (
        'data-testid="links-not-answering">1 cited link did not answer'
        in client.get("/data/quality/").content.decode()
    )
