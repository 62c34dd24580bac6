"""`{% partner_rows rows %}` and `{% territory_items rows %}`: the dashboard's partner table rows
and bloc lists, written in Python; `{% ranking_rows rows %}`: the ranking's rows.

At a hundred times the reference data the dashboard lists hundreds of partner territories, and a
template loop with three `{% url %}` tags and two dates a row cost more than everything else on
the page together. The markup is the templates' (tests/dashboard/test_fast_markup.py compares them)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from html import escape
from urllib.parse import quote

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, override

from agreements.bounded import keep
from agreements.counting import RankingRow, Summary
from agreements.memo import written
from agreements.selectors import PartnerRow
from dashboard.templatetags.event_dates import event_date

register = template.Library()
_PLACEHOLDER = "AEOPLACEHOLDER"


def url_for(name: str) -> Callable[[str], str]:
    """`reverse(name, args=[code])` for many codes at the cost of one reverse (same quoting)."""
    head, tail = reverse(name, args=[_PLACEHOLDER]).split(_PLACEHOLDER)
    return lambda code: head + quote(code, safe=RFC3986_SUBDELIMS + "/~:@") + tail


ROW = (
    '\n    <tr data-territory="{territory}">\n'
    '      <th scope="row"><a href="{territory_url}">{territory_name}</a> '
    '<span class="muted">{territory}</span></th>\n'
    '      <td><a href="{economy_url}">{economy_name}</a> <span class="muted">{economy}</span></td>\n'
    '      <td><a href="{arrangement_url}">{title}</a></td>\n'
    "      <td>{signed}</td>\n"
    "      <td>{effective}</td>\n"
    "      <td>{evidence}</td>\n"
    "      <td>{blocs}</td>\n"
    "    </tr>"
)


@register.simple_tag
def partner_rows(rows: Iterable[PartnerRow]) -> SafeString:
    """The rows, escaped with `html.escape` (what Django's `escape` calls) and with each date and
    label written once however many rows share it; the rows of an interval, which the counting
    index hands every day of it, are written once (`agreements.memo`)."""
    return written("partner_rows", rows, lambda: _partner_rows(rows))


# A row's markup, kept by everything it is written from, the language and the URL prefix: most
# of an economy's rows are the same from one interval to the next, and a page that misses the
# cache most often asks for a list not written before (a new interval) of rows written before.
_ROWS: dict[tuple[object, ...], str] = {}
ROW_LIMIT = 8192  # rows (about 600 bytes each); when full, the older half goes


def _partner_rows(rows: Iterable[PartnerRow]) -> SafeString:
    language, prefix = get_language() or "", get_script_prefix()
    write: Callable[[PartnerRow], str] | None = None
    lines = []
    for row in rows:
        key = (*row.shown(), language, prefix)
        line = _ROWS.get(key)
        if line is None:
            write = write or _row_writer()
            line = write(row)
            keep(_ROWS, key, line, ROW_LIMIT)
        lines.append(line)
    if not lines:
        return format_html('\n    <tr><td colspan="7">{}</td></tr>', gettext("No partner territories."))
    return mark_safe("".join(lines))  # every value is escaped


def _row_writer() -> Callable[[PartnerRow], str]:
    """Writes a row, escaped with `html.escape`, each date and label written once per page."""
    territory_url = url_for("territory-detail")
    economy_url = url_for("economy-detail")
    arrangement_url = url_for("arrangement-detail")
    dates: dict[tuple[dt.date | None, str], str] = {}
    labels: dict[str, str] = {}

    def written(day: dt.date | None, precision: str) -> str:
        if (day, precision) not in dates:
            dates[day, precision] = event_date(day, precision)
        return dates[day, precision]

    def write(row: PartnerRow) -> str:
        arrangement = row.arrangement
        if arrangement.evidence not in labels:
            labels[arrangement.evidence] = escape(str(arrangement.get_evidence_display()))
        return ROW.format(
            territory=escape(row.territory),
            territory_url=escape(territory_url(row.territory)),
            territory_name=escape(row.territory_name),
            economy_url=escape(economy_url(row.economy)),
            economy_name=escape(row.economy_name),
            economy=escape(row.economy),
            arrangement_url=escape(arrangement_url(arrangement.key)),
            title=escape(arrangement.title or arrangement.key),
            signed=written(arrangement.signed_date, arrangement.signed_precision),
            effective=written(row.effective_date, row.effective_precision),
            evidence=labels[arrangement.evidence],
            blocs=escape(", ".join(row.blocs) or "\N{EN DASH}"),
        )

    return write


@register.simple_tag
def territory_items(rows: Iterable[PartnerRow]) -> SafeString:
    """A list item per partner territory, escaped as `format_html` does (the dashboard writes one
    list per bloc, every territory of a bloc an item)."""
    territory_url = url_for("territory-detail")
    return mark_safe(  # every value is escaped
        "".join(
            f'<li><a href="{escape(territory_url(row.territory))}">{escape(row.territory_name)}</a> '
            f'<span class="muted">{escape(row.territory)}</span></li>'
            for row in rows
        )
    )


RANKING_ROW = (
    '<tr data-economy="{economy}"><td>{rank}</td><th scope="row"><a href="{url}">{name}</a> '
    '<span class="muted">{economy}</span></th><td>{value}</td></tr>'
)


@register.simple_tag
def ranking_rows(rows: Iterable[tuple[RankingRow, str]]) -> SafeString:
    """The rows of a ranking table: (row, economy name) pairs. Ranks and values are integers,
    written as Django writes them (no thousands separator in these settings)."""
    economy_url = url_for("economy-detail")
    lines = [
        RANKING_ROW.format(
            economy=escape(row.economy),
            rank=int(row.rank),
            url=escape(economy_url(row.economy)),
            name=escape(name),
            value=int(row.value),
        )
        for row, name in rows
    ]
    if not lines:
        return mark_safe('<tr><td colspan="3">No economy has a partner on this date.</td></tr>')
    return mark_safe("".join(lines))  # every value above is escaped


BLOC_ITEM = (
    '\n    <li>\n      <details data-bloc="{code}">\n'
    '        <summary><span class="bloc-count" data-testid="bloc-{code}">{count}</span> {name} '
    '<span class="muted">({code})</span></summary>\n'
    "        {members}\n"
    '        <p><a href="{url}?economy={economy}&amp;as_of={day}&amp;basis={basis}&amp;evidence={evidence}'
    '&amp;bloc={code}">{list_them}</a></p>\n'
    "      </details>\n    </li>\n    "
)


@register.simple_tag
def bloc_items(bloc_rows: Iterable[tuple[str, str, int, list[PartnerRow]]], summary: Summary) -> SafeString:
    """The dashboard's "Partners by bloc" items: (code, name, count, partner rows) per bloc."""
    none, list_them, url = _bloc_words(get_language(), get_script_prefix())
    common = {
        "economy": escape(summary.economy),
        "day": summary.as_of.isoformat(),
        "basis": escape(summary.basis),
        "evidence": escape(summary.evidence),
        "url": url,
        "list_them": list_them,
    }
    return mark_safe(  # every value is escaped
        "".join(
            BLOC_ITEM.format(
                code=escape(code),
                count=int(count),
                name=escape(name),
                members=(
                    f'<ul class="territory-list">{territory_items(rows)}</ul>'
                    if rows
                    else f'<p class="muted">{none}</p>'
                ),
                **common,
            )
            for code, name, count, rows in bloc_rows
        )
    )


@functools.cache
def _bloc_words(language: str | None, prefix: str) -> tuple[str, str, str]:
    """ "None.", "List these partners" and the partners page's path, escaped, per language and
    URL prefix (the dashboard writes them on every request)."""
    with override(language):
        return (
            escape(gettext("None.")),
            escape(gettext("List these partners")),
            escape(reverse("partner-list")),
        )
