"""The language links every page writes, in Python: the `<link rel="alternate">` tags, the
switcher's items and the dashboard's suggestion of the other language.

They were template loops over `language_links` (the context processor in `dashboard.i18n`);
on a page that is computed rather than served from the cache, the loops cost about as much as the
rest of the page's frame (issue 16). tests/dashboard/test_fast_markup.py checks that each writes what its
loop wrote.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django import template
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from agreements.escaping import escaped
from dashboard.i18n import LanguageLink

register = template.Library()


@register.simple_tag
def alternate_links(links: Iterable[LanguageLink]) -> SafeString:
    """`<link rel="alternate" hreflang>` for the page in every language."""
    return mark_safe(  # every value is escaped
        "".join(
            f'<link rel="alternate" hreflang="{escaped(link.code)}" href="{escaped(link.url)}">\n  '
            for link in links
        )
    )


@register.simple_tag
def language_switcher_items(links: Iterable[LanguageLink]) -> SafeString:
    """The switcher's `<li>`: the current language marked, the others with `data-language`."""
    items = []
    for link in links:
        code, url, name = (escaped(v) for v in (link.code, link.url, link.name))
        if link.current:
            anchor = f'<a href="{url}" aria-current="true" hreflang="{code}" lang="{code}">{name}</a>'
        else:
            anchor = f'<a href="{url}" hreflang="{code}" lang="{code}" data-language="{code}">{name}</a>'
        items.append(f"<li>{anchor}</li>")
    return mark_safe("".join(items))  # every value is escaped


@register.simple_tag
def language_suggestion(links: Iterable[LanguageLink]) -> SafeString:
    """On an English page, a hidden link to each other language (static/js/language.js shows
    it to a browser that prefers that language)."""
    if translation.get_language() != "en":
        return mark_safe("\n")
    parts = []
    for link in links:
        if link.current:
            continue
        code, url = escaped(link.code), escaped(link.url)
        parts.append(
            f'<p class="language-suggestion" data-suggest="{code}" hidden lang="{code}">'
            f'<a href="{url}" hreflang="{code}">{_suggestion_text(link.code)}</a></p>'
        )
    return mark_safe("".join(parts) + "\n")  # every value is escaped


@functools.cache
def _suggestion_text(code: str) -> str:
    with translation.override(code):
        return conditional_escape(gettext("This page is also in Chinese"))
