"""Hostile input: random and malicious query strings and path segments on every public URL.

Properties, on every page, API endpoint and ``/healthz``: the answer is never a 5xx, and input
carrying markup (``<script>``, a broken-out attribute) never comes back verbatim in an HTML page.
Parameter names are as hostile as values (``=``, ``&``, ``%``, unicode, thousands of characters).
Unknown parameters never change a page, and no request can poison the page cache: after any
request, a clean URL shows what it shows from an empty cache (``ops.caching``).
The public URLs are read from ``dashboard/urls.py`` and ``api/urls.py`` (the counting
endpoints), so a new page is covered without editing this file. A fixed battery runs on every URL; hypothesis then explores random combinations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, unquote_plus, urlencode

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import NoReverseMatch, URLPattern, reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from api import urls as api_urls
from dashboard import urls as agreement_urls

pytestmark = pytest.mark.django_db

# A valid value for each detail page's path parameter (the reference data has these records).
VALID_PATH_VALUES = {
    "arrangement-detail": "CHN-EUU-2014",
    "economy-detail": "CHN",
    "territory-detail": "FRA",
    "bloc-detail": "RCEP",
    "embed-bloc": "RCEP",
    "correction-detail": "1",  # none is accepted in the reference data: a 404
}


# The pages, the unprefixed routes and the plain API (its counting endpoints, cached like pages).
PUBLIC_PATTERNS = [
    *agreement_urls.urlpatterns,
    *agreement_urls.unprefixed_urlpatterns,
    *api_urls.counting_urlpatterns,
]


def public_routes() -> list[tuple[str, str | None]]:
    """(route name, path parameter name or None) for every URL of dashboard/urls.py (the pages,
    the unprefixed routes) and the counting endpoints of api/urls.py. The REST API's records are
    exercised against its own OpenAPI schema by schemathesis in tests/api/test_api_schema.py."""
    routes: list[tuple[str, str | None]] = []
    for pattern in PUBLIC_PATTERNS:
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
    try:
        path = reverse(name, kwargs={parameter: placeholder})
    except NoReverseMatch:  # a number (`<int:...>`)
        placeholder = "4242424242"
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

# Pieces of hostile parameter names: separators raw and percent-encoded (once and twice), markup,
# unicode that is wide, reversed or outside the BMP.
NAME_PIECES = [
    "=", "&", "%", "%3D", "%26", "%253D", "%2526", "+", ";", "#", "?", "[]", "[0]", ".", " ",
    "\x00", "\r\n", "中国", "\u202e", "\U0001d54f", "\ufeff", "<b>", "%zz", "%ff",
]  # fmt: skip
names = (
    st.sampled_from(PARAMETERS)
    | st.text(max_size=12)
    | st.lists(
        st.sampled_from(PARAMETERS) | st.sampled_from(NAME_PIECES) | st.text(max_size=6), max_size=6
    ).map("".join)
    | st.builds(
        lambda piece, n: piece * n, st.sampled_from(["n", "as_of", "%3D", "中"]), st.integers(500, 4000)
    )
)
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


# Unknown parameters and the page cache.


# The parameters each route reads: what its page cache declares (ops.caching). The routes
# outside the page cache read none, but for /data/'s `download`.
KNOWN = {
    name: frozenset(getattr(pattern.callback, "page_parameters", ()))
    | ({"download"} if name == "data-download" else frozenset())
    for pattern in PUBLIC_PATTERNS
    if isinstance(pattern, URLPattern) and (name := pattern.name)
}
KNOWN["healthz"] = frozenset()

# Junk that a page must ignore: names the pages do not read, some made to look like them.
JUNK = [
    ("as_of=2021-08-31&basis", "in_force"),
    ("economy=USA", "x"),
    ("page[]", "2"),
    ("format ", "csv"),
    ("utm_source", "feed"),
    ("中国", "<b>x</b>"),
    ("n" * 3000, "1"),
]


CSRF_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken") value="[^"]*"')


def body(client: Client, path: str, query: str = "") -> bytes:
    """The answer's bytes (a streamed export read whole), after checking it is no server error."""
    response = client.generic("GET", path, QUERY_STRING=query) if query else client.get(path)
    assert response.status_code < 500, (path, query[:300])
    # The correction form's CSRF token is masked afresh on every render (a page never cached).
    return CSRF_TOKEN.sub(b"\\1", response.getvalue())  # a streamed export read whole


NAMED_PATHS = [(name, url_for(name, parameter)) for name, parameter in ROUTES] + [("healthz", "/healthz")]


@pytest.mark.parametrize("name,path", NAMED_PATHS)
def test_unknown_parameters_do_not_change_any_page(client: Client, name: str, path: str) -> None:
    assert not {junk for junk, _ in JUNK} & KNOWN[name]
    with override_settings(AEO_PAGE_CACHE_SECONDS=0):  # the views themselves, not the cache
        assert body(client, path, urlencode(JUNK)) == body(client, path)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(route=st.sampled_from(NAMED_PATHS), pairs=st.lists(st.tuples(names, values), min_size=1, max_size=4))
def test_random_unknown_parameters_do_not_change_any_page(
    client: Client, route: tuple[str, str], pairs: list[tuple[str, str]]
) -> None:
    name, path = route
    unknown = [(key, value) for key, value in pairs if key not in KNOWN[name]]
    with override_settings(AEO_PAGE_CACHE_SECONDS=0):
        assert body(client, path, urlencode(unknown)) == body(client, path)


# Clean URLs that read several parameters, whose figures a poisoned cache entry would change.
CLEAN = [
    ("/", [("as_of", "2021-08-31"), ("basis", "in_force"), ("economy", "CHN")]),
    ("/api/v1/summary", [("as_of", "2021-08-31"), ("basis", "in_force"), ("economy", "CHN")]),
    ("/partners/", [("as_of", "2019-06-30"), ("bloc", "RCEP"), ("economy", "KOR")]),
    ("/arrangements/", [("ordering", "-key"), ("page", "2"), ("party", "CHN")]),
]
# A separator encoded once fuses its neighbours into one name (`as_of%3D2021-08-31%26basis`);
# encoded twice it stays text.
FUSING = {"=": ["%3D", "%3D", "%253D"], "&": ["%26", "%26", "%2526"]}
ISSUE_11 = "as_of%3D2021-08-31%26basis=in_force&economy=CHN"  # the request of the issue


@st.composite
def poisonings(draw: st.DrawFn) -> tuple[str, str, str]:
    """A clean URL, and a query string made from it: neighbouring parameters fused into one name
    by encoding the separators between them, maybe reordered, maybe with junk."""
    path, pairs = draw(st.sampled_from(CLEAN))
    clean = urlencode(pairs)
    ordered = draw(st.permutations(pairs)) if draw(st.booleans()) else pairs
    # Whether each pair fuses with the one before it: inside a fused group every separator is
    # encoded but the group's last `=`, so the group reads as one parameter with a value.
    fused = [False] + [draw(st.booleans()) for _ in ordered[1:]] + [False]
    parts: list[str] = []
    for index, (name, value) in enumerate(ordered):
        if index:
            parts.append(draw(st.sampled_from(FUSING["&"])) if fused[index] else "&")
        parts += [name, draw(st.sampled_from(FUSING["="])) if fused[index + 1] else "=", value]
    query = "".join(parts)
    if draw(st.booleans()):
        extra = query_string(
            draw(st.lists(st.tuples(names, values), min_size=1, max_size=3)), raw=draw(st.booleans())
        )
        query = draw(st.sampled_from([f"{extra}&{query}", f"{query}&{extra}"]))
    return path, clean, query


@pytest.fixture
def baselines() -> dict[tuple[str, str], bytes]:
    """Each clean URL's answer from an empty cache, filled by the first example that needs it."""
    return {}


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=poisonings())
@example(case=("/", urlencode(CLEAN[0][1]), ISSUE_11))
@example(case=("/api/v1/summary", urlencode(CLEAN[1][1]), ISSUE_11))
def test_no_request_changes_what_a_clean_url_shows(
    client: Client, baselines: dict[tuple[str, str], bytes], case: tuple[str, str, str]
) -> None:
    path, clean, poison = case
    if (path, clean) not in baselines:
        cache.clear()
        baselines[path, clean] = body(client, path, clean)
    cache.clear()
    body(client, path, poison)  # stored, under its own key or none
    assert body(client, path, clean) == baselines[path, clean], poison[:300]


def test_the_poisoning_of_issue_11_leaves_the_in_force_figures_of_2021_08_31(client: Client) -> None:
    client.generic("GET", "/", QUERY_STRING="as_of%3D2021-08-31%26basis=in_force&economy=CHN")
    html = client.get("/?as_of=2021-08-31&basis=in_force&economy=CHN").content.decode()
    api = client.get("/api/v1/summary?as_of=2021-08-31&basis=in_force&economy=CHN").json()
    assert api["partner_economies"] == 9
    assert f'data-testid="partner-economies">{api["partner_economies"]}<' in html
    assert f'data-testid="partner-countries">{api["partner_countries"]}<' in html
    assert 'value="2021-08-31"' in html
