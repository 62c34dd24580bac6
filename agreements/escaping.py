"""`escaped(value)`: what `{{ value }}` writes with autoescape on, for markup written in Python.

Django's `conditional_escape` goes through `escape`'s lazy-string wrapper on every call; the
pages' Python writers call it about a hundred times per page, a twentieth of a dashboard miss
(issue 16). A plain string is escaped here with `html.escape`, which is what Django's `escape`
calls; markup (anything with `__html__`, a `SafeString` included) and every other value go
through `conditional_escape` as before. The result is text, to be placed in markup that is then
marked safe: passed to `conditional_escape` again, it would be escaped twice.
"""

from __future__ import annotations

import html
from typing import Any

from django.utils.html import conditional_escape


def escaped(value: Any) -> str:
    if type(value) is str:  # exactly str: a SafeString (a subclass) is markup, kept as it is
        return html.escape(value)
    return str(conditional_escape(value))
