"""Browser tests: pytest-django's ``live_server`` driven by Debian's ``chromium`` through Playwright.

Nothing is downloaded: Playwright (sync API, pinned in ``[dev]``) drives the system ``chromium``
(``apt-get install chromium``; ``.ci/run`` installs it), never a browser of its own
(do not run ``playwright install``). A missing ``chromium`` fails the browser tests; it never skips
them. axe-core is vendored under ``vendor/`` (see ``vendor/README.md``).

Fixtures and helpers
--------------------
``site``
    The live server's base URL (``http://localhost:PORT``) with the reference dataset loaded.
``browser`` (session), ``browser_context``, ``page``
    Chromium is started once per session. Each test gets a fresh context and page (1280x900,
    service workers blocked), guarded: every request to a host other than the machine itself is
    aborted and recorded, and so are console errors, uncaught page errors and
    Content-Security-Policy violations. Any of them fails the test. The guard is the
    ``page_guard`` fixture: ``page_guard.allow_console_error(regex)`` accepts an expected message,
    ``page_guard.clear()`` forgets what was recorded (a test that provokes a problem on purpose).
``axe_check(page)``, ``assert_no_axe_violations(page)``
    Run axe-core in the page; serious and critical violations are returned, or fail the test with
    their ids, help text and target nodes. axe is evaluated through the DevTools protocol, which a
    strict ``script-src 'self'`` policy does not block, so the context keeps enforcing the page's
    CSP (``bypass_csp`` stays off and CSP violations remain visible to the guard).
``screenshot(page, name)``
    Saves ``var/screenshots/<name>.png`` (under ``settings.VAR_DIR``) and returns its path.

The database flush, and why the reference data survives it
----------------------------------------------------------
``live_server`` needs ``transactional_db``: the test's writes are committed, so the server thread
sees them, and the database is emptied with ``flush`` when the test ends. That also wipes the
reference dataset which ``tests/conftest.py`` loads once per session for every other test.
Three things make this safe:

1. ``site`` loads the reference data at the start of each browser test. ``load_reference`` is
   idempotent: about 0.1 s when the data is already there, 0.7 s (SQLite) to 1.3 s (PostgreSQL)
   into an empty database.
2. pytest-django sorts the collected tests the way Django's runner does: tests using ``db`` first,
   then transactional ones (``transactional_db``, ``live_server``, ``transaction=True``), then
   tests without database. Browser tests therefore run after every test that relies on the
   session's reference data, in any selection of files.
3. That ordering is not relied on alone: the ``pytest_runtest_teardown`` wrapper below reloads the
   reference data right after a transactional test in this folder has been flushed, unless the
   next test is itself a browser test (which loads it in ``site``) or there is no next test (the
   test database is being destroyed). The database is thus left as the session fixture made it,
   whatever order the tests run in (``-p randomly``, a plugin that reorders, ``--lf``).

``serialized_rollback=True`` was tried and does not help: Django serialises the test database
once, right after migrating and before ``tests/conftest.py`` loads the reference data, restores
that snapshot at the *start* of the test and still flushes at the end. On SQLite and on PostgreSQL
a second such test starts with an empty ``Economy`` table.

Playwright's sync API keeps an asyncio loop in the main thread, and Django refuses database calls
from a thread with a running loop (``SynchronousOnlyOperation``); ``DJANGO_ALLOW_ASYNC_UNSAFE`` is
set while Playwright runs, that is from the first browser test to the end of the session. While
that loop runs, Django's per-thread connection storage (asgiref's ``Local``) behaves like a context
variable, so the main thread gets a second connection to the test database; it is closed when
Playwright stops, or PostgreSQL would refuse to drop the test database ("being accessed by other
users").
"""

from __future__ import annotations

import contextlib
import functools
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connections
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Route,
    ViewportSize,
    WebError,
    WebSocketRoute,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError
from pytest_django.plugin import blocking_manager_key

from agreements.reference import load_reference
from tests.conftest import REFERENCE_DIR

VENDOR_DIR = Path(__file__).resolve().parent / "vendor"
AXE_PATH = VENDOR_DIR / "axe.min.js"

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
DEFAULT_TIMEOUT_MS = 10_000

# Hosts a page may reach: the live server binds to localhost; nothing else is on this machine.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
# Schemes that never leave the browser.
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})

AXE_IMPACTS = ("serious", "critical")


# --- the guard --------------------------------------------------------------------------------


def is_local_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or (parts.hostname or "") in LOCAL_HOSTS


@dataclass
class PageGuard:
    """What a page did that a test should not accept: external requests, errors, CSP violations."""

    external_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    allowed_console_errors: list[re.Pattern[str]] = field(default_factory=list)

    def allow_console_error(self, pattern: str) -> None:
        """Accept console errors matching ``pattern`` (a regex, searched) for this test only."""
        self.allowed_console_errors.append(re.compile(pattern))

    def clear(self) -> None:
        """Forget everything recorded so far (after a test has asserted on it)."""
        self.external_requests.clear()
        self.console_errors.clear()
        self.page_errors.clear()
        self.csp_violations.clear()

    # Handlers installed on the browser context.

    def route(self, route: Route) -> None:
        request = route.request
        if is_local_url(request.url):
            route.continue_()
        else:
            self.external_requests.append(f"{request.method} {request.url} ({request.resource_type})")
            route.abort("blockedbyclient")

    def route_web_socket(self, ws: WebSocketRoute) -> None:
        if is_local_url(ws.url):
            ws.connect_to_server()
        else:
            self.external_requests.append(f"WebSocket {ws.url}")
            ws.close()

    def on_console(self, message: ConsoleMessage) -> None:
        text = message.text
        location = message.location or {}
        where = (
            f" ({location.get('url', '')}:{location.get('lineNumber', '')})" if location.get("url") else ""
        )
        if "content security policy" in text.lower():
            self.csp_violations.append(f"[{message.type}] {text}{where}")
        elif message.type == "error":
            if any(pattern.search(text) for pattern in self.allowed_console_errors):
                self.ignored.append(text)
            else:
                self.console_errors.append(f"{text}{where}")

    def on_web_error(self, error: WebError) -> None:
        stack = error.error.stack or str(error.error)
        self.page_errors.append("\n    ".join(stack.splitlines()[:6]))

    # Reporting.

    def problems(self) -> list[str]:
        lines: list[str] = []
        for title, entries in (
            ("requests to external hosts (aborted)", self.external_requests),
            ("Content-Security-Policy violations", self.csp_violations),
            ("uncaught page errors", self.page_errors),
            ("console errors", self.console_errors),
        ):
            if entries:
                lines.append(f"{title}:")
                lines.extend(f"  - {entry}" for entry in entries)
        return lines

    def check(self, when: str) -> None:
        """Fail the test if anything was recorded; each problem is reported once."""
        lines = self.problems()
        if lines:
            self.clear()
            pytest.fail(f"The page misbehaved {when}:\n" + "\n".join(lines), pytrace=False)


def _drain_events(page: Page) -> None:
    """A round trip to the browser, so that events it has already sent are dispatched."""
    if page.is_closed():
        return
    with contextlib.suppress(PlaywrightError):
        page.evaluate("0")


_GUARD_KEY = pytest.StashKey[tuple[PageGuard, Page]]()


# --- hooks (they apply to the tests in this folder only) ---------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Report the guard's findings as a failure of the test itself, not as a teardown error.

    When the test fails on its own, the findings are attached to its report instead (a section
    "page guard"), so that one broken page gives one failure, not a failure and an error.
    """
    guarded = item.stash.get(_GUARD_KEY, None)
    try:
        result = yield
    except BaseException:
        if guarded is not None:
            guard, page = guarded
            _drain_events(page)
            lines = guard.problems()
            if lines:
                item.add_report_section("call", "page guard", "\n".join(lines))
                guard.clear()
        raise
    if guarded is not None:
        guard, page = guarded
        _drain_events(page)
        guard.check("during the test")
    return result


def _flushes_database(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    if "transactional_db" in names or "live_server" in names:
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After a transactional test's flush, put the session's reference data back (see above)."""
    try:
        return (yield)
    finally:
        if (
            nextitem is not None
            and _flushes_database(item)
            and "site" not in getattr(nextitem, "fixturenames", ())
        ):
            with item.config.stash[blocking_manager_key].unblock():
                load_reference(REFERENCE_DIR)
            connections.close_all()  # as Django does after a transactional test


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as pw:
            yield pw
            # Close the connections opened while Playwright's loop ran (see the module docstring),
            # or PostgreSQL refuses to drop the test database that they still use.
            connections.close_all()


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "The browser tests need Debian's Chromium on the PATH: run `apt-get install -y chromium` "
            "(.ci/run does). Do not run `playwright install`: no browser is downloaded.",
            pytrace=False,
        )
    browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def site(live_server: Any, transactional_db: None) -> str:
    """The live server's base URL, with the reference dataset loaded (the previous flush wiped it)."""
    load_reference(REFERENCE_DIR)
    return str(live_server.url)


@pytest.fixture
def page_guard() -> PageGuard:
    return PageGuard()


@pytest.fixture
def browser_context(
    browser: Browser, page_guard: PageGuard, request: pytest.FixtureRequest
) -> Iterator[BrowserContext]:
    # `@pytest.mark.browser_locale("zh-CN")`: the browser's language (navigator.languages, and
    # the Accept-Language header it sends).
    marker = request.node.get_closest_marker("browser_locale")
    locale = marker.args[0] if marker else None
    context = browser.new_context(viewport=VIEWPORT, service_workers="block", locale=locale)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.route("**/*", page_guard.route)
    context.route_web_socket(re.compile(".*"), page_guard.route_web_socket)
    context.on("console", page_guard.on_console)
    context.on("weberror", page_guard.on_web_error)
    yield context
    context.close()


@pytest.fixture
def page(
    browser_context: BrowserContext, page_guard: PageGuard, request: pytest.FixtureRequest
) -> Iterator[Page]:
    page = browser_context.new_page()
    request.node.stash[_GUARD_KEY] = (page_guard, page)
    yield page
    _drain_events(page)
    page_guard.check("at teardown")


# --- helpers ----------------------------------------------------------------------------------


@functools.cache
def _axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


def axe_check(
    page: Page,
    *,
    context: Any = None,
    options: dict[str, Any] | None = None,
    impacts: tuple[str, ...] = AXE_IMPACTS,
) -> list[dict[str, Any]]:
    """Run axe-core on the page; return the violations whose impact is in ``impacts``.

    ``context`` and ``options`` are passed to ``axe.run`` (for example ``"#main"`` or
    ``{"runOnly": ["wcag2a", "wcag2aa"]}``).
    """
    if page.evaluate("typeof window.axe") == "undefined":
        page.evaluate(_axe_source())
    results = page.evaluate(
        "([context, options]) => axe.run(context ?? document, options ?? {})",
        [context, options],
    )
    return [violation for violation in results["violations"] if violation.get("impact") in impacts]


def format_axe_violations(violations: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            lines.append(f"  - {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, **kwargs: Any) -> None:
    """Fail with each serious or critical axe violation: its id, help and target nodes."""
    violations = axe_check(page, **kwargs)
    if violations:
        pytest.fail(
            f"axe-core found {len(violations)} serious or critical violation(s) on {page.url}:\n"
            + format_axe_violations(violations),
            pytrace=False,
        )


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of the page as ``var/screenshots/<name>.png`` and return its path."""
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
