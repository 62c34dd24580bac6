"""Selector rows -> plotly figure dicts (no ORM, no request).

Pages embed the dicts with `json_script`; static/js/charts.js draws them. Colour is never the only
carrier of meaning: every map has a table alternative on its page, and hover text spells it out.

Figures are written as plotly's own JSON figure format, as plain dicts. Building them through
`plotly.graph_objects` validated every property on every request, which cost more than all the
counting on the dashboard (about 40 ms a figure); `tests/dashboard/test_charts.py` instead validates every
figure this module makes with `plotly.graph_objects.Figure`, so an invalid property still fails.
The default plotly template is not embedded (an empty `template`): it would add kilobytes to every
figure.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agreements.bounded import keep
from agreements.choices import Evidence
from agreements.dates import date_format
from agreements.selectors import Overview, PartnerRow
from agreements.validators import EARLIEST_EVENT, clamp, latest_date
from dashboard import geo

COLOR_SCALE = "Viridis"


def _text(value: object) -> str:
    """Registry text (a name, a title) as plotly text: plotly renders a subset of HTML in every
    text it draws (`<a href>`, `<span style>`), so `<`, `>` and `&` are written as entities, which
    it shows as the characters. It also fills in `%{...}` in trace names (legends), titles and
    hover templates, so the `%` of `%{` is written `&#37;`: shown as `%`, never a placeholder.
    Only registry values go through here, once; the chart's own markup (`<b>`, `<br>`, `<extra>`)
    and placeholders (`%{y}`) around them stay what they are."""
    return html.escape(str(value), quote=False).replace("%{", "&#37;{")


def _trace(kind: str, **properties: Any) -> dict[str, Any]:
    """A trace in plotly's figure format; `marker_line_color=...` is `marker.line.color`, as in
    plotly.graph_objects' magic underscores."""
    trace: dict[str, Any] = {"type": kind}
    for name, value in properties.items():
        if name.startswith("marker_line_"):
            trace.setdefault("marker", {}).setdefault("line", {})[name.removeprefix("marker_line_")] = value
        else:
            trace[name] = value
    return trace


def _world_layout(*, height: int) -> dict[str, Any]:
    """The world map every page draws: natural earth projection, whole world, no zoom by drag."""
    return {
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "height": height,
        "geo": {
            "fitbounds": False,
            "projection": {"type": "natural earth"},
            "showframe": False,
            "showcountries": True,
            "countrycolor": "#ffffff",
            "showland": True,
            "landcolor": "#e6e8eb",
            "showocean": True,
            "oceancolor": "#f4f8fb",
            "lataxis": {"range": [-58, 85]},
        },
        "showlegend": False,
        "dragmode": False,
    }


def _figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> dict[str, Any]:
    return {"data": data, "layout": {"template": {}, **layout}}


OWN_COLOR = "#d1495b"


def _date_label(day: dt.date | None, precision: str) -> str:
    """A date as the page shows it, in the active language (2019-10-25, 2019年10月25日)."""
    if day is None:
        return _("not known")
    if precision == "month":
        return f"{date_format(day, 'YEAR_MONTH_FORMAT')} {_('(month)')}"
    if precision == "year":
        return f"{day.year} {_('(year)')}"
    if precision == "by":
        return _("by %(date)s") % {"date": date_format(day)}
    return date_format(day)


class _Hover:
    """Hover text of partner rows. The translated phrases are looked up once per figure, and each
    date written once however many rows share its arrangement: hundreds of rows at scale."""

    def __init__(self) -> None:
        self.economy = _("Economy: %(name)s (%(code)s)")
        self.arrangement = _("Arrangement: %(name)s")
        self.signed = _("Signed: %(date)s")
        self.in_force = _("In force: %(date)s")
        self.evidence = _("Evidence: %(level)s")
        self.levels = {value: str(label) for value, label in Evidence.choices}
        self.dates: dict[tuple[dt.date | None, str], str] = {}

    def date(self, day: dt.date | None, precision: str) -> str:
        if (day, precision) not in self.dates:
            self.dates[day, precision] = _date_label(day, precision)
        return self.dates[day, precision]

    def __call__(self, row: PartnerRow) -> str:
        arrangement = row.arrangement
        lines = [
            f"<b>{_text(row.territory_name)}</b> ({row.territory})",
            self.economy % {"name": _text(row.economy_name), "code": row.economy},
            self.arrangement % {"name": _text(arrangement.title or arrangement.key)},
            self.signed % {"date": self.date(arrangement.signed_date, arrangement.signed_precision)},
            self.in_force % {"date": self.date(row.effective_date, row.effective_precision)},
            self.evidence % {"level": self.levels.get(arrangement.evidence) or arrangement.evidence},
        ]
        return "<br>".join(lines)


# A row's hover text, kept by what the row shows and the language: a map not drawn before (a
# new interval) is mostly rows drawn before.
_HOVERS: dict[tuple[object, ...], str] = {}
HOVER_LIMIT = 8192  # texts (about 300 bytes each); when full, the older half goes


def _kept_hover() -> Callable[[PartnerRow], str]:
    language = get_language() or ""
    write: _Hover | None = None

    def hover(row: PartnerRow) -> str:
        nonlocal write
        key = (*row.shown(), language)
        text = _HOVERS.get(key)
        if text is None:
            write = write or _Hover()
            text = write(row)
            keep(_HOVERS, key, text, HOVER_LIMIT)
        return text

    return hover


def _year(row: PartnerRow) -> int | None:
    # Clamped, as every date a chart computes with: one year-one date would squeeze every other
    # partner into one end of the colour scale.
    day = row.arrangement.signed_date or row.arrangement.effective_date
    return clamp(day, EARLIEST_EVENT).year if day else None


def partner_map(data: Overview) -> dict[str, Any]:
    """A world map of partner territories coloured by the year their arrangement was signed."""
    rows = data.rows
    _hover = _kept_hover()
    years = [y for y in (_year(r) for r in rows) if y is not None]
    low, high = (min(years), max(years)) if years else (2000, 2025)
    if low == high:
        low -= 1
    shaped = [r for r in rows if geo.has_shape(r.territory)]
    marked = [r for r in rows if geo.needs_marker(r.territory) and geo.marker_position(r.territory)]
    own_shaped = [(c, n) for c, n in data.own_territories if geo.has_shape(c)]
    own_marked = [(c, n) for c, n in data.own_territories if geo.needs_marker(c) and geo.marker_position(c)]
    focal = f"{_text(data.economy_name)} ({data.summary.economy})"
    own_text = _("%(economy)s: the economy shown") % {"economy": focal}
    own_name = _("%(economy)s: own territory") % {"economy": focal}
    colour_axis = {"cmin": low, "cmax": high, "colorscale": COLOR_SCALE}
    traces: list[Any] = [
        _trace(
            "choropleth",
            name=own_name,
            locationmode="ISO-3",
            locations=[c for c, _ in own_shaped],
            z=[1] * len(own_shaped),
            colorscale=[[0, OWN_COLOR], [1, OWN_COLOR]],
            showscale=False,
            marker_line_color="white",
            hovertext=[f"<b>{_text(n)}</b> ({c})<br>{own_text}" for c, n in own_shaped],
            hoverinfo="text",
            meta={"role": "own"},
        ),
        _trace(
            "choropleth",
            name=_("Partner territories"),
            locationmode="ISO-3",
            locations=[r.territory for r in shaped],
            z=[_year(r) for r in shaped],
            zmin=low,
            zmax=high,
            colorscale=COLOR_SCALE,
            colorbar={"title": {"text": _("Year signed")}, "thickness": 12, "len": 0.6},
            marker_line_color="white",
            marker_line_width=0.5,
            hovertext=[_hover(r) for r in shaped],
            hoverinfo="text",
            meta={"role": "partner-shapes"},
        ),
        _trace(
            "scattergeo",
            name=_("Small partner territories"),
            lat=[geo.marker_position(r.territory)[0] for r in marked],  # type: ignore[index]
            lon=[geo.marker_position(r.territory)[1] for r in marked],  # type: ignore[index]
            customdata=[r.territory for r in marked],
            mode="markers",
            marker={
                "size": 9,
                "color": [_year(r) for r in marked],
                **colour_axis,
                "line": {"color": "#1b1f24", "width": 1},
                "symbol": "circle",
            },
            hovertext=[_hover(r) for r in marked],
            hoverinfo="text",
            showlegend=False,
            meta={"role": "partner-markers"},
        ),
        _trace(
            "scattergeo",
            name=own_name,
            lat=[geo.marker_position(c)[0] for c, _ in own_marked],  # type: ignore[index]
            lon=[geo.marker_position(c)[1] for c, _ in own_marked],  # type: ignore[index]
            customdata=[c for c, _ in own_marked],
            mode="markers",
            marker={
                "size": 11,
                "color": OWN_COLOR,
                "symbol": "star",
                "line": {"color": "#1b1f24", "width": 1},
            },
            hovertext=[f"<b>{_text(n)}</b> ({c})<br>{own_text}" for c, n in own_marked],
            hoverinfo="text",
            showlegend=False,
            meta={"role": "own-markers"},
        ),
    ]
    figure = _figure(
        traces,
        _world_layout(height=460),
    )
    result: dict[str, Any] = figure
    result["meta"] = {
        "partners": len(rows),
        "partnerShapes": len(shaped),
        "partnerMarkersOnly": sum(1 for r in marked if not geo.has_shape(r.territory)),
    }
    return result


def race_chart(race: Mapping[str, Any], measure: str) -> dict[str, Any]:
    """Step lines of cumulative partners for the focal economy against the leading economies."""
    index = 2 if measure == "countries" else 1
    codes: Sequence[str] = race.get("codes_by", {}).get(measure) or race["codes"]
    names: Mapping[str, str] = race["names"]
    traces = []
    latest = latest_date()  # clamp(day, EARLIEST_EVENT) for every point, the bounds read once
    hover = _("%(count)s on %(date)s") % {"count": "%{y}", "date": "%{x}"}
    for position, code in enumerate(codes):
        points = race["series"][code]
        name = _text(names.get(code, code))
        traces.append(
            {
                "type": "scatter",
                "x": [_day_text(p[0], latest) for p in points],
                "y": [p[index] for p in points],
                "mode": "lines",
                "line": {
                    "shape": "hv",
                    "width": 4 if position == 0 else 2,
                    "dash": "solid" if position == 0 else "dot",
                },
                "name": f"{name} ({code})",
                "hovertemplate": f"{hover}<extra>{name}</extra>",
            }
        )
    label = _("Partner countries and regions") if measure == "countries" else _("Partner economies")
    # Start the axis a year before the first partner of any economy shown, not at the EU's founding.
    # Dates are clamped to the plausible range first: a stored date from before the validators
    # (0001-01-01, say) must not overflow the arithmetic, nor stretch the axis over centuries.
    # The earliest of the clamped days is the clamped earliest day (clamping keeps the order).
    firsts = [p[0] for code in codes for p in race["series"][code] if p[index] > 0]
    x_range = (
        [
            (clamp(min(firsts), EARLIEST_EVENT) - dt.timedelta(days=365)).isoformat(),
            clamp(race["until"], EARLIEST_EVENT).isoformat(),
        ]
        if firsts
        else None
    )
    figure = _figure(
        traces,
        {
            "height": 340,
            "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
            "xaxis": {"title": {"text": _("Date")}, "type": "date", "range": x_range},
            "yaxis": {"title": {"text": label}, "rangemode": "tozero"},
            "legend": {"orientation": "h", "y": -0.2},
            "hovermode": "closest",
        },
    )
    return figure


def chart_day(day: dt.date) -> str:
    """A day as the charts write it: clamped to the plausible range, ISO 8601."""
    return _day_text(day, latest_date())


@functools.lru_cache(maxsize=65536)
def _day_text(day: dt.date, latest: dt.date) -> str:
    """A chart's day: clamped to the plausible range (EARLIEST_EVENT to `latest`), ISO 8601; each
    written once per process (a race chart draws about 150 points, mostly the same days)."""
    return min(max(day, EARLIEST_EVENT), latest).isoformat()


def membership_map(
    territories: Sequence[tuple[str, str]], label: str, *, zoom: bool = False
) -> dict[str, Any]:
    """A world map of a set of territories (a bloc's members on a day), in one colour; with
    `zoom`, the map fits the territories (a bloc's region) instead of the whole world."""
    label = _text(label)
    shaped = [(c, n) for c, n in territories if geo.has_shape(c)]
    marked = [(c, n) for c, n in territories if geo.needs_marker(c) and geo.marker_position(c)]
    colour = "#2a6f97"
    figure = _figure(
        [
            _trace(
                "choropleth",
                name=label,
                locationmode="ISO-3",
                locations=[c for c, _ in shaped],
                z=[1] * len(shaped),
                colorscale=[[0, colour], [1, colour]],
                showscale=False,
                marker_line_color="white",
                marker_line_width=0.5,
                hovertext=[f"<b>{_text(n)}</b> ({c})<br>{label}" for c, n in shaped],
                hoverinfo="text",
            ),
            _trace(
                "scattergeo",
                name=label,
                lat=[geo.marker_position(c)[0] for c, _ in marked],  # type: ignore[index]
                lon=[geo.marker_position(c)[1] for c, _ in marked],  # type: ignore[index]
                customdata=[c for c, _ in marked],
                mode="markers",
                marker={"size": 9, "color": colour, "line": {"color": "#1b1f24", "width": 1}},
                hovertext=[f"<b>{_text(n)}</b> ({c})<br>{label}" for c, n in marked],
                hoverinfo="text",
                showlegend=False,
            ),
        ],
        _world_layout(height=420),
    )
    if zoom and territories:
        figure["layout"]["geo"] = {**figure["layout"]["geo"], "fitbounds": "locations", "lataxis": {}}
    result: dict[str, Any] = figure
    result["meta"] = {"territories": len(territories)}
    return result


RANKING_LEADERS = 15  # economies in the ranking's bar chart


def ranking_chart(rows: Sequence[Any], names: Mapping[str, str], measure: str) -> dict[str, Any]:
    """Horizontal bars of the leading economies by partner countries or by partner economies
    (`rows` are `counting.RankingRow`s in rank order); the leader on top."""
    shown = list(rows[:RANKING_LEADERS])
    label = _("Partner countries and regions") if measure == "countries" else _("Partner economies")
    labels = [f"{_text(names.get(r.economy, r.economy))} ({r.economy})" for r in shown]
    trace = _trace(
        "bar",
        orientation="h",
        x=[r.value for r in shown],
        y=labels,
        text=[str(r.value) for r in shown],
        textposition="outside",
        cliponaxis=False,
        marker={"color": "#2a6f97"},
        hovertemplate=_("Rank %(rank)s: %(count)s") % {"rank": "%{customdata}", "count": "%{x}"}
        + "<extra></extra>",
        customdata=[r.rank for r in shown],
    )
    return _figure(
        [trace],
        {
            "height": max(260, 28 * len(shown) + 80),
            "margin": {"l": 10, "r": 40, "t": 10, "b": 40},
            "xaxis": {"title": {"text": label}, "rangemode": "tozero", "automargin": True},
            "yaxis": {"autorange": "reversed", "automargin": True},
            "showlegend": False,
            "dragmode": False,
        },
    )


def ranking_map(
    rows: Sequence[Any],
    names: Mapping[str, str],
    territory_names: Mapping[str, str],
    members: Mapping[str, frozenset[str]],
    measure: str,
) -> dict[str, Any]:
    """A world map with each territory coloured by its economy's partner count (`rows` are the
    ranking of `measure` on the day; `members` the territories of each economy on the day)."""
    label = _("Partner countries and regions") if measure == "countries" else _("Partner economies")
    values: dict[str, tuple[int, str]] = {}
    for row in rows:
        for territory in members.get(row.economy, ()):
            values[territory] = (row.value, row.economy)
    shaped = sorted(code for code in values if geo.has_shape(code))
    hover = [
        f"<b>{_text(territory_names.get(code, code))}</b> ({code})<br>"
        f"{_text(names.get(values[code][1], values[code][1]))}: {values[code][0]}"
        for code in shaped
    ]
    return _figure(
        [
            _trace(
                "choropleth",
                name=_text(label),
                locationmode="ISO-3",
                locations=shaped,
                z=[values[code][0] for code in shaped],
                colorscale=COLOR_SCALE,
                colorbar={"title": {"text": _text(label)}, "thickness": 12, "len": 0.6},
                marker_line_color="white",
                marker_line_width=0.5,
                hovertext=hover,
                hoverinfo="text",
            )
        ],
        _world_layout(height=420),
    )


def arrangements_over_time(signed: Mapping[int, int], in_force: Mapping[int, int]) -> dict[str, Any]:
    """The world's arrangements by year signed and by year in force: bars per year, and the
    cumulative totals as lines on a second axis."""
    years = sorted(set(signed) | set(in_force))
    traces = []
    for counts, name, colour in (
        (signed, _("Signed"), "#2a6f97"),
        (in_force, _("In force"), "#d1495b"),
    ):
        running, cumulative = 0, []
        for year in years:
            running += counts.get(year, 0)
            cumulative.append(running)
        traces.append(
            _trace(
                "bar",
                x=years,
                y=[counts.get(y, 0) for y in years],
                name=_("%(name)s in the year") % {"name": name},
                marker={"color": colour},
                opacity=0.55,
            )
        )
        traces.append(
            _trace(
                "scatter",
                x=years,
                y=cumulative,
                name=_("%(name)s, cumulative") % {"name": name},
                yaxis="y2",
                mode="lines",
                line={"color": colour, "width": 3, "shape": "hv"},
            )
        )
    return _figure(
        traces,
        {
            "height": 360,
            "margin": {"l": 50, "r": 50, "t": 10, "b": 40},
            "barmode": "group",
            "xaxis": {"title": {"text": _("Year")}, "dtick": 2},
            "yaxis": {"title": {"text": _("Arrangements in the year")}, "rangemode": "tozero"},
            "yaxis2": {
                "title": {"text": _("Cumulative")},
                "overlaying": "y",
                "side": "right",
                "rangemode": "tozero",
            },
            "legend": {"orientation": "h", "y": -0.25},
            "dragmode": False,
        },
    )
