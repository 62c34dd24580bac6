"""Recent changes: every recorded change of the registry, newest first, as a page and an Atom feed.

Both are public. User names are shown to staff only, on the page; the feed never carries them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from agreements.history import Change, recent_changes
from agreements.paging import page_context
from agreements.validators import xml_text

FEED_ITEMS = 50


def change_list(request: HttpRequest) -> HttpResponse:
    page, changes = recent_changes(request.GET.get("page"))
    return render(
        request,
        "agreements/recent_changes.html",
        {
            **page_context(page),
            "changes": changes,
        },
    )


def describe(change: Change) -> str:
    """One line per field: `name: old -> new`."""
    return "\n".join(
        f"{item.name}: {item.old or '(empty)'} -> {item.new or '(empty)'}" for item in change.fields
    )


class ChangeFeed(Feed):
    feed_type = Atom1Feed
    title = "AEO Registry: recent changes"
    subtitle = "Every change to the registry's records, newest first."
    description = subtitle

    def link(self) -> str:
        return reverse("change-list")

    def items(self) -> list[Change]:
        return recent_changes(1, per_page=FEED_ITEMS)[1]

    # XML cannot hold most control characters (nor U+FFFE, U+FFFF): a value stored before the models
    # refused them (or written around the validators) loses them here instead of breaking the feed.
    def item_title(self, item: Change) -> str:
        return xml_text(f"{item.model.capitalize()} {item.record} {item.kind}")

    def item_description(self, item: Change) -> str:
        return xml_text(describe(item) or item.kind)

    def item_link(self, item: Change) -> str:
        return f"{reverse('change-list')}#change-{item.id}"

    def item_pubdate(self, item: Change) -> Any:
        return item.at

    def item_updateddate(self, item: Change) -> Any:
        return item.at
