"""`{% why_rows rows params %}`: the rows of "Why the number moved", written in Python.

The page lists every event that moved an economy's figures; at a hundred times the reference data
that is hundreds of rows, and the template loop (three links, a date, nested loops over the moved
partners and the blocs per row) made it one of the slowest pages (issue 16). The markup is the
loop's (tests/dashboard/test_fast_markup.py compares them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from agreements.dates import date_format
from agreements.memo import written
from agreements.why import EventRow, MovedGroup
from dashboard.templatetags.partner_markup import url_for

register = template.Library()
_BLOC_EVENTS = ("joined_bloc", "left_bloc")


def _group(group: MovedGroup) -> str:
    label = escape(group.label)
    if group.title:
        label = f'<abbr title="{escape(group.title)}">{label}</abbr>'
    partners = " ".join(
        f'<abbr title="{escape(name)}">{escape(code)}</abbr>' for code, name in group.partners
    )
    return (
        f'<li data-measure="{escape(group.measure)}"><span class="moved-label">{label}</span> '
        f"{escape(group.sign)}{len(group.partners)}: {partners}</li>"
    )


@register.simple_tag
def why_rows(rows: Iterable[EventRow], params: Mapping[str, Any]) -> SafeString:
    """Written once per list of rows (`why.why_moved` keeps them per data version, economy,
    setting, step and language) and setting."""
    kind = "why_rows:" + ":".join(str(params[key]) for key in ("economy", "basis", "evidence"))
    return written(kind, rows, lambda: _why_rows(rows, params))


def _why_rows(rows: Iterable[EventRow], params: Mapping[str, Any]) -> SafeString:
    home = escape(reverse("home"))
    arrangement_url = url_for("arrangement-detail")
    bloc_url = url_for("bloc-detail")
    territory_url = url_for("territory-detail")
    economy, basis, evidence = (escape(str(params[key])) for key in ("economy", "basis", "evidence"))
    days: dict[Any, tuple[str, str]] = {}
    parts = []
    for row in rows:
        event = row.event
        if row.day not in days:
            days[row.day] = (escape(row.day.isoformat()), escape(date_format(row.day)))
        iso, shown = days[row.day]
        attributes = (
            f'data-date="{iso}" data-event="{escape(event.kind)}" data-subject="{escape(event.subject)}"'
        )
        if event.territory:
            attributes += f' data-territory="{escape(event.territory)}"'
        if event.partners:
            link = arrangement_url(event.subject)
        elif event.kind in _BLOC_EVENTS:
            link = bloc_url(event.subject)
        else:
            link = territory_url(event.territory)
        if row.changes:
            moved = '<ul class="moved">' + "".join(_group(group) for group in row.changes) + "</ul>"
        else:
            moved = '<span class="muted">\N{EN DASH}</span>'
        blocs = "".join(
            f'<td data-figure="bloc:{escape(code)}">{int(count)}</td>'
            for code, count in row.after.by_bloc.items()
        )
        parts.append(
            f"\n    <tr {attributes}>\n"
            f'      <td class="nowrap"><a href="{home}?economy={economy}&amp;as_of={iso}&amp;basis={basis}'
            f'&amp;evidence={evidence}">{shown}</a></td>\n'
            f'      <th scope="row" class="event-cell"><span class="event-kind">{escape(row.kind_name)}'
            f'</span><br><a href="{escape(link)}">{escape(row.description)}</a></th>\n'
            f"      <td>{moved}</td>\n"
            f'      <td data-figure="economies">{int(row.after.partner_economies)}</td>\n'
            f'      <td data-figure="countries">{int(row.after.partner_countries)}</td>\n'
            f"      {blocs}\n    </tr>\n  "
        )
    return mark_safe("".join(parts))  # every value is escaped
