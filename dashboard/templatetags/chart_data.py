"""`{{ figure|figure_script:"id" }}`: Django's `json_script`, byte for byte, faster on large figures.

`json_script` escapes `<`, `>` and `&` with `str.translate`, which looks every character of the
JSON up in a table: on a dashboard's three figures, about a tenth of the page's time. Three
`str.replace` calls write the same escapes (tests/dashboard/test_fast_markup.py compares them).
"""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter(is_safe=True)
def figure_script(value: Any, element_id: str) -> SafeString:
    text = json.dumps(value, cls=DjangoJSONEncoder)
    text = text.replace("&", "\\u0026").replace("<", "\\u003C").replace(">", "\\u003E")
    return format_html('<script id="{}" type="application/json">{}</script>', element_id, mark_safe(text))
