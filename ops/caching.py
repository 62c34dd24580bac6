"""Whole-response caching keyed by the data version.

A cached page is served only while the data version it was rendered under is current: any change
to any record bumps the version (see `agreements.versioning`), so no page can show a figure from
before an edit. Only complete 200 responses to GET are kept; streamed downloads and error pages
never are.

A page is a function of its key, and of nothing else the visitor sends. The key holds the data
version, the language, today's date (pages default `as_of` to today), the scheme and host (the
feed's links are absolute), the path, whether the visitor is staff, and the page's *known*
parameters: those its form or FilterSet declares, passed to `cached_by_data_version`. The view
sees only these: any other parameter is removed from the request before the view runs, so it
cannot change the page (the language links and `{% querystring %}` repeat the query string), and
it does not enter the key. The known parameters are encoded unambiguously (names and values
percent-encoded): `as_of%3D2021-08-31%26basis=in_force` is one unknown parameter,
never `as_of` and `basis`. The order of the parameters is kept, since the page's links repeat
it: two orders are two entries. Values are keyed as sent, not cleaned: a page redisplays the text that
was submitted (`economy=chn` selects no option), so two spellings are two pages.

A stored page is also kept gzip-compressed, compressed once, and a client that accepts gzip gets
those bytes (`Content-Encoding: gzip`, `Vary: Accept-Encoding`): a page of 70 KB travels as about
11 KB, at no cost per request. The page is compressed when it is stored if the client that asked
accepts gzip, otherwise on the first request that does: a miss for a client that does not (a
script, a load test) does not pay for bytes it will not use. Cached pages hold no secret (no CSRF token,
no session data), so compression leaks nothing a BREACH-style attack could extract.

Known parameters still take any value (`q`, dates), so the entries stored per page (per path and
data version) are bounded by AEO_PAGE_CACHE_ENTRIES within one cache lifetime; beyond the bound,
pages are rendered and not stored.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import gzip
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from typing import Any, cast
from urllib.parse import urlencode

import django_filters
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.urls import get_resolver, get_urlconf
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from agreements import versioning
from agreements.bounded import keep
from agreements.dates import today
from agreements.forms import plain_query
from agreements.versioning import current_version

View = Callable[..., HttpResponseBase]
# What declares a page's query parameters: a form or FilterSet class (its fields), or one name
# that the view reads itself (`format`, `page`).
ParameterSource = type[forms.Form] | type[django_filters.FilterSet] | str


def _widget_names(name: str, widget: forms.Widget) -> list[str]:
    """The query parameters a field's widget reads: one, or one per part of a multi-widget."""
    if isinstance(widget, django_filters.widgets.SuffixedMultiWidget):
        return [widget.suffixed(name, suffix) for suffix in widget.suffixes]
    if isinstance(widget, forms.MultiWidget):
        suffixes: list[str] = widget.widgets_names  # type: ignore[attr-defined]  # not in django-stubs
        return [f"{name}{suffix}" for suffix in suffixes]
    return [name]


def parameter_names(sources: Iterable[ParameterSource]) -> frozenset[str]:
    names: set[str] = set()
    for source in sources:
        if isinstance(source, str):
            names.add(source)
        elif issubclass(source, forms.Form):
            for name, field in source.base_fields.items():
                names.update(_widget_names(name, field.widget))
        else:
            filterset = cast("type[django_filters.FilterSet]", source)  # django-filter is untyped
            for name, declared in filterset.base_filters.items():
                # A copy: a filter builds its field once, and the FilterSet copies its filters.
                names.update(_widget_names(name, copy.deepcopy(declared).field.widget))
    return frozenset(names)


def known_query(request: HttpRequest, names: frozenset[str]) -> str:
    """The query string of the parameters in `names`, re-encoded: every name and value
    percent-encoded, in the order they came (the page's links repeat the query string as the
    visitor wrote it; repeated `party` values are an ordered list)."""
    # As QueryDict.urlencode() of a copy holding only the known names, without building the copy
    # (a tenth of the summary API's cost on a miss), and kept per query string: a hit then never
    # parses the query string at all (`request.GET`, a tenth of its cost); a miss parses it once,
    # for the view too.
    encoding = request.encoding or settings.DEFAULT_CHARSET
    key = (request.META.get("QUERY_STRING", ""), names, encoding)
    known = _KNOWN_QUERIES.get(key)
    if known is None:
        if _already_known(key[0], names):
            known = key[0]
        else:
            known = urlencode(
                [(name, value) for name, values in request.GET.lists() if name in names for value in values],
                encoding=encoding,
            )
        keep(_KNOWN_QUERIES, key, known, KNOWN_QUERIES_LIMIT)
    return known


def _already_known(query: str, names: frozenset[str]) -> bool:
    """Whether a query string is its own known query (what `known_query` would encode it as): a
    plain one (`plain_query`: nothing that encoding would change, each name once) of known names
    only, as a link or a form of the site's own sends. Then it is neither parsed nor encoded here."""
    given = plain_query(query)
    return given is not None and names.issuperset(given)


# (query string, known names, encoding) -> the known query: per process, bounded.
_KNOWN_QUERIES: dict[tuple[str, frozenset[str], str], str] = {}
KNOWN_QUERIES_LIMIT = 4096


@contextlib.contextmanager
def known_parameters_only(request: HttpRequest, names: frozenset[str]) -> Iterator[str]:
    """While the view runs, the request carries its known parameters only."""
    query = known_query(request, names)
    if query == request.META.get("QUERY_STRING"):
        yield query  # already only known parameters, encoded as they would be: nothing to remove
        return
    saved = request.GET, request.META.get("QUERY_STRING")
    request.GET = QueryDict(query, encoding=request.encoding)
    request.META["QUERY_STRING"] = query
    try:
        yield query
    finally:
        request.GET = saved[0]
        if saved[1] is None:
            del request.META["QUERY_STRING"]
        else:
            request.META["QUERY_STRING"] = saved[1]


def page_key(request: HttpRequest, version: str, query: str) -> str:
    parts = [
        get_language() or "",
        today().isoformat(),
        request.scheme,
        request.get_host(),
        request.path,
        query,
        _audience(request),
    ]
    return f"aeo:page:{version}:{_digest(tuple(parts))}"


@functools.lru_cache(maxsize=4096)
def _digest(parts: tuple[str, ...]) -> str:
    # A JSON list, not a joined string: no separator that a path or parameter could contain.
    return hashlib.sha256(json.dumps(list(parts)).encode()).hexdigest()


@functools.lru_cache(maxsize=4096)
def _path_digest(path: str) -> str:
    return hashlib.sha256(json.dumps(path).encode()).hexdigest()


def _audience(request: HttpRequest) -> str:
    """Staff see more than visitors (who made each change, on record pages): a page of their own.

    Users are authenticated by session only: without a session cookie the visitor is anonymous,
    known without loading the user (most requests to a public dashboard)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return ""
    return "staff" if getattr(getattr(request, "user", None), "is_staff", False) else ""


def _admit(request: HttpRequest, version: str, seconds: int) -> bool:
    """Whether one more entry of this page may be stored: a counter per path and data version,
    kept as long as an entry. Hosts, languages of the API and audiences share the path's bound.
    Counting is exact with Redis (INCR); a per-process cache counts per process."""
    counter = f"aeo:page-entries:{version}:{_path_digest(request.path)}"
    try:
        stored = cache.incr(counter)  # one call on every miss but a path's first
    except ValueError:  # no counter yet (or it expired): start one
        cache.add(counter, 0, seconds)
        try:
            stored = cache.incr(counter)
        except ValueError:  # expired between add and incr
            cache.set(counter, 1, seconds)
            stored = 1
    return stored <= settings.AEO_PAGE_CACHE_ENTRIES


# Level 4: 70 KB of HTML in 0.4 ms to 11 KB (level 6: 1.4 ms to 10.5 KB), once per stored page.
GZIP_LEVEL = 4
GZIP_MIN_BYTES = 1024
_COMPRESSIBLE = ("text/", "application/json", "application/xml", "application/atom+xml", "image/svg+xml")
_GZIP = re.compile(r"(?:^|,)\s*gzip\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*(?:,|$)", re.IGNORECASE)


def accepts_gzip(request: HttpRequest) -> bool:
    """Whether the client named gzip in Accept-Encoding with a quality above zero."""
    match = _GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    if match is None:
        return False
    try:
        return match[1] is None or float(match[1]) > 0
    except ValueError:
        return False


def _compressible(response: HttpResponse) -> bool:
    """Whether a page is worth compressing: not small bodies, binary types or encoded ones."""
    kind = response.headers.get("Content-Type", "")
    if len(response.content) < GZIP_MIN_BYTES or not kind.startswith(_COMPRESSIBLE):
        return False
    return "Content-Encoding" not in response.headers


def _gzip(content: bytes) -> bytes:
    return gzip.compress(content, GZIP_LEVEL, mtime=0)


def _respond(
    request: HttpRequest,
    status: int,
    headers: dict[str, str],
    content: bytes,
    packed: bytes | None,
    compressible: bool,
) -> HttpResponse:
    use_gzip = packed is not None and accepts_gzip(request)
    response = HttpResponse(packed if use_gzip else content, status=status)
    for name, value in headers.items():
        response[name] = value
    if compressible:
        patch_vary_headers(response, ("Accept-Encoding",))
    if use_gzip:
        response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(response.content))
    return response


def _serve(view: View, request: HttpRequest, query: str, args: Any, kwargs: Any) -> HttpResponseBase:
    seconds = settings.AEO_PAGE_CACHE_SECONDS
    if request.method not in ("GET", "HEAD") or seconds <= 0:
        return view(request, *args, **kwargs)
    version = current_version()
    key = page_key(request, version, query)
    hit = cache.get(key)
    if hit is not None:
        # Entries stored by earlier versions: without a compressed copy (3 items), or with one
        # made when stored and no flag (4 items).
        status, headers, content, *rest = hit
        packed = rest[0] if rest else None
        compressible = rest[1] if len(rest) > 1 else packed is not None
        if compressible and packed is None and accepts_gzip(request):
            packed = _gzip(content)  # the first request for this page that accepts gzip
            cache.set(key, (status, headers, content, packed, compressible), seconds)
        return _respond(request, status, headers, content, packed, compressible)
    # A miss is as fresh as a hit: the version this process knows (the machine's change counter
    # has not moved and the database was read less than AEO_VERSION_RECHECK_SECONDS ago). The
    # counting pages then need no query at all (their facts and names are kept per version), which
    # is most of what a miss costs (issue 16). A page whose view reads the database may be newer
    # than that version: stored under it, it is only ever replaced by a newer one. When the
    # database is down or hung, misses answer 503 once the version needs reading again, as hits do.
    response = view(request, *args, **kwargs)
    if response.status_code != 200 or not isinstance(response, HttpResponse) or response.cookies:
        return response
    # Every header the view set (middleware adds its own afterwards, on hits as on misses).
    headers = dict(response.headers.items())
    compressible = _compressible(response)
    packed = _gzip(response.content) if compressible and accepts_gzip(request) else None
    if _admit(request, version, seconds):
        cache.set(key, (response.status_code, headers, response.content, packed, compressible), seconds)
    # Stored or not (past the page's bound), the answer a hit would give: compressed when asked.
    if packed is not None:
        return _respond(request, response.status_code, headers, response.content, packed, compressible)
    if compressible:  # the view's own response is that answer: a copy would only cost time
        patch_vary_headers(response, ("Accept-Encoding",))
    return response


def cached_by_data_version(view: View, *parameters: ParameterSource) -> View:
    """`view`, cached under the data version and its known parameters: the fields of the forms
    and FilterSets it binds to the query string, and the names it reads itself."""
    names = parameter_names(parameters)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with known_parameters_only(request, names) as query:
            if request.method not in ("GET", "HEAD"):
                return _serve(view, request, query, args, kwargs)
            with versioning.steady():  # a read: one version for the whole page
                return _serve(view, request, query, args, kwargs)

    wrapper.page_parameters = names  # type: ignore[attr-defined]  # read by the tests
    return wrapper


def known_parameters(view: View, *parameters: ParameterSource) -> View:
    """`view`, not cached (a form with its CSRF token, counts that move without the data version),
    yet like the cached pages it sees only the parameters it declares: the language links and
    the page's own links repeat the query string, so an unknown parameter cannot change it."""
    names = parameter_names(parameters)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with known_parameters_only(request, names):
            try:
                return view(request, *args, **kwargs)
            except Http404 as error:  # the site's 404 page, drawn while the request is cleaned
                handler: Any = get_resolver(get_urlconf()).resolve_error_handler(404)
                return cast("HttpResponseBase", handler(request, exception=error))

    wrapper.page_parameters = names  # type: ignore[attr-defined]  # read by the tests
    return wrapper
