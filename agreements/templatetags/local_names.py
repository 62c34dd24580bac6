"""`{{ territory|local_name }}`: a territory's, economy's or bloc's name in the page's language."""

from __future__ import annotations

from django import template

from agreements.models import Bloc, Economy, Territory
from agreements.names import bloc_name, economy_name, territory_name

register = template.Library()


@register.filter
def local_name(record: object) -> str:
    if isinstance(record, Territory):
        return territory_name(record.iso3, record.name)
    if isinstance(record, Economy):
        return economy_name(record.code, record.name)
    if isinstance(record, Bloc):
        return bloc_name(record.code, record.name)
    return str(record)
