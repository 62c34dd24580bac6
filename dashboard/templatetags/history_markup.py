"""`{% change_rows changes %}`: the rows of a table of changes (the recent-changes page and every
record's History section), written in Python.

A group's page at a hundred times the data shows fifty changes, each with its changed fields, and
the template loop (a date twice, a link, an include per row and a loop per include) cost a third
of the page (issue 16). The markup is the loop's (tests/dashboard/test_fast_markup.py compares them)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from html import escape

from django import template
from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in django-stubs
from django.utils.translation import gettext

from agreements.history import Change
from agreements.models import CorrectionReport

register = template.Library()


@functools.cache
def _words(language: str | None) -> dict[str, str]:
    with translation.override(language):
        return {"empty": escape(gettext("(empty)")), "report": gettext("Correction report #%(number)s")}


def _fields(change: Change, empty: str) -> str:
    """includes/_fields_changed.html, which the loop included."""
    if not change.fields:
        return "\n\n"
    items = []
    for item in change.fields:
        if change.kind == "created":
            shown = escape(item.new)
        elif change.kind == "deleted":
            shown = f"<del>{escape(item.old)}</del>"
        else:
            shown = f"<del>{escape(item.old) or empty}</del> → <ins>{escape(item.new) or empty}</ins>"
        items.append(f'\n  <li><span class="field-name">{escape(item.name)}</span>: {shown}</li>\n  ')
    return '\n\n<ul class="field-changes">\n  ' + "".join(items) + "\n</ul>\n\n"


@register.simple_tag
def change_rows(changes: Iterable[Change], *, link_records: bool = False, staff: bool = False) -> SafeString:
    words = _words(translation.get_language())
    rows = []
    for change in changes:
        at = template_localtime(change.at)
        record = escape(change.record)
        if link_records and change.url:
            record = f'<a href="{escape(change.url)}">{record}</a>'
        kind = escape(change.kind)
        if change.correction:
            url = escape(CorrectionReport(pk=change.correction).get_absolute_url())
            report = words["report"] % {"number": escape(str(change.correction))}
            kind += (
                f' <span class="muted">(<a href="{url}" data-testid="change-correction">{report}</a>)</span>'
            )
        elif change.reason:
            kind += f' <span class="muted">({escape(change.reason)})</span>'
        user = f'<td data-testid="history-user">{escape(change.user or "\N{EN DASH}")}</td>' if staff else ""
        when = (
            f'<time datetime="{escape(date_format(at, "c"))}">{escape(date_format(at, "Y-m-d H:i"))}</time>'
        )
        rows.append(
            f'\n    <tr id="change-{escape(change.id)}">\n'
            f"      <td>{when}</td>\n"
            f"      <td>{escape(change.model)} {record}</td>\n"
            f"      <td>{kind}</td>\n"
            f"      <td>{_fields(change, words['empty'])}</td>\n"
            f"      {user}\n    </tr>\n    "
        )
    return mark_safe("".join(rows))  # every value is escaped
