"""`{% slot "name" %}...{% endslot %}`: a part of a page that changes per request (`dashboard.skeleton`)."""

from __future__ import annotations

from django import template
from django.template.base import Parser, Token

from dashboard.skeleton import SlotNode

register = template.Library()


@register.tag
def slot(parser: Parser, token: Token) -> SlotNode:
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('{% slot %} takes one quoted name: {% slot "name" %}')
    nodelist = parser.parse(("endslot",))
    parser.delete_first_token()
    return SlotNode(bits[1][1:-1], nodelist)
