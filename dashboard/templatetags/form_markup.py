"""`{% form_fields form %}`: the controls of a page's form (a label, the widget and its errors per
field), written in Python; `{% filter_fields form %}` the arrangement list's (its help text under
each control, its errors in a block the widget's `aria-describedby` points to).

The template loop cost about as much as the rest of a counting page's markup: per field a label,
`id_for_label`, the widget and an errors loop, on every page that counts. The markup is the loop's
that the pages had (tests/dashboard/test_fast_markup.py compares them): the widget as `{{ field }}` writes it,
every other value escaped as `{{ }}` escapes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms, template
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from agreements.escaping import escaped

register = template.Library()


def _text(value: Any) -> str:
    """What `{{ value }}` writes (autoescape on) for the strings, lazy strings and markup here."""
    return escaped(value if isinstance(value, str) else str(value))


@register.simple_tag
def form_fields(form: forms.BaseForm, *, error_ids: bool = False, skip: str = "") -> SafeString:
    """Each field but `skip` as `<div class="control">`; with `error_ids`, each error paragraph has
    the id `<field id>-error` (what `aria-describedby` on the dashboard's controls points to)."""
    return _controls(form, skip, error_ids, lambda field: _control(field, error_ids))


@register.simple_tag
def filter_fields(form: forms.BaseForm) -> SafeString:
    """Each field as agreements/arrangement_list.html's filter form has it: a `<div class="control">`
    with the label, the widget, the help text (`<field id>_helptext`) and the errors
    (`<div id="<field id>_error">`, each error "Error: ..."), the ids Django's `aria-describedby`
    names. The list's ten controls cost a fifth of the page through the template loop."""
    return _controls(form, "", "filter", _filter_control)


def _controls(
    form: forms.BaseForm, skip: str, style: object, write: Callable[[forms.BoundField], str]
) -> SafeString:
    """Each field but `skip`, written by `write` or kept from an earlier page (`style` tells the
    writers apart in the keys)."""
    parts = []
    language = get_language()
    for name, field in form.fields.items():
        if skip and name == skip:
            continue
        key = _control_key(form, name, field, style, language)
        kept = _CONTROLS.get(key) if key is not None else None
        if kept is not None and kept[0] is getattr(field.widget, "choices", None):
            parts.append(kept[1])
            continue
        markup = write(form[name])
        if key is not None:
            if len(_CONTROLS) >= 1024:
                _CONTROLS.clear()
            _CONTROLS[key] = (getattr(field.widget, "choices", None), markup)
        parts.append(markup)
    return mark_safe("".join(parts))  # every value is escaped, or markup from the widget


def _control(field: forms.BoundField, error_ids: bool) -> str:
    if error_ids:
        error = f'<p class="error" role="alert" id="{_text(field.auto_id)}-error">'
    else:
        error = '<p class="error" role="alert">'
    errors = "".join(f"{error}{_text(message)}</p>" for message in field.errors)
    return (
        '\n    <div class="control">\n'
        f'      <label for="{_text(field.id_for_label)}">{_text(field.label)}</label>\n'
        f"      {_text(field)}\n"
        f"      {errors}\n"
        "    </div>\n  "
    )


def _filter_control(field: forms.BoundField) -> str:
    help_text = (
        f'<small id="{_text(field.auto_id)}_helptext">{_text(field.help_text)}</small>'
        if field.help_text
        else ""
    )
    errors = ""
    if field.errors:
        error = gettext("Error: %(error)s")  # the template's {% blocktranslate %}: the message escaped
        paragraphs = "".join(
            f'<p class="error" role="alert">{error % {"error": _text(message)}}</p>'
            for message in field.errors
        )
        errors = (
            f'\n        <div id="{_text(field.auto_id)}_error">\n          {paragraphs}'
            + "\n        </div>\n      "
        )
    return (
        '\n    <div class="control">\n'
        f'      <label for="{_text(field.id_for_label)}">{_text(field.label)}</label>\n'
        f"      {_text(field)}\n"
        f"      {help_text}\n"
        f"      {errors}\n"
        "    </div>\n  "
    )


# A control's markup, kept by everything it is written from (`_control_key`): a page's controls
# are asked for with the same few values (basis, evidence, an economy) on every request. The
# choices are held so that their id is not reused while the entry exists.
_CONTROLS: dict[tuple[object, ...], tuple[object, str]] = {}


def _control_key(
    form: forms.BaseForm, name: str, field: forms.Field, style: object, language: str | None
) -> tuple[object, ...] | None:
    """What a control's markup is written from: the form's class, prefix and id format, the field's
    label, help, initial value and widget (its class, attributes, choices and placeholder), the
    values asked for, its errors, and the language. None when a part cannot be a key (the control
    is written afresh)."""
    widget = field.widget
    choices = getattr(widget, "choices", None)
    if choices is not None and not isinstance(choices, list):
        return None  # choices that may change (a query)
    html_name = form.add_prefix(name)
    data = form.data
    values = tuple(data.getlist(html_name)) if hasattr(data, "getlist") else (data.get(html_name),)
    errors = tuple(str(message) for message in form.errors.get(name, ()))
    key = (
        type(form),
        form.prefix,
        form.auto_id,
        form.use_required_attribute,
        form.is_bound,
        name,
        _stable(field.label),
        _stable(field.help_text),
        field.required,
        field.disabled,
        field.show_hidden_initial,
        field.initial,
        form.initial.get(name),
        type(widget),
        tuple((attribute, _stable(value)) for attribute, value in widget.attrs.items()),
        id(choices),
        getattr(widget, "placeholder", None),
        values,
        errors,
        style,
        language,
    )
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _stable(value: object) -> object:
    """A value as a key: a lazy translation by identity (hashing one translates it, a tenth of the
    controls' cost; the language is in the key). Lazy labels, help texts and attributes are
    declared once per form class and copied as themselves (`Promise.__deepcopy__`), so they live
    as long as the process and their ids are not reused."""
    return ("lazy", id(value)) if isinstance(value, Promise) else value
