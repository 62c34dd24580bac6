"""Pages are cached under the data version: fast when nothing changed, never stale after an edit."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from hypothesis import example, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from agreements.models import Arrangement, ArrangementParty, EconomyMembership
from ops import caching

pytestmark = pytest.mark.django_db

CHINA_2021 = "/api/v1/summary?economy=CHN&as_of=2021-08-31"


def queries(client: Client, url: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.content


@pytest.mark.parametrize("url", ["/?economy=CHN&as_of=2021-08-31", CHINA_2021, "/arrangements/?party=CHN"])
def test_a_repeated_request_costs_one_query(client: Client, url: str) -> None:
    first, body = queries(client, url)
    again, cached = queries(client, url)
    assert first > 1
    assert again == 1  # the data version
    assert cached == body


def test_an_edit_through_the_orm_is_visible_at_once(client: Client) -> None:
    assert client.get(CHINA_2021).json()["partner_economies"] == 20
    arrangement = Arrangement.objects.get(key="CHN-GBR-2021")
    arrangement.signed_date = dt.date(2021, 9, 1)
    arrangement.save()
    assert client.get(CHINA_2021).json()["partner_economies"] == 19


def test_a_changed_membership_is_visible_at_once(client: Client) -> None:
    assert client.get(CHINA_2021).json()["partner_countries"] == 46
    EconomyMembership.objects.get(economy_id="EUU", territory_id="FRA").delete()
    assert client.get(CHINA_2021).json()["partner_countries"] == 45


def test_a_removed_party_is_visible_at_once(client: Client) -> None:
    html = client.get("/partners/?economy=CHN&as_of=2021-08-31&bloc=RCEP").content.decode()
    assert 'data-territory="NZL"' in html
    ArrangementParty.objects.get(arrangement__key="CHN-NZL-2017", economy_id="NZL").delete()
    html = client.get("/partners/?economy=CHN&as_of=2021-08-31&bloc=RCEP").content.decode()
    assert 'data-territory="NZL"' not in html


def test_errors_are_not_cached(client: Client) -> None:
    assert client.get("/api/v1/summary?economy=XYZ").status_code == 400
    with CaptureQueriesContext(connection) as context:
        assert client.get("/api/v1/summary?economy=XYZ").status_code == 400
    count = len(context.captured_queries)
    assert count > 1


def test_different_query_strings_are_different_pages(client: Client) -> None:
    assert client.get("/api/v1/summary?economy=CHN&as_of=2017-03-07").json()["partner_countries"] == 32
    assert client.get(CHINA_2021).json()["partner_countries"] == 46


# Keys: the page's known parameters, encoded so that no two query strings share a key by accident.

REAL = "/?as_of=2021-08-31&basis=in_force&economy=CHN"
# One parameter named `as_of=2021-08-31&basis` (its `=` and `&` percent-encoded) plus `economy`:
# the page reads no such name, so it shows today's figures.
POISON = "/?as_of%3D2021-08-31%26basis=in_force&economy=CHN"


def fresh(client: Client, url: str) -> bytes:
    """The page as rendered from an empty cache."""
    cache.clear()
    response = client.get(url)
    assert response.status_code == 200
    return response.content


def test_a_name_holding_encoded_separators_does_not_poison_the_real_page(client: Client) -> None:
    expected = fresh(client, REAL)
    cache.clear()
    assert client.get(POISON).status_code == 200
    assert client.get(REAL).content == expected


def test_a_name_holding_encoded_separators_does_not_poison_the_api(client: Client) -> None:
    poisoned = client.get("/api/v1/summary" + POISON.removeprefix("/"))
    assert poisoned.json()["as_of"] != "2021-08-31"  # the page read today: `as_of=...&basis` is no parameter
    real = client.get("/api/v1/summary" + REAL.removeprefix("/")).json()
    assert (real["as_of"], real["basis"], real["partner_economies"]) == ("2021-08-31", "in_force", 9)


def test_unknown_parameters_share_the_clean_page_and_its_cache_entry(client: Client) -> None:
    _, body = queries(client, REAL)
    junk, junk_body = queries(client, REAL + "&utm_source=feed&as_of%5B%5D=1&x=%3Cb%3E&%E4%B8%AD=1")
    assert junk == 1  # served from the clean page's entry
    assert junk_body == body


@pytest.mark.parametrize(
    "first,second",
    [
        ("/?economy=CHN&as_of=2021-08-31", "/?economy=USA&as_of=2021-08-31"),
        ("/?economy=CHN&as_of=2021-08-31", "/?economy=CHN&as_of=2021-08-31&basis=in_force"),
        ("/?economy=CHN&as_of=2021-08-31", "/?economy=CHN&as_of=2021-08-31&evidence=confirmed"),
        ("/?economy=CHN&as_of=2021-08-31", "/zh-hans/?economy=CHN&as_of=2021-08-31"),
        ("/partners/?economy=CHN&as_of=2021-08-31", "/partners/?economy=CHN&as_of=2021-08-31&bloc=RCEP"),
        ("/ranking/?as_of=2021-08-31", "/ranking/?as_of=2021-08-31&by=economies"),
        ("/ranking/?as_of=2021-08-31", "/ranking/?as_of=2021-08-31&format=json"),
        ("/arrangements/", "/arrangements/?page=2"),
        ("/arrangements/", "/arrangements/?ordering=-key"),
        ("/arrangements/?party=CHN", "/arrangements/?party=CHN&party=KOR"),
        ("/arrangements/?party=CHN", "/arrangements/?party=CHN&q=Korea"),
        ("/arrangements/CHN-EUU-2014/?as_of=2015-01-01", "/arrangements/CHN-EUU-2014/?as_of=2021-08-31"),
        ("/changes/", "/changes/?page=2"),
        ("/data/", "/data/?download=zip"),
        ("/api/v1/ranking?as_of=2021-08-31", "/api/v1/ranking?as_of=2021-08-31&by=economies"),
    ],
)
def test_every_parameter_a_page_depends_on_stays_in_its_key(client: Client, first: str, second: str) -> None:
    assert client.get(first).status_code == 200
    response = client.get(second)  # with the first page cached
    assert response.status_code == 200
    body = response.getvalue()  # a streamed export read whole
    assert body != fresh(client, first)
    cache.clear()
    assert client.get(second).getvalue() == body


def test_the_host_a_page_was_built_for_is_part_of_its_key(client: Client) -> None:
    # The feed's links are absolute: a port in the Host header (allowed: ALLOWED_HOSTS ignores
    # ports) must not reach the feed that everyone else reads.
    assert b"localhost:6666" in client.get("/changes/feed/", HTTP_HOST="localhost:6666").content
    assert b"localhost:6666" not in client.get("/changes/feed/").content


def test_the_entries_of_one_page_are_bounded(client: Client, settings: Any) -> None:
    settings.AEO_PAGE_CACHE_ENTRIES = 2
    for word in ("a", "b", "c"):
        queries(client, f"/arrangements/?q={word}")
    assert queries(client, "/arrangements/?q=a")[0] == 1
    assert queries(client, "/arrangements/?q=b")[0] == 1
    assert queries(client, "/arrangements/?q=c")[0] > 1  # rendered, not stored: the page is full
    queries(client, "/ranking/?as_of=2021-08-31")
    assert queries(client, "/ranking/?as_of=2021-08-31")[0] == 1  # another page has its own bound


def test_a_full_page_is_admitted_again_once_its_counter_is_gone(client: Client, settings: Any) -> None:
    """The bound lives with the entries: when the cache drops the counter (expired, or culled by a
    full cache), the page is stored, and so compressed, again."""
    settings.AEO_PAGE_CACHE_ENTRIES = 1
    queries(client, "/arrangements/?q=a")
    queries(client, "/arrangements/?q=b")
    assert queries(client, "/arrangements/?q=b")[0] > 1  # past the bound: not stored
    cache.clear()  # the counter went with the entries
    queries(client, "/arrangements/?q=c")
    assert queries(client, "/arrangements/?q=c")[0] == 1


def test_a_page_past_its_bound_is_still_compressed_for_a_client_that_asks(
    client: Client, settings: Any
) -> None:
    import gzip

    settings.AEO_PAGE_CACHE_ENTRIES = 1
    queries(client, "/arrangements/?q=a")  # the one entry
    plain = client.get("/arrangements/?q=b")
    packed = client.get("/arrangements/?q=b", HTTP_ACCEPT_ENCODING="gzip")
    assert queries(client, "/arrangements/?q=b")[0] > 1  # not stored
    assert "Content-Encoding" not in plain and packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert packed["Vary"] == plain["Vary"] and "Accept-Encoding" in packed["Vary"]


@pytest.mark.parametrize("entries", [100, 0])
def test_a_miss_and_a_hit_give_the_same_answer(client: Client, settings: Any, entries: int) -> None:
    """A miss hands back the view's own response (no copy) when it does not compress: its status,
    headers and bytes are those of the hit that follows, stored (bound 100) or not (bound 0)."""
    settings.AEO_PAGE_CACHE_ENTRIES = entries

    def answer(url: str) -> tuple[int, list[tuple[str, str]], bytes]:
        response = client.get(url)
        return response.status_code, sorted(response.headers.items()), response.content

    for url in ["/?economy=KOR&as_of=2019-05-02", "/api/v1/summary?economy=KOR&as_of=2019-05-02"]:
        miss = answer(url)
        assert miss == answer(url)
    vary = dict(answer("/?economy=KOR&as_of=2019-05-03")[1])["Vary"]  # a miss of a page worth compressing
    assert "Accept-Encoding" in vary


# The full download: built once per data version, the same answer on every path to it.

ZIP_PATHS = ["/data/aeo-registry-data.zip", "/data/?download=zip", "/zh-hans/data/?download=zip"]


def zip_answer(client: Client, url: str) -> tuple[bytes, dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    names = ("Content-Type", "Content-Disposition", "X-Data-Version")
    return response.content, {name: response.get(name, "") for name in names}


def test_the_full_download_is_built_once_per_data_version(client: Client) -> None:
    first = zip_answer(client, ZIP_PATHS[0])
    for url in [*ZIP_PATHS, *ZIP_PATHS]:
        with CaptureQueriesContext(connection) as context:
            assert zip_answer(client, url) == first
        assert len(context.captured_queries) <= 1, url  # the data version at most


def test_every_path_to_the_download_gives_the_same_bytes_and_headers(client: Client) -> None:
    for url in ZIP_PATHS:
        cache.clear()
        cold = zip_answer(client, url)
        assert cold[1]["X-Data-Version"]
        assert zip_answer(client, url) == cold, url  # and again from the cache
        assert cold == zip_answer(client, ZIP_PATHS[0])


def test_an_edit_builds_a_new_download(client: Client) -> None:
    before, headers = zip_answer(client, ZIP_PATHS[1])
    arrangement = Arrangement.objects.get(key="CHN-GBR-2021")
    arrangement.notes = "Checked again."
    arrangement.save()
    for url in ZIP_PATHS:
        after, new_headers = zip_answer(client, url)
        assert after != before
        assert new_headers["X-Data-Version"] != headers["X-Data-Version"]


def test_a_cached_page_travels_gzip_compressed_to_a_client_that_accepts_it(client: Client) -> None:
    """Page weight (issue 6): the page is compressed once, and served compressed on the miss that
    stores it as on every hit; a client that does not accept gzip gets plain bytes."""
    import gzip

    url = "/?economy=CHN&as_of=2021-08-31"
    plain = client.get(url, HTTP_ACCEPT_ENCODING="identity")
    first = client.get("/?economy=KOR&as_of=2021-08-31", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    refused = client.get(url, HTTP_ACCEPT_ENCODING="br, gzip;q=0")
    assert first["Content-Encoding"] == "gzip" and b"KOR" in gzip.decompress(first.content)
    assert packed["Content-Encoding"] == "gzip"
    assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content) / 4
    assert gzip.decompress(packed.content) == plain.content
    assert "Content-Encoding" not in plain and "Content-Encoding" not in refused
    assert refused.content == plain.content
    for response in (plain, packed, refused):
        assert "Accept-Encoding" in response["Vary"]


def test_a_page_is_compressed_once_and_only_for_a_client_that_accepts_gzip(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16: a miss for a client that does not accept gzip (a script, a load test) is stored
    without compressing it; the first request that accepts gzip compresses it, once."""
    from ops import caching

    compressed: list[int] = []
    real_gzip = caching._gzip

    def counted(content: bytes) -> bytes:
        compressed.append(len(content))
        return real_gzip(content)

    monkeypatch.setattr(caching, "_gzip", counted)
    url = "/?economy=JPN&as_of=2021-08-31"
    plain = client.get(url, HTTP_ACCEPT_ENCODING="identity")
    assert compressed == [] and "Accept-Encoding" in plain["Vary"]
    for _ in range(3):
        packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert packed["Content-Encoding"] == "gzip"
    assert compressed == [len(plain.content)]
    client.get("/?economy=JPN&as_of=2021-09-01", HTTP_ACCEPT_ENCODING="gzip")
    assert len(compressed) == 2  # a miss for a client that accepts gzip compresses as it stores


def test_small_and_streamed_responses_are_not_compressed(client: Client) -> None:
    assert "Content-Encoding" not in client.get("/ping", HTTP_ACCEPT_ENCODING="gzip")
    csv = client.get("/arrangements/?format=csv", HTTP_ACCEPT_ENCODING="gzip")
    assert csv.status_code == 200 and "Content-Encoding" not in csv


NAMES = frozenset({"economy", "as_of", "basis", "evidence", "party"})
query_parts = st.lists(
    st.tuples(
        st.sampled_from([*NAMES, "other", "as_of%3D1", "a b", ""]),
        st.sampled_from(
            ["", "CHN", "2021-08-31", "in_force", "a+b", "a b", "%41", "é", "x=y", "a&b", "~", "1.5_-"]
        ),
        st.booleans(),  # with "=" or without
    ),
    max_size=6,
)


@examples(max_examples=500, deadline=None)
@given(query_parts)
@example([("party", "CHN", True), ("basis", "", True), ("party", "KOR", True)])  # regrouped by name
def test_a_query_string_s_known_query_is_its_known_parameters_encoded(
    parts: list[tuple[str, str, bool]],
) -> None:
    """A plain query string of known names is its own known query, unparsed; every other one is
    re-encoded: either way the answer is the known parameters of the parsed query, encoded."""
    query = "&".join(f"{name}={value}" if equals else name for name, value, equals in parts)
    request = RequestFactory().get("/", QUERY_STRING=query)
    request.META["QUERY_STRING"] = query
    expected = urlencode(
        [(name, value) for name, values in QueryDict(query).lists() if name in NAMES for value in values]
    )
    assert caching.known_query(request, NAMES) == expected
