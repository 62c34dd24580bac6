"""Every figure the charts module makes is a valid plotly figure (validated by plotly itself)."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import pytest

from agreements import selectors
from dashboard import charts

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("economy", "day", "basis"),
    [
        ("CHN", dt.date(2021, 8, 31), "signed"),
        ("EUU", dt.date(2024, 8, 31), "in_force"),
        ("HKG", dt.date(2030, 1, 1), "signed"),
    ],
)
def test_dashboard_figures_are_valid_plotly_figures(economy: str, day: dt.date, basis: str) -> None:
    data = selectors.overview(economy=economy, day=day, basis=basis, evidence="inferred")
    race = selectors.race(economy=economy, day=day, basis=basis, evidence="inferred")
    for figure in (
        charts.partner_map(data),
        charts.race_chart(race, "countries"),
        charts.race_chart(race, "economies"),
    ):
        go.Figure({"data": figure["data"], "layout": figure["layout"]})  # raises on any invalid property


def test_membership_map_is_a_valid_plotly_figure() -> None:
    figure = charts.membership_map([("FRA", "France"), ("SGP", "Singapore")], "Test bloc")
    go.Figure({"data": figure["data"], "layout": figure["layout"]})
    assert figure["data"][0]["locations"] == ["FRA"]
    assert figure["data"][1]["customdata"] == ["SGP"]


def test_an_invalid_property_would_be_caught() -> None:
    with pytest.raises(ValueError):
        go.Figure({"data": [{"type": "choropleth", "cmin": 1}], "layout": {}})


def test_figures_do_not_embed_plotlys_default_template() -> None:
    data = selectors.overview(economy="CHN", day=dt.date(2021, 8, 31), basis="signed", evidence="inferred")
    assert charts.partner_map(data)["layout"]["template"] == {}


def test_each_race_compares_with_the_leaders_of_its_own_measure() -> None:
    """Issue 13: on 2021-08-31 Korea leads by partner economies but is not among the five leaders
    by countries; the economies chart must show it, and each chart its own measure's leaders."""
    import datetime as dt

    from agreements import selectors
    from dashboard import charts

    race = selectors.race(economy="CHN", day=dt.date(2021, 8, 31), basis="signed", evidence="inferred")
    economies = charts.race_chart(race, "economies")
    countries = charts.race_chart(race, "countries")
    shown_economies = [trace["name"].rsplit("(", 1)[1].rstrip(")") for trace in economies["data"]]
    shown_countries = [trace["name"].rsplit("(", 1)[1].rstrip(")") for trace in countries["data"]]
    assert shown_economies[0] == shown_countries[0] == "CHN"
    assert "KOR" in shown_economies
    by_economies = selectors.ranking(
        day=dt.date(2021, 8, 31), basis="signed", evidence="inferred", by="economies"
    )
    assert shown_economies[1:] == [r.economy for r in by_economies if r.economy != "CHN"][:5]
    by_countries = selectors.ranking(
        day=dt.date(2021, 8, 31), basis="signed", evidence="inferred", by="countries"
    )
    assert shown_countries[1:] == [r.economy for r in by_countries if r.economy != "CHN"][:5]


def test_the_ranking_map_colours_each_territory_with_its_economys_count() -> None:
    import datetime as dt

    from agreements import selectors
    from dashboard import charts

    day = dt.date(2021, 8, 31)
    rows = selectors.ranking(day=day, basis="signed", evidence="inferred", by="countries")
    members = selectors.economy_territories(day=day)
    figure = charts.ranking_map(rows, selectors.economy_names(), {}, members, "countries")
    trace = figure["data"][0]
    value = dict(zip(trace["locations"], trace["z"], strict=True))
    china = next(r.value for r in rows if r.economy == "CHN")
    eu = next(r.value for r in rows if r.economy == "EUU")
    assert value["CHN"] == china == 46
    assert value["FRA"] == value["DEU"] == eu
    assert "GBR" not in members["EUU"]  # out of the EU customs territory since 2021-01-01


def test_the_worlds_arrangements_by_year_add_up_to_the_dated_arrangements() -> None:
    import datetime as dt

    from agreements import selectors
    from agreements.models import Arrangement
    from dashboard import charts

    day = dt.date(2021, 8, 31)
    signed, in_force = selectors.arrangements_by_year(until=day, evidence="inferred")
    dated = Arrangement.objects.exclude(status="negotiating").filter(signed_date__lte=day)
    assert sum(signed.values()) == dated.count()
    assert sum(in_force.values()) == (
        Arrangement.objects.exclude(status="negotiating").filter(effective_date__lte=day).count()
    )
    figure = charts.arrangements_over_time(signed, in_force)
    cumulative = figure["data"][1]["y"]
    assert cumulative[-1] == sum(signed.values())
