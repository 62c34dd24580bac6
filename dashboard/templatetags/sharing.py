"""Leaving the site with a view: its permanent URL, "Cite this view", and chart downloads (issue 15).

`{% cite_panel title %}` writes the citation panel; `{% chart_downloads chart_id title stem %}` the
PNG and SVG buttons of one chart, with the caption the image carries (title, as-of date, basis,
evidence, "Source: AEO Registry" with the view's URL, and the data version). Both read the page's
state from the template context: `params` (a form's cleaned data) where the view set it, the
query string otherwise, and the page's declared parameters (`page_parameters`, set by
`ops.caching.cached_by_data_version`) to decide whether the view takes `as_of`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from html import escape
from typing import Any, cast
from urllib.parse import urlencode

from django import template
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, QueryDict
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop

from agreements.choices import Basis, Evidence
from agreements.dates import date_format, today
from agreements.escaping import escaped
from agreements.versioning import current_version
from dashboard.citation import Citation, bibtex_key

register = template.Library()

# Query parameters that choose a file format or a page of rows, not what the view shows.
_NOT_THE_VIEW = frozenset({"format", "bom"})


def _page_parameters(request: HttpRequest) -> frozenset[str]:
    match = request.resolver_match
    return getattr(match.func, "page_parameters", frozenset()) if match else frozenset()


def _value(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def view_state(context: template.Context) -> dict[str, str]:
    """What the view shows, as query parameters: the query string, the form's cleaned values
    (defaults made explicit) and `as_of` always stated where the view takes it. Worked out once
    per rendering of the page (every chart and the citation ask); do not change it."""
    return cast("dict[str, str]", _once(context, "aeo-sharing-view-state", _view_state))


def _once(context: template.Context, key: str, build: Callable[[template.Context], Any]) -> Any:
    """`build(context)`, kept in the page's render context: worked out once per rendering."""
    kept = getattr(context, "render_context", None)
    if kept is None:
        return build(context)
    if key not in kept:
        kept[key] = build(context)
    return kept[key]


def _view_state(context: template.Context) -> dict[str, str]:
    request: HttpRequest = context["request"]
    names = _page_parameters(request)
    state: dict[str, str] = {}
    for key in request.GET:
        value = request.GET.get(key, "")
        if key not in _NOT_THE_VIEW and value:
            state[key] = value
    params = context.get("params")
    if isinstance(params, dict):
        for key, value in params.items():
            if key in names and value not in (None, ""):
                state[key] = _value(value)
    if "as_of" in names and not state.get("as_of"):
        state["as_of"] = today().isoformat()
    return state


def view_url(context: template.Context) -> str:
    """The view's permanent absolute URL (worked out once per rendering of the page)."""
    return cast("str", _once(context, "aeo-sharing-view-url", _view_url))


def _view_url(context: template.Context) -> str:
    request: HttpRequest = context["request"]
    query = urlencode(list(view_state(context).items()))  # as a QueryDict of them encodes them
    url = request.build_absolute_uri(request.path)
    return f"{url}?{query}" if query else url


def _as_of(state: dict[str, str]) -> str:
    return state.get("as_of") or today().isoformat()


def chart_note(context: template.Context) -> str:
    """The caption every downloaded chart carries, in the page's language (two lines, "\\n"):
    the same for every chart of the page, worked out once per rendering."""
    return cast("str", _once(context, "aeo-sharing-chart-note", _chart_note))


def _chart_note(context: template.Context) -> str:
    state = view_state(context)
    words = _note_words(translation.get_language())
    facts = [words["as of"] % {"day": _as_of(state)}]
    if (basis := words["bases"].get(state.get("basis", ""))) is not None:
        facts.append(basis)
    if (evidence := words["evidence levels"].get(state.get("evidence", ""))) is not None:
        facts.append(evidence)
    source = words["source"] % {"url": view_url(context)}
    version = words["version"] % {"version": current_version()}
    return " · ".join(facts) + "\n" + f"{source} · {version}"


@functools.cache
def _note_words(language: str | None) -> dict[str, Any]:
    """The chart note's words in `language`: its messages, and each basis and evidence level as
    the note states it (translated once, not on every chart of every page)."""
    with translation.override(language):
        return {
            "as of": gettext("As of %(day)s"),
            "bases": {value: gettext("%(basis)s basis") % {"basis": label} for value, label in Basis.choices},
            "evidence levels": {
                value: gettext("%(evidence)s evidence and stronger") % {"evidence": label}
                for value, label in Evidence.choices
            },
            "source": gettext("Source: AEO Registry, %(url)s"),
            "version": gettext("data version %(version)s"),
        }


def _filename(stem: str, state: dict[str, str]) -> str:
    parts = [stem, state.get("economy", ""), _as_of(state)]
    name = "-".join(p for p in parts if p)
    language = translation.get_language() or "en"
    return name if language == "en" else f"{name}.{language}"


# The parameters an embed takes from the page it is offered on.
_EMBED_PARAMETERS = ("economy", "as_of", "basis", "evidence", "by")


def _embed_path(embed: str) -> str:
    """An embed's path: given as a path, or as the name of an embed URL without arguments."""
    if embed.startswith("/"):
        return embed
    return fixed_path(embed, translation.get_language(), get_script_prefix())


@functools.cache
def fixed_path(name: str, language: str | None, prefix: str) -> str:
    """The path of a URL without arguments, in `language` under the script `prefix` (fixed per
    deployment): a `{% url %}` per chart cost more than the chart's buttons."""
    from django.urls import reverse

    with translation.override(language):
        return reverse(name)


def _embed_query(context: template.Context) -> str:
    """The page's state that an embed takes, encoded (once per rendering: a page offers several)."""
    return urlencode([(key, value) for key, value in view_state(context).items() if key in _EMBED_PARAMETERS])


def embed_snippet(context: template.Context, path: str, extra: str, title: str, height: int) -> str:
    """The `<iframe>` that embeds a chart: its /embed/ URL with the page's state, and a size."""
    request: HttpRequest = context["request"]
    encoded = "&".join(
        part for part in (_once(context, "aeo-sharing-embed-query", _embed_query), extra) if part
    )
    url = request.build_absolute_uri(path) + (f"?{encoded}" if encoded else "")
    # Plain text (the page shows it to be copied): the values are escaped for the HTML it is.
    return (
        f'<iframe src="{escape(url)}" width="100%" height="{int(height)}" title="{escape(title)}" '
        'loading="lazy"></iframe>'
    )


@register.simple_tag(takes_context=True)
def chart_downloads(
    context: template.Context,
    chart_id: str,
    title: str,
    stem: str,
    embed: str = "",
    embed_query: str = "",
    embed_height: int = 560,
) -> SafeString:
    """The PNG and SVG buttons of a chart, and its embed snippet when `embed` (an /embed/ path, or
    the name of an embed URL without arguments).

    Written in Python, not through an included template: a dashboard has three, and the template
    engine cost more than the rest of the markup (issue 16). tests/dashboard/test_fast_markup.py checks
    that it writes what the template it replaced wrote."""
    state = view_state(context)
    snippet = ""
    if embed:
        snippet = embed_snippet(context, _embed_path(embed), embed_query, str(title), embed_height)
    return chart_downloads_markup(
        chart_id=str(chart_id),
        title=str(title),
        note=chart_note(context),
        filename=_filename(stem, state),
        snippet=snippet,
    )


def chart_downloads_markup(
    *, chart_id: str, title: str, note: str, filename: str, snippet: str
) -> SafeString:
    labels = _download_labels(translation.get_language())
    chart, heading = escaped(chart_id), escaped(title)
    markup = (
        f'<p class="chart-downloads" data-chart-downloads="{chart}" data-title="{heading}" '
        f'data-note="{escaped(note)}" data-filename="{escaped(filename)}" hidden>\n'
        f'  <button type="button" data-format="png">{labels["png"]}<span class="visually-hidden">: '
        f"{heading}</span></button>\n"
        f'  <button type="button" data-format="svg">{labels["svg"]}<span class="visually-hidden">: '
        f"{heading}</span></button>\n</p>"
    )
    if snippet:
        markup += (
            f'\n<details class="embed-snippet" data-embed="{chart}">\n'
            f'  <summary>{labels["embed"]}<span class="visually-hidden">: {heading}</span></summary>\n'
            f"  <p>{labels['paste']}</p>\n"
            f'  <pre class="cite-text" id="embed-{chart}" tabindex="0">{escaped(snippet)}</pre>\n'
            f'  <button type="button" data-copy="embed-{chart}" hidden>{labels["copy"]}'
            f'<span class="visually-hidden"> {labels["embed"]}</span></button>\n'
            f'  <p class="copy-status" role="status" aria-live="polite" data-copied="{labels["copied"]}" '
            f'data-select="{labels["select"]}"></p>\n</details>'
        )
    return mark_safe(markup + "\n")  # every value above is escaped


def _escaped_words(language: str | None, words: dict[str, str]) -> dict[str, str]:
    """`words` (name: message) translated into `language` and escaped."""
    with translation.override(language):
        return {name: conditional_escape(gettext(text)) for name, text in words.items()}


# The words of the tags below, marked for makemessages (the templates they replaced held them)
# and translated once per language (translations change only with a deployment).
_DOWNLOAD_WORDS = {
    "png": gettext_noop("Download PNG"),
    "svg": gettext_noop("Download SVG"),
    "embed": gettext_noop("Embed"),
    "paste": gettext_noop("Paste this into a web page to show the chart there, with its source line:"),
    "copy": gettext_noop("Copy"),
    "copied": gettext_noop("Copied."),
    "select": gettext_noop("Selected: press Ctrl+C (⌘C) to copy."),
}
_EXPORT_WORDS = {
    "download": gettext_noop("Download these rows:"),
    "csv_excel": gettext_noop("CSV for Excel"),
    "excel": gettext_noop("Excel workbook"),
    "all": gettext_noop("all data"),
}
_CITE_WORDS = {
    "summary": gettext_noop("Cite this view"),
    "link": gettext_noop("Permanent link"),
    "apa": gettext_noop("APA"),
    "copy": gettext_noop("Copy"),
    "copied": gettext_noop("Copied."),
    "select": gettext_noop("Selected: press Ctrl+C (⌘C) to copy."),
}


@functools.cache
def _download_labels(language: str | None) -> dict[str, str]:
    """The chart buttons' words in `language`, escaped."""
    return _escaped_words(language, _DOWNLOAD_WORDS)


# The twins of a list: (format, bom) as the links ask for them, in the links' order.
_TWINS = (("csv", None), ("csv", "1"), ("xlsx", None), ("json", None))


def twin_query(query: QueryDict, fmt: str, bom: str | None) -> str:
    """`{% querystring format=fmt bom=bom page=None %}` of `query`: the same parameters in the same
    order, `format` (and `bom`, or none) set in place or appended, no `page`."""
    pairs: list[tuple[str, str]] = []
    placed = {"format": False, "bom": bom is None}
    for key, values in query.lists():
        if key == "format":
            pairs.append((key, fmt))
            placed["format"] = True
        elif key == "bom":
            if bom is not None:
                pairs.append((key, bom))
                placed["bom"] = True
        elif key != "page":
            pairs.extend((key, value) for value in values)
    if not placed["format"]:
        pairs.append(("format", fmt))
    if not placed["bom"]:
        pairs.append(("bom", bom or ""))
    return "?" + urlencode(pairs)


@register.simple_tag(takes_context=True)
def export_links(context: template.Context) -> SafeString:
    """Links to the CSV, JSON and Excel twins of a list: the same query string, every row (no
    page). Written in Python (the four `{% querystring %}` tags it replaced cost a tenth of a
    millisecond on every list and counting page); tests/dashboard/test_fast_markup.py compares."""
    query = context["request"].GET
    labels = _export_labels(translation.get_language(), get_script_prefix())
    csv, csv_bom, xlsx, json = (escaped(twin_query(query, fmt, bom)) for fmt, bom in _TWINS)
    return mark_safe(  # the queries are escaped, the labels escaped once per language
        f'\n<p class="export-links">{labels["download"]} '
        f'<a href="{csv}" download data-testid="export-csv">CSV</a>\n'
        f'· <a href="{csv_bom}" download data-testid="export-csv-bom">{labels["csv_excel"]}</a>\n'
        f'· <a href="{xlsx}" download data-testid="export-xlsx">{labels["excel"]}</a>\n'
        f'· <a href="{json}" download data-testid="export-json">JSON</a>\n'
        f'· <a href="{labels["all_url"]}">{labels["all"]}</a></p>\n'
    )


@functools.cache
def _export_labels(language: str | None, prefix: str) -> dict[str, str]:
    """The export links' words in `language`, escaped, and the full download's path under the
    script `prefix`."""
    return {
        **_escaped_words(language, _EXPORT_WORDS),
        "all_url": conditional_escape(fixed_path("data-download", language, prefix)),
    }


@register.simple_tag(takes_context=True)
def cite_panel(context: template.Context, title: str, code: str = "") -> SafeString:
    """The panel for a view titled `title` ("China (CHN)" when a `code` is given).

    Written in Python, not through an included template, as `chart_downloads` is: every counting
    page has one, and the template engine cost a tenth of a page's miss (issue 16).
    tests/dashboard/test_fast_markup.py checks that it writes what the template it replaced wrote."""
    title = f"{title} ({code})" if code else str(title)
    state = view_state(context)
    accessed = today()
    request: HttpRequest = context["request"]
    path_key = request.path.strip("/").replace("/", "-")
    citation = Citation(
        title=title,
        url=view_url(context),
        data_version=current_version(),
        accessed=accessed,
        key=bibtex_key(path_key, state.get("economy", ""), state.get("as_of", "")),
    )
    return cite_panel_markup(
        citation=citation,
        apa=citation.apa(date_format(accessed)),
        bibtex=citation.bibtex(),
        ris=citation.ris(),
    )


def cite_panel_markup(*, citation: Citation, apa: str, bibtex: str, ris: str) -> SafeString:
    labels = _cite_labels(translation.get_language())
    about = _cite_about(translation.get_language()) % {
        "version": escaped(citation.data_version),
        "day": escaped(date_format(citation.accessed)),
    }
    items = [("url", labels["link"], labels["link"], citation.url), ("apa", labels["apa"], "APA", apa)]
    items += [("bibtex", "BibTeX", "BibTeX", bibtex), ("ris", "RIS", "RIS", ris)]
    summary = f'<details class="cite-panel" id="cite">\n  <summary>{labels["summary"]}</summary>\n'
    markup = [f"{summary}  <p>{about}</p>\n"]
    for name, heading, copy_label, text in items:
        markup.append(
            f'  <div class="cite-item">\n    <h3 id="cite-{name}-title">{heading}</h3>\n'
            f'    <pre id="cite-{name}" class="cite-text" tabindex="0" aria-labelledby="cite-{name}-title">'
            f"{escaped(text)}</pre>\n"
            f'    <button type="button" data-copy="cite-{name}" hidden>{labels["copy"]}'
            f'<span class="visually-hidden"> {copy_label}</span></button>\n  </div>\n'
        )
    markup.append(
        f'  <p class="copy-status" role="status" aria-live="polite" data-copied="{labels["copied"]}" '
        f'data-select="{labels["select"]}"></p>\n</details>\n'
    )
    return mark_safe("".join(markup))  # every value above is escaped


@functools.cache
def _cite_labels(language: str | None) -> dict[str, str]:
    """The citation panel's words in `language`, escaped."""
    return _escaped_words(language, _CITE_WORDS)


@functools.cache
def _cite_about(language: str | None) -> str:
    """The citation panel's explanation in `language` (its values are escaped, not its words)."""
    with translation.override(language):
        return gettext(
            "The figures come from data version %(version)s, accessed on %(day)s. The permanent link "
            "states the date the figures are counted for, so it shows the same view later."
        )


def _summary_and_name(context: template.Context) -> tuple[Any, str]:
    """The economy figures the page shows, and the economy's name, if it shows one's."""
    summary = context.get("summary")
    data = context.get("data")
    if summary is not None and data is not None and hasattr(data, "economy_name"):
        return summary, str(data.economy_name)
    page = context.get("page")
    if page is not None and hasattr(page, "summary") and hasattr(page, "economy"):
        from dashboard.templatetags.local_names import local_name

        return page.summary, str(local_name(page.economy))
    return None, ""


@register.simple_tag(takes_context=True)
def link_preview(context: template.Context) -> SafeString:
    """`<meta name="description">`, OpenGraph and Twitter card tags: the figures in words, and
    the preview image of the view (`/preview.png`, drawn by `dashboard.preview`). Written in
    Python as `cite_panel` is (every page has it); tests/dashboard/test_fast_markup.py holds the template
    it replaced."""
    return link_preview_markup(**_link_preview(context))


def link_preview_markup(
    *,
    description: str,
    title: str = "",
    url: str = "",
    image: str = "",
    locale: str = "",
    width: int = 0,
    height: int = 0,
) -> SafeString:
    about = escaped(description)
    markup = f'<meta name="description" content="{about}">\n  '
    if url:
        heading, image = escaped(title), escaped(image)
        site = _site_name(translation.get_language())
        markup += (
            '<meta property="og:type" content="website">\n'
            f'  <meta property="og:site_name" content="{site}">\n'
            f'  <meta property="og:title" content="{heading}">\n'
            f'  <meta property="og:description" content="{about}">\n'
            f'  <meta property="og:url" content="{escaped(url)}">\n'
            f'  <meta property="og:locale" content="{escaped(locale)}">\n'
            f'  <meta property="og:image" content="{image}">\n'
            f'  <meta property="og:image:type" content="image/png">\n'
            f'  <meta property="og:image:width" content="{int(width)}">\n'
            f'  <meta property="og:image:height" content="{int(height)}">\n'
            f'  <meta property="og:image:alt" content="{about}">\n'
            f'  <meta name="twitter:card" content="summary_large_image">\n'
            f'  <meta name="twitter:title" content="{heading}">\n'
            f'  <meta name="twitter:description" content="{about}">\n'
            f'  <meta name="twitter:image" content="{image}">'
        )
    return mark_safe(markup + "\n")  # every value above is escaped


@functools.cache
def _site_name(language: str | None) -> str:
    with translation.override(language):
        return conditional_escape(gettext("AEO Registry"))


@functools.cache
def _preview_words(language: str | None) -> dict[str, Any]:
    """The link preview's messages in `language`, and each basis as its description names it."""
    with translation.override(language):
        return {
            "description": gettext(
                "As of %(day)s, %(economy)s has AEO mutual recognition with %(countries)s countries and "
                "regions in %(economies)s economies (%(basis)s basis)."
            ),
            "bases": {value: str(label).lower() for value, label in Basis.choices},
            "title": gettext("%(economy)s as of %(day)s"),
        }


def _link_preview(context: template.Context) -> dict[str, Any]:
    """The link preview's values (see `link_preview`)."""
    from dashboard.preview import long_date

    request: HttpRequest | None = context.get("request")
    summary, name = _summary_and_name(context)
    image_query = ""
    if summary is not None:
        day = long_date(summary.as_of)
        words = _preview_words(translation.get_language())
        description = words["description"] % {
            "day": day,
            "economy": name,
            "countries": summary.partner_countries,
            "economies": summary.partner_economies,
            "basis": words["bases"][summary.basis],
        }
        # As a QueryDict of these four would encode them, in this order.
        image_query = "?" + urlencode(
            [
                ("economy", summary.economy),
                ("as_of", summary.as_of.isoformat()),
                ("basis", summary.basis),
                ("evidence", summary.evidence),
            ]
        )
        title = words["title"] % {"economy": name, "day": day}
    else:
        title = gettext("AEO Registry")
        description = gettext(
            "An open registry of AEO mutual recognition arrangements between customs administrations, "
            "counted as of any date, with their sources."
        )
    if request is None:
        return {"description": description}
    try:
        request.get_host()
    except DisallowedHost:  # the 400 page of a request for another host: no links to it
        return {"description": description}
    language = translation.get_language() or "en"
    prefix = get_script_prefix()
    return {
        "title": title,
        "description": description,
        "url": view_url(context) if request.resolver_match else request.build_absolute_uri(),
        "image": request.build_absolute_uri(fixed_path("preview-image", language, prefix)) + image_query,
        "locale": "zh_CN" if language.startswith("zh") else "en_GB",
        "width": 1200,
        "height": 630,
    }


@register.simple_tag(takes_context=True)
def embed_facts(context: template.Context) -> str:
    """An embed's source line before the link: as-of date, basis, evidence, data version."""
    params = context.get("params") or {}
    facts = []
    if params.get("as_of"):
        facts.append(gettext("As of %(day)s") % {"day": _value(params["as_of"])})
    if params.get("basis") in Basis.values:
        facts.append(gettext("%(basis)s basis") % {"basis": Basis(params["basis"]).label})
    if params.get("evidence") in Evidence.values:
        facts.append(
            gettext("%(evidence)s evidence and stronger") % {"evidence": Evidence(params["evidence"]).label}
        )
    facts.append(gettext("data version %(version)s") % {"version": current_version()})
    return " · ".join(facts)
