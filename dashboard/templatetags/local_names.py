"""`{{ territory|local_name }}`: a territory's, economy's or bloc's name in the page's language."""

from __future__ import annotations

from django import template

from agreements import names
from agreements.models import Bloc, Economy, Territory

register = template.Library()


@register.filter
def local_name(record: object) -> str:
    if isinstance(record, Territory | Economy | Bloc):
        return names.local_name(record)
    return str(record)
