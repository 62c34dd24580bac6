"""The long lists of the economy and territory pages, written in Python: every arrangement of an
economy (`{% arrangement_rows %}`), every arrangement reaching a territory (`{% reach_rows %}`),
and an economy's partner economies and territories (`{% partner_economy_items %}`,
`{% partner_territory_items %}`).

At a hundred times the reference data an economy is a party to hundreds of arrangements, and the
template loops (a link, an include per date, a loop over the parties a row) made these pages the
slowest of the site and grow with the data. The markup is the loops' (tests/dashboard/test_fast_markup.py
compares them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from html import escape
from typing import Any
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from agreements.dates import date_format
from agreements.memo import written
from agreements.models import Arrangement, Economy
from agreements.selectors import DetailRow
from dashboard.templatetags.local_names import local_name
from dashboard.templatetags.partner_markup import url_for

register = template.Library()


class _Writer:
    """Dates, labels and party links, each worked out once per page."""

    def __init__(self) -> None:
        self.arrangement_url = url_for("arrangement-detail")
        self.economy_url = url_for("economy-detail")
        self.territory_url = url_for("territory-detail")
        self.cache: dict[tuple[object, ...], str] = {}

    def date(self, day: dt.date | None, precision: str) -> str:
        """includes/_dates.html."""
        key = ("date", day, precision)
        if key not in self.cache:
            if not day:
                text = escape(gettext("not given"))
            elif precision == "month":
                text = (
                    f'<time datetime="{escape(date_format(day, "Y-m"))}">'
                    f"{escape(date_format(day, 'YEAR_MONTH_FORMAT'))}</time> {escape(gettext('(month)'))}"
                )
            elif precision == "year":
                year = escape(date_format(day, "Y"))
                text = f'<time datetime="{year}">{year}</time> {escape(gettext("(year)"))}'
            else:
                text = (
                    f'<time datetime="{escape(date_format(day, "Y-m-d"))}">{escape(date_format(day))}</time>'
                )
                if precision == "by":
                    text = f"{escape(pgettext('date precision', 'by'))} {text}"
            self.cache[key] = text
        return self.cache[key]

    def party(self, economy: Economy) -> str:
        return self.named_party(economy.code, local_name(economy))

    def named_party(self, code: str, name: str) -> str:
        key = ("party", code)
        if key not in self.cache:
            url = escape(self.economy_url(code))
            self.cache[key] = f'<a href="{url}"><abbr title="{escape(name)}">{escape(code)}</abbr></a>'
        return self.cache[key]

    def label(self, kind: str, value: str, text: Callable[[], object]) -> str:
        """The escaped `text()` of a choice, worked out once per page and value (a model's
        `get_<field>_display` hashes the field's choices on every call)."""
        key = (kind, value)
        if key not in self.cache:
            self.cache[key] = escape(str(text()))
        return self.cache[key]

    def head(self, row: DetailRow) -> str:
        """The row's key link and parties cells."""
        arrangement = row.arrangement
        parties = ", ".join(self.named_party(code, name) for code, name in row.parties)
        return (
            f'\n    <tr>\n      <td><a href="{escape(self.arrangement_url(arrangement.key))}">'
            f"{escape(arrangement.key)}</a></td>\n      <td>{parties}</td>\n"
        )

    def tail(self, arrangement: Arrangement) -> str:
        """The row's status and evidence cells."""
        status = self.label("status", arrangement.status, arrangement.get_status_display)
        evidence = self.label("evidence", arrangement.evidence, arrangement.get_evidence_display)
        return f"      <td>{status}</td>\n      <td>{evidence}</td>\n    </tr>\n    "


@register.simple_tag
def arrangement_rows(detail_rows: Iterable[DetailRow]) -> SafeString:
    """agreements/economy_detail.html's rows: key, parties, signed, in force, ended, status, evidence
    (written once per list of rows: the selector keeps them per data version and language)."""
    return written("arrangement_rows", detail_rows, lambda: _arrangement_rows(detail_rows))


def _arrangement_rows(detail_rows: Iterable[DetailRow]) -> SafeString:
    write = _Writer()
    not_ended = escape(gettext("not ended"))
    rows = []
    for row in detail_rows:
        arrangement = row.arrangement
        ended = (
            write.date(arrangement.ended_date, arrangement.ended_precision)
            if arrangement.ended_date
            else not_ended
        )
        rows.append(
            write.head(row)
            + f"      <td>{write.date(arrangement.signed_date, arrangement.signed_precision)}</td>\n"
            + f"      <td>{write.date(arrangement.effective_date, arrangement.effective_precision)}</td>\n"
            + f"      <td>{ended}</td>\n"
            + write.tail(arrangement)
        )
    return mark_safe("".join(rows))  # every value is escaped


@register.simple_tag
def reach_rows(reaches: Iterable[DetailRow]) -> SafeString:
    """agreements/territory_detail.html's rows: key, parties, through, signed, in force, status, evidence
    (written once per list of rows, as `arrangement_rows`)."""
    return written("reach_rows", reaches, lambda: _reach_rows(reaches))


def _reach_rows(reaches: Iterable[DetailRow]) -> SafeString:
    write = _Writer()
    rows = []
    for reach in reaches:
        arrangement = reach.arrangement
        via = ", ".join(escape(code) for code in reach.via)
        rows.append(
            "\n    "
            + write.head(reach)
            + f"      <td>{via}</td>\n"
            + f"      <td>{write.date(arrangement.signed_date, arrangement.signed_precision)}</td>\n"
            + f"      <td>{write.date(arrangement.effective_date, arrangement.effective_precision)}</td>\n"
            + write.tail(arrangement)
            + "\n    "
        )
    return mark_safe("".join(rows))  # every value is escaped


def _keyed_rows(
    arrangements: Iterable[Arrangement],
    *,
    key_cell: str,
    indent: str,
    after: str,
    sources: Callable[[Arrangement], int],
    parties: Callable[[Arrangement], Iterable[tuple[str, str]]],
) -> SafeString:
    """Rows with `data-key`: key (in a `key_cell`), parties ((code, name) each), signed, in force,
    status, evidence and number of sources, each row indented by `indent` and followed by `after`,
    as its template's loop wrote them."""
    write = _Writer()
    rows = []
    for arrangement in arrangements:
        key, url = escape(arrangement.key), escape(write.arrangement_url(arrangement.key))
        links = ", ".join(write.named_party(code, name) for code, name in parties(arrangement))
        status = write.label("status", arrangement.status, arrangement.get_status_display)
        evidence = write.label("evidence", arrangement.evidence, arrangement.get_evidence_display)
        head = '<th scope="row">' if key_cell == "th" else "<td>"
        cells = [
            f'{head}<a href="{url}">{key}</a></{key_cell}>',
            f"<td>{links}</td>",
            f"<td>{write.date(arrangement.signed_date, arrangement.signed_precision)}</td>",
            f"<td>{write.date(arrangement.effective_date, arrangement.effective_precision)}</td>",
            f"<td>{status}</td>",
            f"<td>{evidence}</td>",
            f"<td>{int(sources(arrangement))}</td>",
        ]
        inner = "".join(f"\n{indent}  {cell}" for cell in cells)
        rows.append(f'\n{indent}<tr data-key="{key}">{inner}\n{indent}</tr>\n{after}')
    return mark_safe("".join(rows))  # every value is escaped


@register.simple_tag
def quality_rows(arrangements: Iterable[Arrangement]) -> SafeString:
    """agreements/data_quality.html's rows: key, parties, signed, in force, status, evidence,
    number of sources (`source_count`). The page lists up to a hundred rows in each of four lists."""

    def counted(arrangement: Any) -> int:
        return int(arrangement.source_count)  # annotated by the query

    # The report's lists are kept per data version and language (`quality.report`): each list's
    # markup is written once for them.
    return written(
        "quality_rows",
        arrangements,
        lambda: _keyed_rows(
            arrangements, key_cell="th", indent="      ", after="    ", sources=counted, parties=prefetched
        ),
    )


def prefetched(arrangement: Arrangement) -> list[tuple[str, str]]:
    """An arrangement's parties as prefetched, (code, name in the active language) each."""
    return [(party.code, local_name(party)) for party in arrangement.parties.all()]


@register.simple_tag
def arrangement_list_rows(
    arrangements: Iterable[Arrangement], parties: dict[int, list[tuple[str, str]]]
) -> SafeString:
    """agreements/arrangement_list.html's rows (a page of the list, `source_count` annotated:
    `selectors.arrangement_list_page`), with their parties (`selectors.arrangement_party_names`)."""

    def counted(arrangement: Any) -> int:
        return int(arrangement.source_count)

    return _keyed_rows(
        arrangements,
        key_cell="td",
        indent="      ",
        after="      ",
        sources=counted,
        parties=lambda arrangement: parties[arrangement.pk],
    )


@register.simple_tag
def territory_membership_rows(memberships: Iterable[Any]) -> SafeString:
    """The "members over time" rows of a bloc's or an economy's page: the territory, then
    includes/_period_cells.html (from, until, note). Belt and Road has hundreds at 100x the data."""
    territory_url = url_for("territory-detail")
    no_start, still = escape(gettext("no start date")), escape(gettext("still a member"))
    rows = []
    for membership in memberships:
        territory = membership.territory
        start = escape(date_format(membership.start_date)) if membership.start_date else no_start
        end = escape(date_format(membership.end_date)) if membership.end_date else still
        rows.append(
            "\n    <tr>\n"
            f'      <td><a href="{escape(territory_url(territory.iso3))}">{escape(local_name(territory))} '
            f"({escape(territory.iso3)})</a></td>\n"
            f"      <td>{start}</td>\n      <td>{end}</td>\n      <td>{escape(membership.note)}</td>\n"
            "\n    </tr>\n    "
        )
    return mark_safe("".join(rows))  # every value is escaped


@register.simple_tag
def covered_items(covered: Iterable[tuple[str, str, Arrangement | None]]) -> SafeString:
    """The bloc page's members covered on the day, each with the arrangement that covers it."""
    territory_url, arrangement_url = url_for("territory-detail"), url_for("arrangement-detail")
    signed = escape(gettext("signed"))
    items = []
    for code, name, arrangement in covered:
        item = f'<li data-code="{escape(code)}"><a href="{escape(territory_url(code))}">{escape(name)}</a>'
        if arrangement:
            key = escape(arrangement.key)
            item += f': <a href="{escape(arrangement_url(arrangement.key))}">{key}</a>'
            if arrangement.signed_date:
                item += f" ({signed} {escape(date_format(arrangement.signed_date))})"
        items.append(item + "</li>")
    return mark_safe("".join(items) or f"<li>{escape(gettext('None.'))}</li>")  # every value is escaped


@register.simple_tag
def not_covered_items(not_covered: Iterable[tuple[str, str]]) -> SafeString:
    territory_url = url_for("territory-detail")
    items = "".join(
        f'<li data-code="{escape(code)}"><a href="{escape(territory_url(code))}">{escape(name)}</a></li>'
        for code, name in not_covered
    )
    return mark_safe(items or f"<li>{escape(gettext('None.'))}</li>")  # every value is escaped


@register.simple_tag
def territory_list_rows(rows: Iterable[Any]) -> SafeString:
    """The territory list's rows: name, ISO codes, kind and the economies it belongs to now."""
    write = _Writer()
    none = escape(gettext("none"))
    # An economy's link, written once: the European Union's appears on 27 rows.
    links: dict[str, str] = {}

    def link(economy: Economy) -> str:
        code = economy.code
        if code not in links:
            url, name = escape(write.economy_url(code)), escape(local_name(economy))
            links[code] = f'<a href="{url}">{name} ({escape(code)})</a>'
        return links[code]

    parts = []
    for row in rows:
        territory = row.territory
        economies = ", ".join(link(e) for e in row.economies)
        kind = write.label("territory-kind", territory.kind, territory.get_kind_display)
        url, name = escape(write.territory_url(territory.iso3)), escape(local_name(territory))
        parts.append(
            "\n    <tr>\n"
            f'      <td><a href="{url}">{name}</a></td>\n'
            f"      <td>{escape(territory.iso3)}</td>\n"
            f"      <td>{escape(territory.iso2) if territory.iso2 else none}</td>\n"
            f"      <td>{kind}</td>\n"
            f"      <td>{economies or none}</td>\n    </tr>\n    "
        )
    return mark_safe("".join(parts))  # every value is escaped


@register.simple_tag
def economy_list_rows(economies: Iterable[Any]) -> SafeString:
    """The economy list's rows: code, name, kind, territories now and arrangement records."""
    write = _Writer()
    arrangements = escape(reverse("arrangement-list"))
    parts = []
    for economy in economies:
        code = escape(economy.code)
        kind = write.label("economy-kind", economy.kind, economy.get_kind_display)
        parts.append(
            "\n    <tr>\n"
            f'      <td><a href="{escape(write.economy_url(economy.code))}">{code}</a></td>\n'
            f"      <td>{escape(local_name(economy))}</td>\n"
            f"      <td>{kind}</td>\n"
            f"      <td>{int(economy.territories_now)}</td>\n"
            f'      <td><a href="{arrangements}?party={escape(quote(economy.code, safe="/"))}">'
            f"{int(economy.arrangement_count)}</a></td>\n    </tr>\n    "
        )
    return mark_safe("".join(parts))  # every value is escaped


@register.simple_tag
def partner_economy_items(economies: Iterable[tuple[str, str]]) -> SafeString:
    """An economy page's partner economies, (code, name) each (written once per list: the
    selector keeps them per interval and language)."""
    return written(
        "partner_economy_items", economies, lambda: _named_items(economies, url_for("economy-detail"))
    )


@register.simple_tag
def partner_territory_items(territories: Iterable[tuple[str, str]]) -> SafeString:
    """An economy page's partner territories, (code, name) each (as `partner_economy_items`)."""
    return written(
        "partner_territory_items", territories, lambda: _named_items(territories, url_for("territory-detail"))
    )


def _named_items(named: Iterable[tuple[str, str]], url: Callable[[str], str]) -> SafeString:
    return mark_safe(  # every value is escaped
        "".join(
            f'<li><a href="{escape(url(code))}">{escape(name)} ({escape(code)})</a></li>'
            for code, name in named
        )
    )
