"""`{% form_fields form %}`: the controls of a page's form (a label, the widget and its errors per
field), written in Python.

The template loop cost about as much as the rest of a counting page's markup: per field a label,
`id_for_label`, the widget and an errors loop, on every page that counts. The markup is the loop's
that the pages had (tests/dashboard/test_fast_markup.py compares them): the widget as `{{ field }}` writes it,
every other value escaped as `{{ }}` escapes it.
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _text(value: Any) -> str:
    """What `{{ value }}` writes (autoescape on) for the strings, lazy strings and markup here."""
    return conditional_escape(value if isinstance(value, str) else str(value))


@register.simple_tag
def form_fields(form: forms.BaseForm, *, error_ids: bool = False, skip: str = "") -> SafeString:
    """Each field but `skip` as `<div class="control">`; with `error_ids`, each error paragraph has
    the id `<field id>-error` (what `aria-describedby` on the dashboard's controls points to)."""
    parts = []
    for field in form:
        if skip and field.name == skip:
            continue
        if error_ids:
            error = f'<p class="error" role="alert" id="{_text(field.auto_id)}-error">'
        else:
            error = '<p class="error" role="alert">'
        errors = "".join(f"{error}{_text(message)}</p>" for message in field.errors)
        parts.append(
            '\n    <div class="control">\n'
            f'      <label for="{_text(field.id_for_label)}">{_text(field.label)}</label>\n'
            f"      {_text(field)}\n"
            f"      {errors}\n"
            "    </div>\n  "
        )
    return mark_safe("".join(parts))  # every value is escaped, or markup from the widget
