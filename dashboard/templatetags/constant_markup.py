"""`{% constant %}...{% endconstant %}`: markup rendered once per language and URL prefix, then
reused by every page that has it.

For the parts of a page that depend on nothing else: the site's navigation, table headers,
explanations, `{% url %}` without arguments, `{% static %}` and `{% translate %}`. Rendering them
through the template engine on every request cost a counting page about as much as its figures.
Nothing in the block may read the request or a context variable: its first rendering would be
shown to everyone. The translations and URLs it holds change only with a deployment.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import NodeList, Parser, Token
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()


class ConstantNode(template.Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist
        self.rendered: dict[tuple[str | None, str], SafeString] = {}

    def render(self, context: Any) -> SafeString:
        key = (get_language(), get_script_prefix())
        markup = self.rendered.get(key)
        if markup is None:
            markup = mark_safe(self.nodelist.render(context))
            if "\ue000" in markup:  # a slot's marker (dashboard.skeleton): kept, it would show on every page
                raise template.TemplateSyntaxError("{% slot %} cannot be inside {% constant %}")
            self.rendered[key] = markup
        return markup


@register.tag
def constant(parser: Parser, token: Token) -> ConstantNode:
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% constant %} takes no argument")
    nodelist = parser.parse(("endconstant",))
    parser.delete_first_token()
    return ConstantNode(nodelist)
