"""Form widgets for pages that must stay fast as the registry grows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class LongSelect(forms.Select):
    """`forms.Select` for a long, flat list of choices (every economy), joined in Python.

    Django renders each option through a template of its own: with hundreds of economies that
    cost more than the rest of the dashboard. The markup is `forms.Select`'s (tested)."""

    placeholder = ""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        selected = set(self.format_value(value))
        options = format_html_join(
            "",
            '\n  <option value="{}"{}>{}</option>\n',
            ((code, " selected" if str(code) in selected else "", label) for code, label in self.choices),
        )
        if not selected & {str(code) for code, _ in self.choices}:
            # No known value (none given, or an unknown code): an empty choice is shown, never the
            # first economy, which the next submission would silently send (issue 13).
            options = format_html(
                '\n  <option value="" selected>{}</option>\n{}', self.placeholder or "—", options
            )
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            name,
            _attributes(self.build_attrs(self.attrs, attrs)),
            options,
        )


def _attributes(attrs: dict[str, Any]) -> SafeString:
    """As django/forms/widgets/attrs.html writes them: in order, True as a bare name, False left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value)),)
            for name, value in attrs.items()
            if value is not False
        ),
    )
