"""The `date` filter of every template (settings.TEMPLATES "builtins"): Django's, with each day
written once per process, format and language (`agreements.dates`).

Django's `date` filter parses its format and looks up the language's month names on every call;
a counting page writes its day five to eight times (title, headline, links, citation) on every
request. A datetime, or anything else, is written by Django's own filter; a day is written as
Django writes it (tests/dashboard/test_fast_markup.py compares them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.template.defaultfilters import date as django_date

from agreements.dates import date_format

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value: Any, arg: str | None = None) -> str:
    if type(value) is dt.date:  # not a datetime: those are written by Django, in local time
        return date_format(value, arg)
    return str(django_date(value, arg))
