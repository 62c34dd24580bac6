"""`{% event_date day precision %}`: an arrangement's date as written with its precision.

A tag rather than an included template: the partner table writes two dates a row, and an include
per cell cost more than the rest of the row. The translations are the template's were."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from agreements.dates import date_format

register = template.Library()


@register.simple_tag
def event_date(day: dt.date | None, precision: str = "") -> SafeString:
    if not day:
        return mark_safe('<span class="muted">\N{EN DASH}</span>')
    if precision == "month":
        text = format_html(
            '{} <span class="precision">{}</span>', date_format(day, "YEAR_MONTH_FORMAT"), gettext("(month)")
        )
    elif precision == "year":
        text = format_html('{} <span class="precision">{}</span>', date_format(day, "Y"), gettext("(year)"))
    elif precision == "by":
        text = format_html(
            '<span class="precision">{}</span> {}', pgettext("date precision", "by"), date_format(day)
        )
    else:
        text = format_html("{}", date_format(day))
    return format_html('<time datetime="{}">{}</time>', day.isoformat(), text)
