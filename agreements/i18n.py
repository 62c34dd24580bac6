"""The site in English (at `/`) and Simplified Chinese (at `/zh-hans/`): first-visit redirect,
language switcher and its links.

Django's LocaleMiddleware serves an unprefixed path in the default language whatever the browser
asks for when `i18n_patterns(prefix_default_language=False)` is used. `PreferredLanguageMiddleware`
adds what a first visit needs: a browser that prefers Chinese (Accept-Language), or a visitor who
chose Chinese before (the `django_language` cookie), is redirected from `/...` to `/zh-hans/...`.
The switcher's links go through `switch_language`, which stores the choice in that cookie, so a
visitor who picks English stays in English whatever the browser prefers.

The API, the admin, `/healthz`, static files and the data zip are outside the language prefix:
they are never redirected, and they answer in English with stable keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import get_script_prefix, is_valid_path, reverse, translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language_info
from django.views.decorators.http import require_GET


def _prefixed_path(request: HttpRequest, language: str) -> str | None:
    """The request's path under `language`'s prefix, if a page is served there."""
    language_path = f"/{language}{request.path_info}"
    with translation.override(language):
        if not is_valid_path(language_path, getattr(request, "urlconf", None)):
            return None
    script_prefix = get_script_prefix()
    return request.get_full_path().replace(script_prefix, f"{script_prefix}{language}/", 1)


class PreferredLanguageMiddleware:
    """Redirect an unprefixed page to the visitor's preferred language, if that is not English."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if (
            request.method in ("GET", "HEAD")
            and translation.get_language_from_path(request.path_info) is None
        ):
            preferred = translation.get_language_from_request(request, check_path=False)
            if preferred != settings.LANGUAGE_CODE:
                target = _prefixed_path(request, preferred)
                if target is not None:
                    redirect = HttpResponseRedirect(target)
                    patch_vary_headers(redirect, ("Accept-Language", "Cookie"))
                    return redirect
            response = self.get_response(request)
            # The page at an unprefixed path depends on the choice cookie as well as on the header.
            patch_vary_headers(response, ("Cookie",))
            return response
        return self.get_response(request)


@require_GET
def switch_language(request: HttpRequest, code: str) -> HttpResponse:
    """Remember the visitor's choice of language and go to `next` (the same page in that language).

    A link rather than Django's POST-only `set_language`: switching is a navigation, and the
    cookie it sets holds nothing but the choice."""
    if code not in dict(settings.LANGUAGES):
        raise Http404("Unknown language")
    target = request.GET.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        with translation.override(code):
            target = reverse("home")
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=request.is_secure() or settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
    )
    return response


@dataclass(frozen=True, slots=True)
class LanguageLink:
    code: str
    name: str  # in its own language: "English", "简体中文"
    url: str  # the same page and query string in that language
    switch_url: str  # through `switch_language`, which remembers the choice
    current: bool


def language_links(request: HttpRequest) -> dict[str, Any]:
    """Template context: `language_links`, the current page in every language."""
    current = translation.get_language()
    full_path = request.get_full_path()
    links = []
    for code, _ in settings.LANGUAGES:
        url = translate_url(full_path, code)
        switch = reverse("language-switch", args=[code])
        links.append(
            LanguageLink(
                code=code,
                name=get_language_info(code)["name_local"],
                url=url,
                switch_url=f"{switch}?{urlencode({'next': url})}",
                current=code == current,
            )
        )
    return {"language_links": links}
