"""The slots of the dashboard, the partners page and the ranking (`{% slot %}` in
agreements/dashboard.html, agreements/partner_list.html, agreements/ranking.html and the templates
they use), written in Python: the pages are served from their skeletons (`dashboard.skeleton`), and
each function here writes what its slot would render, byte for byte, from the view's context.

The template stays the page's markup and the reference for every slot:
tests/dashboard/test_skeleton.py renders the pages both ways on many economies, days, bases,
blocs, rankings, languages and odd parameters, and compares the bytes. A slot added to the template without a
function here is rendered by the template engine per request, and is still right.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any
from urllib.parse import quote

from django import template
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, gettext_noop, ngettext

from agreements.dates import date_format, today
from agreements.escaping import escaped
from dashboard.i18n import LanguageLink, language_links
from dashboard.skeleton import Provider
from dashboard.templatetags.coverage import in_force_gaps, official_figures
from dashboard.templatetags.form_markup import form_fields
from dashboard.templatetags.language_markup import (
    alternate_links,
    language_suggestion,
    language_switcher_items,
)
from dashboard.templatetags.partner_markup import bloc_items, partner_rows
from dashboard.templatetags.sharing import chart_downloads, cite_panel, export_links, fixed_path, link_preview

Context = template.Context


def _text(value: Any) -> str:
    """A value as `{{ value }}` and `{% blocktranslate %}` write it (autoescape on, no thousands
    separator): markup as it is, anything else as text, escaped."""
    return escaped(value if isinstance(value, str) else str(value))


def _day(value: dt.date) -> str:
    """`{{ value|date }}`: the day in the active language's DATE_FORMAT."""
    return date_format(value, None)


def _links(context: Context) -> list[LanguageLink]:
    """The `language_links` context processor's value, worked out once per page."""
    kept = context.render_context
    if "aeo-language-links" not in kept:
        kept["aeo-language-links"] = language_links(context["request"])["language_links"]
    return kept["aeo-language-links"]


def _name(context: Context) -> str:
    return _text(context["data"].economy_name)


def _dated_title(message: str) -> Provider:
    """A page's title and its citation's: `message` ("%(economy)s as of %(day)s", marked with
    `gettext_noop`) translated, with the economy's name and the day counted."""

    def title(context: Context) -> SafeString:
        return SafeString(
            gettext(message) % {"economy": _name(context), "day": _text(_day(context["summary"].as_of))}
        )

    return title


def _cited(title: Provider) -> Provider:
    """The citation panel under `title`, which the page's context keeps as `cite_title`."""

    def cite(context: Context) -> str:
        context["cite_title"] = text = title(context)
        return cite_panel(context, text)

    return cite


_as_of_title = _dated_title(gettext_noop("%(economy)s as of %(day)s"))  # "China as of 31 August 2021"


def _titled(context: Context, name: str, message: str, **values: object) -> SafeString:
    """`{% blocktranslate asvar name %}`: the translated message, kept in the context as `name`."""
    title = SafeString(gettext(message) % {key: _text(value) for key, value in values.items()})
    context[name] = title
    return title


def _rank(value: int | None) -> str:
    return str(value) if value else "\N{EN DASH}"  # `|default:"\N{EN DASH}"`


def _query(summary: Any, *days: tuple[str, dt.date]) -> str:
    """`?economy=...&amp;as_of=...&amp;basis=...&amp;evidence=...` as the why links write it."""
    dated = "".join(f"&amp;{name}={day.isoformat()}" for name, day in days)
    return (
        f"?economy={_text(summary.economy)}{dated}"
        f"&amp;basis={_text(summary.basis)}&amp;evidence={_text(summary.evidence)}"
    )


def _in_force_gaps(context: Context) -> str:
    values = in_force_gaps(context)
    if not values["shown"]:  # every basis but in force: the same (empty) markup
        return _gaps_not_shown()
    return get_template("includes/_in_force_gaps.html").render(values)


@functools.cache
def _gaps_not_shown() -> str:
    return get_template("includes/_in_force_gaps.html").render({"shown": False})


def _non_field_errors(context: Context) -> str:
    errors = context["form"].non_field_errors()
    return f'<div class="error" role="alert">{_text(errors)}</div>' if errors else ""


def _extra_hidden(context: Context) -> str:
    return "".join(
        f'<input type="hidden" name="{_text(name)}" value="{_text(value)}">'
        for name, value in context.get("extra_hidden") or ()
    )


def _map_title(context: Context) -> str:
    summary = context["summary"]
    _titled(
        context,
        "map_title",
        "World map of the %(count)s partner territories of %(economy)s",
        count=summary.partner_countries,
        economy=context["data"].economy_name,
    )
    return ""


def _race_downloads(measure: str) -> Provider:
    messages = {
        "countries": "Cumulative partner countries and regions of %(economy)s and the leaders",
        "economies": "Cumulative partner economies of %(economy)s and the leaders",
    }

    def write(context: Context) -> str:
        title = _titled(
            context, f"race_{measure}_title", messages[measure], economy=context["data"].economy_name
        )
        return chart_downloads(
            context,
            f"race-{measure}",
            title,
            f"race-{measure}",
            embed="embed-race",
            embed_query=f"measure={measure}",
            embed_height=480,
        )

    return write


def _report_link(context: Context) -> str:
    about = gettext("Report a correction about %(name)s") % {"name": _name(context)}
    url = fixed_path("correction-new", get_language(), get_script_prefix())
    key = quote(str(context["params"]["economy"]), safe="/")  # `|urlencode`
    return (
        f'\n<p class="report-link"><a href="{url}?record=economy%3A{key}" '
        f'data-testid="report-correction">{about}</a></p>\n'
    )


PROVIDERS: dict[str, Provider] = {
    # base.html
    "link_preview": link_preview,
    "alternate_links": lambda c: alternate_links(_links(c)),
    "language_switcher": lambda c: language_switcher_items(_links(c)),
    # agreements/dashboard.html
    "title": _as_of_title,
    "language_suggestion": lambda c: language_suggestion(_links(c)),
    "headline": lambda c: gettext("AEO mutual recognition: %(economy)s") % {"economy": _name(c)},
    "first_year": lambda c: _text(c["first_year"]),
    "today": lambda c: today().isoformat(),  # `{% now 'Y-m-d' %}`
    "lede": lambda c: (
        gettext(
            "As of <strong>%(day)s</strong>, on the <strong>%(basis)s</strong> basis, counting "
            "<strong>%(evidence)s</strong> evidence and stronger."
        )
        % {
            "day": _text(_day(c["summary"].as_of)),
            "basis": _text(c["basis_label"]),
            "evidence": _text(c["evidence_label"]),
        }
    ),
    "in_force_gaps": _in_force_gaps,
    "partner_countries": lambda c: str(c["summary"].partner_countries),
    "rank_by_countries": lambda c: _rank(c["summary"].rank_by_countries),
    "partner_economies": lambda c: str(c["summary"].partner_economies),
    "rank_by_economies": lambda c: _rank(c["summary"].rank_by_economies),
    "why_query": lambda c: _query(c["summary"], ("as_of", c["summary"].as_of)),
    "between_query": lambda c: _query(c["summary"], ("from", c["year_before"]), ("to", c["summary"].as_of)),
    "official_figures": official_figures,
    "bloc_items": lambda c: bloc_items(c["bloc_rows"], c["summary"]),
    "map_title": _map_title,
    "map_label": lambda c: _text(c["map_title"]),
    "map_downloads": lambda c: chart_downloads(
        c, "map", c["map_title"], "map", embed="embed-map", embed_height=600
    ),
    "map_script": lambda c: _text(c["map_script"]),
    "race_note": lambda c: (
        gettext(
            "Cumulative partners of %(economy)s (thick line) against the five other economies that lead "
            "each measure on this date."
        )
        % {"economy": _name(c)}
    ),
    "race_countries_downloads": _race_downloads("countries"),
    "race_economies_downloads": _race_downloads("economies"),
    "race_scripts": lambda c: c["race_scripts"],
    "table_title": lambda c: gettext("Partner territories (%(count)s)") % {"count": len(c["data"].rows)},
    "partner_rows": lambda c: partner_rows(c["rows"]),
    "report_link": _report_link,
    "cite": _cited(_as_of_title),
    # includes/_controls.html
    "non_field_errors": _non_field_errors,
    "form_fields": lambda c: form_fields(c["form"], error_ids=True),
    "extra_hidden": _extra_hidden,
}
# The page of an invalid form: its controls and the frame.
ERROR_PROVIDERS = {
    name: PROVIDERS[name]
    for name in (
        "link_preview",
        "alternate_links",
        "language_switcher",
        "language_suggestion",
        "non_field_errors",
        "form_fields",
        "extra_hidden",
    )
}


# agreements/partner_list.html


_partners_title = _dated_title(gettext_noop("Partners of %(economy)s as of %(day)s"))


def _bloc_options(context: Context) -> str:
    data, chosen = context.get("data"), context.get("bloc")
    if data is None:
        return ""
    options = []
    for code, name in data.bloc_names.items():
        selected = " selected" if code == chosen else ""
        options.append(f'<option value="{_text(code)}"{selected}>{_text(name)} ({_text(code)})</option>')
    return "".join(options)


def _result_count(context: Context) -> str:
    count, bloc = len(context["rows"]), context.get("bloc")
    values = {"counter": count, "day": _text(_day(context["summary"].as_of))}
    if bloc:
        message = ngettext(
            '<span data-testid="row-count">%(counter)s</span> partner territory in %(bloc)s as of %(day)s.',
            '<span data-testid="row-count">%(counter)s</span> partner territories in %(bloc)s as of %(day)s.',
            count,
        )
        return message % {**values, "bloc": _text(bloc)}
    message = ngettext(
        '<span data-testid="row-count">%(counter)s</span> partner territory as of %(day)s.',
        '<span data-testid="row-count">%(counter)s</span> partner territories as of %(day)s.',
        count,
    )
    return message % values


PARTNER_PROVIDERS: dict[str, Provider] = {
    name: PROVIDERS[name]
    for name in ("link_preview", "alternate_links", "language_switcher", "in_force_gaps")
} | {
    "title": _partners_title,
    "headline": lambda c: gettext("Partner territories of %(economy)s") % {"economy": _name(c)},
    "form_fields": lambda c: form_fields(c["form"]),
    "bloc_options": _bloc_options,
    "bloc_error": lambda c: _text(c["bloc_error"]),
    "result_count": _result_count,
    "export_links": export_links,
    "partner_rows": lambda c: partner_rows(c["rows"]),
    "cite": _cited(_partners_title),
}


# agreements/ranking.html


def _ranking_title(context: Context) -> SafeString:
    """The page's title and its citation's: "Ranking as of 31 August 2021"."""
    return SafeString(gettext("Ranking as of %(day)s") % {"day": _text(_day(context["params"]["as_of"]))})


def _translated_as(name: str, message: str) -> Provider:
    """`{% translate message as name %}`: the translated message kept in the context as `name`
    (plain text, escaped where it is written), nothing written."""

    def keep(context: Context) -> str:
        context[name] = gettext(message)
        return ""

    return keep


# The map's title follows the measure it is coloured by ("Rank by").
_RANKING_MAP_TITLES = {
    by: _translated_as("ranking_map_title", message)
    for by, message in (
        ("economies", gettext_noop("World map of partner economies by economy")),
        ("countries", gettext_noop("World map of partner countries and regions by economy")),
    )
}


def _ranking_map_title(context: Context) -> str:
    return _RANKING_MAP_TITLES["economies" if context.get("map_by") == "economies" else "countries"](context)


def _figure(name: str) -> Provider:
    """`{{ figures.<name> }}`: a table's rows or a chart's script, kept per interval by the view."""
    return lambda c: _text(c["figures"][name])


def _ranking_downloads(chart_id: str, title: str, stem: str, **embed: Any) -> Provider:
    """`{% chart_downloads chart_id title stem ... %}` under the title the slot before it kept."""
    return lambda c: chart_downloads(c, chart_id, c[title], stem, **embed)


def _ranking_chart(measure: str) -> dict[str, Provider]:
    """The slots of the bar chart and the table of one measure ("countries", "economies")."""
    titles = {
        "countries": gettext_noop("Leading economies by partner countries and regions"),
        "economies": gettext_noop("Leading economies by partner economies"),
    }
    return {
        f"{measure}_title": _translated_as("chart_title", titles[measure]),
        f"{measure}_label": lambda c: _text(c["chart_title"]),
        f"{measure}_script": _figure(f"{measure}_script"),
        f"{measure}_downloads": _ranking_downloads(
            f"ranking-{measure}-chart",
            "chart_title",
            f"ranking-{measure}",
            embed="embed-ranking",
            embed_query=f"by={measure}",
            embed_height=560,
        ),
        f"{measure}_rows": _figure(f"{measure}_rows"),
    }


RANKING_PROVIDERS: dict[str, Provider] = {
    name: PROVIDERS[name]
    for name in (
        "link_preview",
        "alternate_links",
        "language_switcher",
        "first_year",
        "today",
        "in_force_gaps",
    )
} | {
    "title": _ranking_title,
    "form_fields": PARTNER_PROVIDERS["form_fields"],
    "export_links": export_links,
    "map_title": _ranking_map_title,
    "map_label": lambda c: _text(c["ranking_map_title"]),
    "map_script": _figure("map_script"),
    "map_downloads": _ranking_downloads("ranking-map", "ranking_map_title", "ranking-map"),
    **_ranking_chart("countries"),
    **_ranking_chart("economies"),
    "time_title": _translated_as(
        "time_title", gettext_noop("Arrangements signed and in force per year, and cumulative")
    ),
    "time_label": lambda c: _text(c["time_title"]),
    "arrangements_script": _figure("arrangements_script"),
    "time_downloads": _ranking_downloads("arrangements-time", "time_title", "arrangements-by-year"),
    "cite": _cited(_ranking_title),
}
# The page of an invalid form: its controls and the frame.
RANKING_ERROR_PROVIDERS = {
    name: RANKING_PROVIDERS[name]
    for name in ("link_preview", "alternate_links", "language_switcher", "form_fields")
}
