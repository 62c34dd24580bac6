"""Hostile input: random and malicious query strings and path segments on every public URL.

Two properties, on every page, API endpoint and ``/healthz``: the answer is never a 5xx, and input
carrying markup (``<script>``, a broken-out attribute) never comes back verbatim in an HTML page.
The public URLs are read from ``agreements/urls.py``, so a new page is covered without editing
this file. A fixed battery runs on every URL; hypothesis then explores random combinations.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote, unquote_plus, urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agreements import urls as agreement_urls

pytestmark = pytest.mark.django_db

# A valid value for each detail page's path parameter (the reference data has these records).
VALID_PATH_VALUES = {
    "arrangement-detail": "CHN-EUU-2014",
    "economy-detail": "CHN",
    "territory-detail": "FRA",
    "bloc-detail": "RCEP",
}


def public_routes() -> list[tuple[str, str | None]]:
    """(route name, path parameter name or None) for every URL of agreements/urls.py: the pages
    and the unprefixed API routes. The REST API (an included resolver) is exercised against its
    own OpenAPI schema by schemathesis in tests/test_api_schema.py."""
    routes: list[tuple[str, str | None]] = []
    for pattern in [*agreement_urls.urlpatterns, *agreement_urls.unprefixed_urlpatterns]:
        if not isinstance(pattern, URLPattern):
            continue
        assert pattern.name
        converters = list(pattern.pattern.converters)
        routes.append((pattern.name, converters[0] if converters else None))
    return routes


ROUTES = public_routes()


def url_for(name: str, parameter: str | None, segment: str | None = None) -> str:
    """The route's path; a detail route gets ``segment`` (percent-encoded) or a valid value."""
    if parameter is None:
        return reverse(name)
    placeholder = "PLACEHOLDER"
    path = reverse(name, kwargs={parameter: placeholder})
    value = VALID_PATH_VALUES.get(name, "X") if segment is None else segment
    return path.replace(placeholder, quote(value, safe=""))


EVERY_PATH = [url_for(name, parameter) for name, parameter in ROUTES] + ["/healthz"]

# Query parameters that the views read, and a few they do not.
PARAMETERS = [
    "as_of", "basis", "evidence", "economy", "by", "bloc", "party", "territory", "status",
    "signed_after", "signed_before", "in_force_on", "q", "ordering", "page", "format", "download",
    "csrfmiddlewaretoken", "__proto__", "", "as_of[]",
]  # fmt: skip

# Markup that must never come back unescaped. None of these strings occurs in a page by itself.
MARKERS = [
    "<script>alert(1)</script>",
    '"><script>alert(2)</script>',
    "'><img src=x onerror=alert(3)>",
    "</title><svg onload=alert(4)>",
    '" autofocus onfocus="alert(5)',
    "</textarea><iframe src=javascript:alert(6)>",
]

HOSTILE_VALUES = [
    *MARKERS,
    "' OR '1'='1",
    "1; DROP TABLE agreements_economy; --",
    "CHN' UNION SELECT password FROM auth_user --",
    "../../../../etc/passwd",
    "..%2F..%2Fsettings.py",
    "%00",
    "\x00",
    "\r\nSet-Cookie: pwned=1",
    "9999-99-99",
    "2021-02-30",
    "0000-00-00",
    "-0001-01-01",
    "99999-01-01",
    "2021-08-31T00:00:00Z",
    "-1",
    "0",
    "1e309",
    "NaN",
    "9" * 5000,
    "null",
    "[]",
    "{}",
    "true",
    "CHN,USA,JPN",
    " CHN ",
    "chn",
    "ÇHN",
    "中国",
    "\u202eNHC",
    "\ud7ff\ufffd",
    "\U0001d54f" * 50,  # mathematical double-struck X, outside the BMP
    "A" * 20_000,
    "%",
    "%zz",
    "%ff%fe",
    "&",
    "=",
    "+",
]


def query_string(pairs: Iterable[tuple[str, str]], *, raw: bool) -> str:
    """Encode as a browser would (``raw=False``), or leave markup characters and ``%`` unencoded."""
    if not raw:
        return urlencode(list(pairs))
    keep = "<>'\"%;/?:@!$()*,[]{}=&+ "
    return "&".join(f"{quote(k, safe=keep)}={quote(v, safe=keep)}" for k, v in pairs)


def received_values(query: str) -> list[str]:
    """What the server decodes from the query string (roughly; enough to look for markers)."""
    values = [query, unquote_plus(query)]
    values += [unquote_plus(part) for part in query.replace("=", "&").split("&")]
    return values


def assert_safe_response(client: Client, path: str, query: str) -> None:
    # QUERY_STRING is passed as is: the test client would otherwise re-encode it.
    response = client.generic("GET", path, QUERY_STRING=query) if query else client.get(path)
    assert response.status_code < 500, (path, query[:300], response.status_code)
    if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
        body = response.content.decode("utf-8", errors="replace")
        sent = " ".join(received_values(query))
        for marker in MARKERS:
            if marker in sent:
                assert marker not in body, (path, query[:300], marker)


# The fixed battery: every URL, every hostile value in every parameter.


def battery() -> list[tuple[str, str]]:
    cases: list[tuple[str, str]] = []
    for value in HOSTILE_VALUES:
        cases.append(
            (f"all params = {value[:30]!r}", query_string([(p, value) for p in PARAMETERS], raw=False))
        )
    for marker in MARKERS:
        cases.append((f"raw {marker[:20]!r}", query_string([(p, marker) for p in PARAMETERS], raw=True)))
    cases.append(("repeated", "&".join(f"economy={code}" for code in ("CHN", "<b>", "USA", "", "X" * 50))))
    cases.append(("raw invalid utf-8", "as_of=%ff%fe&economy=%c0%af&q=%e2%28%a1&page=%"))
    cases.append(("no value", "as_of&economy&basis&&&="))
    return cases


@pytest.mark.parametrize("path", EVERY_PATH)
def test_every_url_survives_the_hostile_battery(client: Client, path: str) -> None:
    for _, query in battery():
        assert_safe_response(client, path, query)


@pytest.mark.parametrize("name,parameter", [(n, p) for n, p in ROUTES if p is not None])
def test_detail_pages_survive_hostile_path_segments(client: Client, name: str, parameter: str) -> None:
    for value in [*HOSTILE_VALUES, "..", ".", "CHN/../../admin", "CHN%2F..", "CHN;x=1", "CHN\\x"]:
        assert_safe_response(client, url_for(name, parameter, value), "")


# Hypothesis: random combinations of names, values, encodings and URLs.

names = st.sampled_from(PARAMETERS) | st.text(max_size=12)
values = (
    st.sampled_from(HOSTILE_VALUES)
    | st.text(max_size=200)
    | st.integers().map(str)
    | st.dates().map(lambda d: d.isoformat())
    | st.builds(
        lambda a, m, b: a + m + b, st.text(max_size=10), st.sampled_from(MARKERS), st.text(max_size=10)
    )
)
routes = st.sampled_from([*ROUTES, ("healthz", None)])


@settings(
    max_examples=200,
    deadline=None,  # some pages run the counting engine: tens of ms, hundreds on a busy machine
    database=None,  # no .hypothesis/ folder in the work tree
    # ``client`` and ``db`` are function-scoped and shared by the examples of one test: safe here,
    # since the requests only read (anonymous GETs write nothing) and the client keeps no state
    # that changes an answer.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=routes,
    segment=st.none() | st.sampled_from(HOSTILE_VALUES) | st.text(min_size=1, max_size=40),
    pairs=st.lists(st.tuples(names, values), max_size=8),
    raw=st.booleans(),
)
def test_random_hostile_query_strings_never_cause_a_server_error_or_reflect_markup(
    client: Client,
    route: tuple[str, str | None],
    segment: str | None,
    pairs: list[tuple[str, str]],
    raw: bool,
) -> None:
    name, parameter = route
    path = "/healthz" if name == "healthz" else url_for(name, parameter, segment)
    assert_safe_response(client, path, query_string(pairs, raw=raw))


def test_the_routes_are_read_from_agreements_urls() -> None:
    names = {name for name, _ in ROUTES}
    assert {"home", "api-summary", "economy-detail", "bloc-detail", "how-we-count"} <= names
    assert all(name in VALID_PATH_VALUES for name, parameter in ROUTES if parameter is not None)
