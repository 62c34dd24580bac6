"""The site in English (at `/`) and Simplified Chinese (at `/zh-hans/`): the language switcher.

A URL says its language and nothing overrides it: Django's LocaleMiddleware serves an unprefixed
path in English whatever the browser asks for (`i18n_patterns(prefix_default_language=False)`), so
a link sent by an English reader opens in English for everyone, and a cached page never depends on
the visitor's headers. The switcher links to the same page and query string in the other language.
Only the home page suggests Chinese to a browser that prefers it: a visible link that
`static/js/language.js` reveals (`{% language_suggestion %}`, dashboard/templatetags/language_markup.py),
never a redirect.
`switch_language` (`/i18n/<code>/?next=`) remains for links made before, and only redirects.

The API, the admin, `/healthz`, static files and the data zip are outside the language prefix:
they are never redirected, and they answer in English with stable keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_info
from django.views.decorators.http import require_GET


@require_GET
def switch_language(request: HttpRequest, code: str) -> HttpResponse:
    """Go to `next` (the same page in language `code`): the switcher's links of earlier versions."""
    if code not in dict(settings.LANGUAGES):
        raise Http404("Unknown language")
    target = request.GET.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        with translation.override(code):
            target = reverse("home")
    return HttpResponseRedirect(target)


@dataclass(frozen=True, slots=True)
class LanguageLink:
    code: str
    name: str  # in its own language: "English", "简体中文"
    url: str  # the same page and query string in that language
    current: bool


def language_links(request: HttpRequest) -> dict[str, Any]:
    """Template context: `language_links`, the current page in every language."""
    current = translation.get_language()
    path = request.get_full_path()
    query = ""
    if "?" in path:
        path, query = path.split("?", 1)
        query = "?" + query
    links = []
    for code, _ in settings.LANGUAGES:
        links.append(
            LanguageLink(
                code=code,
                name=get_language_info(code)["name_local"],
                url=_translated_path(path, current, code) + query,
                current=code == current,
            )
        )
    return {"language_links": links}


@lru_cache(maxsize=4096)
def _translated_path(path: str, current: str | None, code: str) -> str:
    """`translate_url` of a path without its query string, which it keeps as it is: worked out
    once per path and pair of languages (resolving and reversing cost a page more than its links)."""
    return translate_url(path, code)
