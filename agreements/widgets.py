"""Form widgets for pages that must stay fast as the registry grows."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.choices import normalize_choices
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from agreements.escaping import escaped


class LongSelect(forms.Select):
    """`forms.Select` for a long, flat list of choices (every economy), joined in Python.

    Django renders each option through a template of its own: with hundreds of economies that
    cost more than the rest of the dashboard. The markup is `forms.Select`'s (tested)."""

    placeholder = ""

    @property
    def choices(self) -> Any:
        return self._choices

    @choices.setter
    def choices(self, value: Any) -> None:
        self.source = value  # as given, the key of the escaped options: Select keeps a normalized copy
        self._choices = _normalized(value)

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        selected = set(self.format_value(value))
        plain, chosen, position = _options(self.source)
        parts = list(plain)
        known = False
        for code in selected:
            if code in position:
                parts[position[code]] = chosen[position[code]]
                known = True
        options = "".join(parts)
        if not known:
            # No known value (none given, or an unknown code): an empty choice is shown, never the
            # first economy, which the next submission would silently send (issue 13).
            options = (
                format_html('\n  <option value="" selected>{}</option>\n', self.placeholder or "—") + options
            )
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            name,
            _attributes(self.build_attrs(self.attrs, attrs)),
            mark_safe(options),  # escaped in _options
        )


# The normalized copies of the last few choice lists, by the list's identity (the economy list is
# kept per data version and language): every page's economy select normalized all of it again.
_NORMALIZED: dict[int, tuple[object, Any]] = {}


def _normalized(choices: Any) -> Any:
    kept = _NORMALIZED.get(id(choices))
    if kept is not None and kept[0] is choices:
        return kept[1]
    normalized = normalize_choices(choices)
    if not isinstance(choices, list):
        return normalized  # a callable or an iterator may give other choices next time
    if len(_NORMALIZED) >= 16:
        _NORMALIZED.clear()
    _NORMALIZED[id(choices)] = (choices, normalized)
    return normalized


# The options of the last few choice lists (the economy list is one list per data version and
# language, agreements.forms.economy_choices): each option escaped once, then only the selected
# one is swapped for its `selected` form on each page.
_OPTIONS: dict[int, tuple[object, list[str], list[str], dict[str, int]]] = {}


def _options(choices: Any) -> tuple[list[str], list[str], dict[str, int]]:
    kept = _OPTIONS.get(id(choices))
    if kept is not None and kept[0] is choices:
        return kept[1], kept[2], kept[3]
    plain: list[str] = []
    chosen: list[str] = []
    position: dict[str, int] = {}
    for code, label in choices:
        value, text = escaped(code), escaped(label)
        plain.append(f'\n  <option value="{value}">{text}</option>\n')
        chosen.append(f'\n  <option value="{value}" selected>{text}</option>\n')
        position.setdefault(str(code), len(plain) - 1)
    if len(_OPTIONS) >= 16:
        _OPTIONS.clear()
    _OPTIONS[id(choices)] = (choices, plain, chosen, position)
    return plain, chosen, position


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


# The per-widget templates cost about a millisecond per form on every page with controls: the
# renderer looks each template up and renders it, and a select renders one more per option. The
# widgets below write what django/forms/widgets/{input,attrs,select,select_option}.html write,
# from the same context (`get_context`), so ids, `aria-*` and `required` stay Django's.
# tests/dashboard/test_fast_markup.py compares them with the templates.


def attributes_html(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: in order, True as a bare name, False left out."""
    return "".join(
        f" {escaped(name)}" if value is True else f' {escaped(name)}="{escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def input_html(context: dict[str, Any]) -> SafeString:
    """django/forms/widgets/input.html (which text.html, date.html and the other inputs include)."""
    widget = context["widget"]
    value = "" if widget["value"] is None else f' value="{escaped(widget["value"])}"'
    return mark_safe(  # every value is escaped
        f'<input type="{escaped(widget["type"])}" name="{escaped(widget["name"])}"'
        f"{value}{attributes_html(widget['attrs'])}>"
    )


def select_html(context: dict[str, Any]) -> SafeString:
    """django/forms/widgets/select.html and select_option.html (the option template's final line
    break included, as the select template includes it)."""
    widget = context["widget"]
    parts = [f'<select name="{escaped(widget["name"])}"{attributes_html(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{escaped(group_name)}">')
        for option in group_choices:
            parts.append(
                f'\n  <option value="{escaped(option["value"])}"'
                f"{attributes_html(option['attrs'])}>{escaped(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # every value is escaped


# The widget templates written in Python, by name: every input that only includes input.html,
# and the select. Any other template (textarea, radio, multi-widgets, the admin's) is rendered.
_WRITTEN = {
    f"django/forms/widgets/{name}.html": input_html
    for name in ("text", "date", "number", "email", "url", "search", "hidden", "tel", "password", "checkbox")
}
_WRITTEN["django/forms/widgets/select.html"] = select_html


class FastFormRenderer(DjangoTemplates):
    """The form renderer (settings.FORM_RENDERER): the widgets above written in Python for every
    form of the site (the filter forms of the lists, the admin's), the rest as Django renders it.
    A list page's ten filter controls cost about 4 ms at a hundred times the data through the
    templates; the markup is the templates' (tests/test_fast_markup.py compares them)."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        written = _WRITTEN.get(template_name)
        if written is not None:
            return written(context)
        return str(super().render(template_name, context, request=request))


class FastInputMixin:
    """django/forms/widgets/input.html (and date.html, which includes it), written in Python."""

    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> SafeString:
        return input_html(context)


class FastDateInput(FastInputMixin, forms.DateInput):
    pass


class FastSelect(forms.Select):
    """django/forms/widgets/select.html and select_option.html, written in Python (the option
    template's final line break included, as the select template includes it).

    For fixed choices (`FixedChoiceField`): a copy shares them, where Select copies and normalizes
    them again for every form."""

    def __deepcopy__(self, memo: dict[int, Any]) -> FastSelect:
        copied = copy.copy(self)
        copied.attrs = self.attrs.copy()
        memo[id(self)] = copied
        return copied

    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> SafeString:
        return select_html(context)

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        """As Select renders it, kept per choice list, name, value, attributes and language: a
        page's few fixed selects (basis, evidence, rank by) are asked for with the same few values
        on every request, and building their options' context cost more than the rest of the form."""
        if not isinstance(self.choices, list):  # choices that may change (a query): rendered every time
            return super().render(name, value, attrs, renderer)
        try:
            key = (
                id(self.choices),
                name,
                tuple(self.format_value(value)),
                tuple(self.attrs.items()),
                tuple((attrs or {}).items()),
                get_language(),
            )
            hash(key)
        except TypeError:  # an attribute that cannot be a key: rendered every time
            return super().render(name, value, attrs, renderer)
        kept = _SELECTS.get(key)
        if kept is not None and kept[0] is self.choices:
            return kept[1]
        markup = super().render(name, value, attrs, renderer)
        if len(_SELECTS) >= 512:
            _SELECTS.clear()
        _SELECTS[key] = (self.choices, markup)
        return markup


# FastSelect's markup by (choices, name, value, attributes, language); the choices are held so that
# their id is not reused while the entry exists.
_SELECTS: dict[tuple[object, ...], tuple[object, SafeString]] = {}
