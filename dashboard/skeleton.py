"""A page rendered once per language as a skeleton, then filled per request by Python (issue 16).

A counting page missed by the page cache used to go through the template engine on every request:
on the dashboard, about two thirds of a miss. Most of its markup is the same on every request in
one language (the frame, headings, explanations, URLs without arguments); what changes is marked
in the template with `{% slot "name" %}...{% endslot %}`.

- Rendered as usual (every page but those served through `render_page`), a slot renders what it
  holds: the template stays the whole page, and the markup of every slot.
- Through `render_page`, the template is rendered once per language, URL prefix and `variant`
  (the few facts outside the slots that choose the markup, such as whether the form was valid),
  with each slot written as a marker, then split at the markers. Per request only the slots are
  written: by the page's Python writer for the slot (`providers`, by name), or else by rendering
  what the slot holds with the request's context, as the template would have.

Outside its slots a page must read nothing that changes per request (the skeleton would show the
first request's value to everyone), and a slot must not sit in a loop. The page's tests render
every page both ways, and compare the bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from contextvars import ContextVar
from typing import Any

from django import template
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.template.base import NodeList
from django.template.context import make_context
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# The slots met while a skeleton renders (None otherwise): a slot writes its marker instead.
_RENDERING: ContextVar[list[SlotNode] | None] = ContextVar("aeo_skeleton_slots", default=None)
# Private-use characters: nothing else in a skeleton (rendered without a request) can hold them.
_MARKER = re.compile("\ue000([0-9]+)\ue001")

Provider = Callable[[template.Context], str]


class SlotNode(template.Node):
    def __init__(self, name: str, nodelist: NodeList) -> None:
        self.name = name
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString | str:
        slots = _RENDERING.get()
        if slots is None:
            return self.nodelist.render(context)
        slots.append(self)
        return mark_safe(f"\ue000{len(slots) - 1}\ue001")


class Skeleton:
    """A page's fixed markup (`pieces`) around its slots: pieces[0], slot 0, pieces[1], ..."""

    def __init__(self, markup: str, slots: list[SlotNode]) -> None:
        parts = _MARKER.split(markup)
        self.pieces = parts[0::2]
        self.slots = [slots[int(number)] for number in parts[1::2]]
        if any("\ue000" in piece or "\ue001" in piece for piece in self.pieces):
            raise ValueError("a skeleton holds a stray slot marker")


# (template name, variant, language, URL prefix) -> its skeleton. Templates change only with a
# deployment; the variants of a page are few (the page's view names them).
_SKELETONS: dict[tuple[str, tuple[tuple[str, object], ...], str, str], Skeleton] = {}


def skeleton(template_name: str, variant: Mapping[str, object]) -> Skeleton:
    """The skeleton of `template_name`, rendered with `variant` as its only context."""
    facts = tuple(sorted(variant.items()))
    key = (template_name, facts, get_language() or "", get_script_prefix())
    kept = _SKELETONS.get(key)
    if kept is None:
        slots: list[SlotNode] = []
        token = _RENDERING.set(slots)
        try:
            markup = loader.get_template(template_name).render(dict(facts))
        finally:
            _RENDERING.reset(token)
        kept = _SKELETONS[key] = Skeleton(markup, slots)
    return kept


def render_page(
    request: HttpRequest,
    template_name: str,
    context: dict[str, Any],
    *,
    variant: Mapping[str, object],
    providers: Mapping[str, Provider],
    status: int | None = None,
) -> HttpResponse:
    """What `render(request, template_name, context, status=status)` answers, written from the
    page's skeleton: each slot by its provider, or else through the template engine."""
    kept = skeleton(template_name, variant)
    # The providers' context: the view's, with the request (no context processors: a provider
    # that needs their values works them out; a slot without one gets the full context below).
    plain = template.Context({**context, "request": request})
    full: template.Context | None = None
    out = [kept.pieces[0]]
    with ExitStack() as stack:
        for slot, piece in zip(kept.slots, kept.pieces[1:], strict=True):
            provider = providers.get(slot.name)
            if provider is not None:
                out.append(provider(plain))
            else:
                if full is None:
                    full = _full_context(stack, request, template_name, context)
                # What the writers before it set (an `asvar` title) is seen here, and what the
                # slot sets is seen by the writers after it, as in one rendering of the template.
                before = plain.flatten()
                with full.push(before) as layer:
                    out.append(slot.nodelist.render(full))
                for name, value in layer.items():
                    if name not in before or before[name] is not value:
                        plain[name] = value
            out.append(piece)
    return HttpResponse("".join(out), status=status)


def _full_context(
    stack: ExitStack, request: HttpRequest, template_name: str, context: dict[str, Any]
) -> template.Context:
    """The context the template renders with, context processors included, bound while `stack` is open."""
    compiled = loader.get_template(template_name).template  # type: ignore[attr-defined]  # the backend's Template
    full = make_context(context, request)
    stack.enter_context(full.render_context.push_state(compiled))
    stack.enter_context(full.bind_template(compiled))
    full.template_name = template_name
    return full
