"""Why the number moved (issue 13, item 3): every event that moved an economy's figures, and what
changed between two dates, checked against the summary API on each day."""

# Chinese text keeps its own full-width punctuation, on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.http import HttpResponseBase
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agreements import counting, selectors, story
from dashboard.urls import urlpatterns

pytestmark = pytest.mark.django_db

WHY_CHINA = "/why/?economy=CHN&as_of=2021-08-31&basis=signed&evidence=inferred"
BETWEEN_CHINA = "/why/between/?economy=CHN&from=2020-08-31&to=2021-08-31&basis=signed&evidence=inferred"
BLOCS = ("BRI", "BRI_COOP", "CEE", "RCEP")


def content(response: HttpResponseBase) -> bytes:
    return response.getvalue()  # a streamed export read whole


def rows(client: Client, url: str) -> list[dict[str, Any]]:
    response = client.get(f"{url}&format=json")
    assert response.status_code == 200, content(response)
    data: dict[str, Any] = json.loads(content(response))
    assert data["count"] == len(data["rows"])
    return data["rows"]


def api_summary(
    client: Client, economy: str, day: str, basis: str = "signed", evidence: str = "inferred"
) -> Any:
    response = client.get(f"/api/v1/summary?economy={economy}&as_of={day}&basis={basis}&evidence={evidence}")
    assert response.status_code == 200
    return response.json()


# The story up to a day.


def test_chinas_story_up_to_2021_08_31_ends_at_46_countries_and_20_economies(client: Client) -> None:
    html = client.get(WHY_CHINA).content.decode()
    assert re.search(r'data-testid="story-countries">46<', html)
    assert re.search(r'data-testid="story-economies">20<', html)
    events = rows(client, WHY_CHINA)
    assert (events[-1]["partner_countries"], events[-1]["partner_economies"]) == (46, 20)
    assert (events[-1]["date"], events[-1]["territory"], events[-1]["partners"]) == (
        "2021-05-25",
        None,
        "UGA",
    )
    assert [e["arrangement"] for e in events[:4]] == [
        "CHN-SGP-2012",
        "CHN-KOR-2013",
        "CHN-HKG-2013",
        "CHN-EUU-2014",
    ]


@pytest.mark.parametrize(
    "economy,basis,evidence",
    [
        ("CHN", "signed", "inferred"),
        ("CHN", "in_force", "inferred"),
        ("CHN", "signed", "confirmed"),
        ("KOR", "signed", "inferred"),
    ],
)
def test_every_events_figures_equal_the_summary_api_on_its_day(
    client: Client, economy: str, basis: str, evidence: str
) -> None:
    events = rows(client, f"/why/?economy={economy}&as_of=2021-08-31&basis={basis}&evidence={evidence}")
    assert events
    for event in events:
        summary = api_summary(client, economy, event["date"], basis, evidence)
        assert event["partner_economies"] == summary["partner_economies"], event
        assert event["partner_countries"] == summary["partner_countries"], event
        assert {code: event[f"bloc_{code}"] for code in BLOCS} == summary["by_bloc"], event
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)


def test_the_story_lists_exactly_the_days_on_which_the_summary_changes(client: Client) -> None:
    """Walk every day from the first arrangement to 2021-08-31 with the engine itself."""
    index = selectors.fact_index()

    def state(day: dt.date) -> tuple[object, ...]:
        summary = index.summary("CHN", day, "signed", "inferred")
        return summary.partners, summary.countries, summary.bloc_countries

    changed = []
    day, previous = dt.date(2007, 1, 1), state(dt.date(2007, 1, 1))
    while day < dt.date(2021, 8, 31):
        day += dt.timedelta(days=1)
        current = state(day)
        if current != previous:
            changed.append(day.isoformat())
        previous = current
    assert sorted({e["date"] for e in rows(client, WHY_CHINA)}) == changed


def test_each_event_says_what_it_moved(client: Client) -> None:
    events = {
        (e["date"], e["event"], e["arrangement"] or e["group"], e["territory"]): e
        for e in rows(client, WHY_CHINA)
    }
    eu = events[("2014-05-16", "signed", "CHN-EUU-2014", None)]
    assert eu["economies_gained"] == "EUU"
    assert len(eu["countries_gained"].split(";")) == 28
    assert eu["description"] == "CHN-EUU-2014 signed with European Union"
    lithuania = events[("2021-05-22", "left_bloc", "CEE", "LTU")]
    assert (lithuania["bloc_members_lost"], lithuania["bloc_CEE"], lithuania["countries_lost"]) == (
        "CEE:LTU",
        12,
        None,
    )
    assert (
        lithuania["description"] == "Lithuania left China-Central and Eastern European Countries cooperation"
    )
    # The UK left the EU on the day the inferred China-UK record starts: listed, and it moved
    # nothing on its own (the UK stays a partner territory; it becomes a partner economy).
    uk_exit = events[("2021-01-01", "left_economy", "EUU", "GBR")]
    assert (uk_exit["countries_lost"], uk_exit["economies_gained"]) == (None, None)
    assert events[("2021-01-01", "signed", "CHN-GBR-2021", None)]["economies_gained"] == "GBR"
    assert uk_exit["partner_countries"] == 42


def test_uk_leaving_the_eu_costs_china_a_partner_territory_in_force_on_2021_01_01(client: Client) -> None:
    events = rows(client, "/why/?economy=CHN&as_of=2021-08-31&basis=in_force")
    exit_ = [e for e in events if e["date"] == "2021-01-01"]
    assert [(e["event"], e["group"], e["territory"], e["countries_lost"]) for e in exit_] == [
        ("left_economy", "EUU", "GBR", "GBR")
    ]
    assert (
        api_summary(client, "CHN", "2020-12-31", "in_force")["partner_countries"]
        == exit_[0]["partner_countries"] + 1
    )


def test_croatia_joining_the_eu_gives_japan_a_partner_territory_on_2013_07_01(client: Client) -> None:
    events = rows(client, "/why/?economy=JPN&as_of=2014-01-01")
    croatia = [e for e in events if e["date"] == "2013-07-01"]
    assert [(e["event"], e["group"], e["territory"], e["countries_gained"]) for e in croatia] == [
        ("joined_economy", "EUU", "HRV", "HRV")
    ]


def test_the_story_before_the_first_arrangement_is_empty(client: Client) -> None:
    response = client.get("/why/?economy=CHN&as_of=2012-05-31")
    assert response.status_code == 200
    assert 'data-testid="no-events"' in response.content.decode()
    assert rows(client, "/why/?economy=CHN&as_of=2012-05-31") == []


# Between two dates.


def test_between_lists_every_partner_gained_and_matches_the_difference_of_two_summaries(
    client: Client,
) -> None:
    before = api_summary(client, "CHN", "2020-08-31")
    after = api_summary(client, "CHN", "2021-08-31")
    moves = rows(client, BETWEEN_CHINA)

    def partners(measure: str, change: str) -> set[str]:
        return {m["partner"] for m in moves if m["measure"] == measure and m["change"] == change}

    assert partners("countries", "gained") == set(after["countries"]) - set(before["countries"])
    assert partners("countries", "gained") == {"SRB", "CHL", "IRN", "UGA"}
    assert partners("countries", "lost") == set(before["countries"]) - set(after["countries"]) == set()
    assert partners("economies", "gained") == set(after["partners"]) - set(before["partners"])
    assert partners("economies", "gained") == {"GBR", "SRB", "CHL", "IRN", "UGA"}
    assert partners("economies", "lost") == set()
    for code in BLOCS:
        net = len(partners(f"bloc:{code}", "gained")) - len(partners(f"bloc:{code}", "lost"))
        assert net == after["by_bloc"][code] - before["by_bloc"][code], code
    # The CEE count did not move (12 and 12), yet Serbia came in and Lithuania left the format.
    assert (partners("bloc:CEE", "gained"), partners("bloc:CEE", "lost")) == ({"SRB"}, {"LTU"})
    reasons = {(m["measure"], m["partner"]): (m["date"], m["events"], m["reasons"]) for m in moves}
    assert reasons[("bloc:CEE", "LTU")][:2] == ("2021-05-22", "left_bloc")
    assert reasons[("countries", "SRB")] == ("2021-02-04", "signed", "CHN-SRB-2021 signed with Serbia")


def test_between_bloc_members_match_the_engines_bloc_countries(client: Client) -> None:
    before = selectors.summary_for(
        economy="CHN", day=dt.date(2019, 1, 1), basis="signed", evidence="inferred"
    )
    after = selectors.summary_for(
        economy="CHN", day=dt.date(2021, 8, 31), basis="signed", evidence="inferred"
    )
    moves = rows(client, "/why/between/?economy=CHN&from=2019-01-01&to=2021-08-31")
    for code in BLOCS:
        gained = {m["partner"] for m in moves if m["measure"] == f"bloc:{code}" and m["change"] == "gained"}
        lost = {m["partner"] for m in moves if m["measure"] == f"bloc:{code}" and m["change"] == "lost"}
        assert gained == set(after.bloc_countries[code]) - set(before.bloc_countries[code]), code
        assert lost == set(before.bloc_countries[code]) - set(after.bloc_countries[code]), code


def test_between_page_shows_both_days_figures_and_their_change(client: Client) -> None:
    html = client.get(BETWEEN_CHINA).content.decode()
    figures = {
        measure: (before, after, change)
        for measure, before, after, change in re.findall(
            r'<tr data-measure="([\w:]+)"><th scope="row">[^<]*</th><td data-value="before">(\d+)</td>'
            r'<td data-value="after">(\d+)</td><td data-value="change">([^<]*)</td>',
            html,
        )
    }
    assert figures["countries"] == ("42", "46", "+4")
    assert figures["economies"] == ("15", "20", "+5")
    assert figures["bloc:CEE"] == ("12", "12", "0")
    assert figures["bloc:BRI"] == ("17", "19", "+2")
    assert len(re.findall(r'<tr data-measure="[\w:]+" data-change=', html)) == len(
        rows(client, BETWEEN_CHINA)
    )


def test_between_defaults_to_the_year_to_today(client: Client) -> None:
    response = client.get("/why/between/?economy=CHN")
    assert response.status_code == 200
    html = response.content.decode()
    to = re.search(r'name="to" value="([\d-]+)"', html)
    since = re.search(r'name="from" value="([\d-]+)"', html)
    assert to and since
    assert dt.date.fromisoformat(to[1]).year - dt.date.fromisoformat(since[1]).year == 1


def test_the_same_day_twice_changes_nothing(client: Client) -> None:
    response = client.get("/why/between/?economy=CHN&from=2021-08-31&to=2021-08-31")
    assert response.status_code == 200
    assert 'data-testid="no-moves"' in response.content.decode()


# Exports: the same rows, pinned bytes, file names.


def test_the_why_csv_is_pinned(client: Client) -> None:
    response = client.get("/why/?economy=CHN&as_of=2013-12-31&format=csv")
    assert response["Content-Disposition"] == 'attachment; filename="why-CHN-2013-12-31.csv"'
    blocs = "bloc_BRI,bloc_BRI_COOP,bloc_CEE,bloc_RCEP"
    assert content(response).decode() == (
        "date,event,event_name,arrangement,partners,partners_name,group,group_name,territory,territory_name,"
        "description,economies_gained,economies_gained_name,economies_lost,economies_lost_name,"
        "countries_gained,countries_gained_name,countries_lost,countries_lost_name,bloc_members_gained,"
        f"bloc_members_lost,partner_economies,partner_countries,{blocs}\r\n"
        "2012-06-01,signed,Signed,CHN-SGP-2012,SGP,Singapore,,,,,CHN-SGP-2012 signed with Singapore,"
        "SGP,Singapore,,,SGP,Singapore,,,BRI:SGP,,1,1,1,0,0,0\r\n"
        '2013-06-27,signed,Signed,CHN-KOR-2013,KOR,"Korea, Republic of",,,,,'
        '"CHN-KOR-2013 signed with Korea, Republic of",KOR,"Korea, Republic of",,,KOR,"Korea, Republic of",'
        ",,,,2,2,1,0,0,0\r\n"
        '2013-10-29,signed,Signed,CHN-HKG-2013,HKG,"Hong Kong, China",,,,,'
        '"CHN-HKG-2013 signed with Hong Kong, China",HKG,"Hong Kong, China",,,HKG,"Hong Kong, China",'
        ",,,,3,3,1,0,0,0\r\n"
    )


def test_the_between_csv_is_pinned(client: Client) -> None:
    response = client.get("/why/between/?economy=CHN&from=2021-05-01&to=2021-05-31&format=csv")
    assert (
        response["Content-Disposition"] == 'attachment; filename="why-between-CHN-2021-05-01-2021-05-31.csv"'
    )
    assert content(response).decode() == (
        "measure,measure_name,change,change_name,partner,partner_name,date,events,reasons\r\n"
        "economies,Partner economies,gained,Gained,IRN,Iran,2021-05-19,signed,CHN-IRN-2021 signed with Iran\r\n"
        "economies,Partner economies,gained,Gained,UGA,Uganda,2021-05-25,signed,CHN-UGA-2021 signed with Uganda\r\n"
        "countries,Partner countries and regions,gained,Gained,IRN,Iran,2021-05-19,signed,CHN-IRN-2021 signed with Iran\r\n"
        "countries,Partner countries and regions,gained,Gained,UGA,Uganda,2021-05-25,signed,CHN-UGA-2021 signed with Uganda\r\n"
        "bloc:BRI,Belt and Road (countries along the routes),gained,Gained,IRN,Iran,2021-05-19,signed,CHN-IRN-2021 signed with Iran\r\n"
        "bloc:BRI_COOP,Belt and Road (cooperation-document signatories),gained,Gained,IRN,Iran,2021-05-19,signed,CHN-IRN-2021 signed with Iran\r\n"
        "bloc:BRI_COOP,Belt and Road (cooperation-document signatories),gained,Gained,UGA,Uganda,2021-05-25,signed,CHN-UGA-2021 signed with Uganda\r\n"
        "bloc:CEE,China-Central and Eastern European Countries cooperation,lost,Lost,LTU,Lithuania,2021-05-22,left_bloc,Lithuania left China-Central and Eastern European Countries cooperation\r\n"
    )


def test_csv_and_json_twins_have_the_same_columns_and_rows(client: Client) -> None:
    for url in (WHY_CHINA, BETWEEN_CHINA):
        listed = list(
            csv.DictReader(io.StringIO(content(client.get(f"{url}&format=csv")).decode(), newline=""))
        )
        as_json = rows(client, url)
        assert len(listed) == len(as_json) > 0
        assert list(listed[0]) == list(as_json[0])


def test_the_chinese_pages_tell_the_story_in_chinese(client: Client) -> None:
    html = client.get("/zh-hans/why/?economy=CHN&as_of=2021-08-31").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "数字为何变化：中国" in html
    assert "与新加坡签署 CHN-SGP-2012" in html
    assert "立陶宛退出中国—中东欧国家合作" in html
    html = client.get("/zh-hans/why/between/?economy=CHN&from=2020-08-31&to=2021-08-31").content.decode()
    assert "两个日期之间的变化：中国" in html and "净变化" in html
    listed = content(client.get("/zh-hans/why/?economy=CHN&as_of=2013-12-31&format=csv")).decode()
    assert "2012-06-01,signed,签署,CHN-SGP-2012,SGP,新加坡," in listed


def test_the_dashboard_links_to_both_views_for_its_economy_and_day(client: Client) -> None:
    html = client.get("/?economy=KOR&as_of=2021-08-31&basis=in_force").content.decode()
    assert (
        'href="/why/?economy=KOR&amp;as_of=2021-08-31&amp;basis=in_force&amp;evidence=inferred" data-testid="why-link"'
        in html
    )
    assert (
        'href="/why/between/?economy=KOR&amp;from=2020-08-31&amp;to=2021-08-31&amp;basis=in_force&amp;evidence=inferred"'
        in html
    )


# Bad parameters, query counts and the page cache.


@pytest.mark.parametrize(
    "url,parameter",
    [
        ("/why/?economy=XYZ", "economy"),
        ("/why/?economy=CHN&as_of=2021-02-30", "as_of"),
        ("/why/?economy=CHN&basis=maybe", "basis"),
        ("/why/?economy=CHN&evidence=%3Cscript%3E", "evidence"),
        ("/why/?economy=CHN&as_of=" + "9" * 300, "as_of"),
        ("/why/between/?economy=XYZ", "economy"),
        ("/why/between/?economy=CHN&from=2022-01-01&to=2021-01-01", "from"),
        ("/why/between/?economy=CHN&to=abc", "to"),
        ("/why/between/?economy=CHN&from=1989-12-31&to=2021-01-01", "from"),
        ("/why/between/?economy=CHN&from=2021-01-01&to=9999-12-31", "to"),
        ("/why/between/?economy=CHN&basis=%00", "basis"),
    ],
)
def test_a_bad_parameter_shows_its_error_and_no_rows_never_a_500(
    client: Client, url: str, parameter: str
) -> None:
    response = client.get(url)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{parameter}-error"' in html
    assert "<tbody>" not in html and 'data-testid="no-' not in html
    assert "<script>" not in html.split("</head>")[1]
    as_json = client.get(f"{url}&format=json")
    assert as_json.status_code == 400
    assert json.loads(content(as_json))["parameters"] == [parameter]
    as_csv = client.get(f"{url}&format=csv")
    assert as_csv.status_code == 400 and content(as_csv).decode().startswith(
        f"Invalid parameters: {parameter}"
    )


def test_an_unknown_format_is_refused(client: Client) -> None:
    assert client.get(f"{WHY_CHINA}&format=xml").status_code == 400
    assert client.get(f"{BETWEEN_CHINA}&format=xml").status_code == 400


def test_the_pages_declare_the_parameters_they_read() -> None:
    declared = {p.name: getattr(p.callback, "page_parameters", None) for p in urlpatterns}
    assert declared["why-moved"] == {"economy", "as_of", "basis", "evidence", "format", "bom"}
    assert declared["why-between"] == {"economy", "from", "to", "basis", "evidence", "format", "bom"}


def test_a_cached_story_costs_one_query_and_an_unknown_parameter_shares_it(client: Client) -> None:
    first = client.get(WHY_CHINA).content
    with CaptureQueriesContext(connection) as context:
        again = client.get(f"{WHY_CHINA}&utm_source=feed").content
    assert again == first
    assert len(context.captured_queries) <= 1


# The pure module on facts made by hand: the rules at their boundaries.


def _facts(
    *arrangements: counting.ArrangementFact,
    members: tuple[counting.MembershipFact, ...] = (),
    blocs: tuple[counting.MembershipFact, ...] = (),
) -> counting.Facts:
    return counting.Facts(arrangements, members, blocs, sorted({b.group for b in blocs}))


def _arrangement(key: str, *parties: str, signed: str, ended: str | None = None) -> counting.ArrangementFact:
    return counting.ArrangementFact(
        key,
        parties,
        dt.date.fromisoformat(signed),
        None,
        dt.date.fromisoformat(ended) if ended else None,
        "signed",
        "confirmed",
    )


def _member(group: str, territory: str, start: str | None, end: str | None = None) -> counting.MembershipFact:
    return counting.MembershipFact(
        group,
        territory,
        dt.date.fromisoformat(start) if start else None,
        dt.date.fromisoformat(end) if end else None,
    )


def test_an_arrangement_is_lost_on_its_ended_date_not_the_day_before() -> None:
    facts = _facts(
        _arrangement("A-B", "AAA", "BBB", signed="2015-01-01", ended="2018-03-01"),
        members=(_member("BBB", "BBB", None),),
    )
    steps = story.story(facts, "AAA", until=dt.date(2020, 1, 1), basis="signed", evidence="inferred")
    assert [(s.day.isoformat(), s.after.partner_countries) for s in steps] == [
        ("2015-01-01", 1),
        ("2018-03-01", 0),
    ]
    assert [(e.kind, e.subject) for e in steps[1].events] == [("ended", "A-B")]
    assert [(m.measure, m.code, m.gained) for m in steps[1].moves] == [
        ("economies", "BBB", False),
        ("countries", "BBB", False),
    ]


def test_a_renewal_with_a_partner_already_counted_moves_nothing() -> None:
    facts = _facts(
        _arrangement("A-B-1", "AAA", "BBB", signed="2015-01-01", ended="2019-01-01"),
        _arrangement("A-B-2", "AAA", "BBB", signed="2019-01-01"),
        members=(_member("BBB", "BBB", None),),
    )
    steps = story.story(facts, "AAA", until=dt.date(2020, 1, 1), basis="signed", evidence="inferred")
    assert [s.day.isoformat() for s in steps] == ["2015-01-01"]


def test_a_plurilateral_arrangement_explains_each_partner() -> None:
    facts = _facts(
        _arrangement("ABC", "AAA", "BBB", "CCC", signed="2016-06-01"),
        members=(
            _member("BBB", "BBB", None),
            _member("CCC", "CC1", None),
            _member("CCC", "CC2", "2017-01-01"),
        ),
        blocs=(_member("X", "CC2", "2016-01-01", "2018-01-01"),),
    )
    steps = story.story(facts, "AAA", until=dt.date(2020, 1, 1), basis="signed", evidence="inferred")
    assert [(s.day.isoformat(), s.after.partner_countries, s.after.by_bloc["X"]) for s in steps] == [
        ("2016-06-01", 2, 0),
        ("2017-01-01", 3, 1),
        ("2018-01-01", 3, 0),
    ]
    joined, left = steps[1], steps[2]
    assert [(e.kind, e.subject, e.territory) for e in joined.events] == [("joined_economy", "CCC", "CC2")]
    assert {(m.measure, m.code) for m in joined.moves} == {("countries", "CC2"), ("bloc:X", "CC2")}
    assert [(e.kind, e.subject, e.territory) for e in left.events] == [("left_bloc", "X", "CC2")]
    difference = story.difference(
        facts,
        "AAA",
        since=dt.date(2016, 12, 31),
        until=dt.date(2018, 1, 1),
        basis="signed",
        evidence="inferred",
    )
    assert [(m.measure, m.code, m.gained, m.day.isoformat()) for m in difference.moves] == [
        ("countries", "CC2", True, "2017-01-01")
    ]


def test_the_story_up_to_a_day_is_the_start_of_the_whole_story() -> None:
    """The pages slice one whole story per economy (agreements.why.whole_story)."""
    facts = selectors.fact_index().involving(["CHN"])
    whole = story.story(facts, "CHN", basis="in_force", evidence="inferred")
    for day in (dt.date(2015, 11, 1), dt.date(2021, 1, 1), dt.date(2024, 6, 30)):
        assert story.story(facts, "CHN", until=day, basis="in_force", evidence="inferred") == [
            step for step in whole if step.day <= day
        ]
    since, until = dt.date(2019, 1, 1), dt.date(2023, 12, 31)
    assert story.difference(
        facts, "CHN", since=since, until=until, basis="in_force", evidence="inferred", steps=whole
    ) == story.difference(facts, "CHN", since=since, until=until, basis="in_force", evidence="inferred")


def test_the_default_first_day_of_a_comparison_is_never_before_the_first_plausible_day(
    client: Client,
) -> None:
    html = client.get("/?economy=CHN&as_of=1990-06-30").content.decode()
    assert "from=1990-01-01&amp;to=1990-06-30" in html
    response = client.get("/why/between/?economy=CHN&to=1990-06-30")
    assert response.status_code == 200
    assert 'name="from" value="1990-01-01"' in response.content.decode()
    assert 'name="from" value="2020-02-28"' in client.get("/why/between/?to=2021-02-28").content.decode()
    assert 'name="from" value="2023-02-28"' in client.get("/why/between/?to=2024-02-29").content.decode()


def _old_describe(names: Any, event: story.Event) -> str:
    """`Names.describe` before it translated only the event's own sentence, verbatim."""
    from django.utils.translation import gettext, pgettext

    values = {
        "arrangement": event.subject,
        "partners": pgettext("list separator", ", ").join(names.economy(code) for code in event.partners),
        "territory": names.territory(event.territory),
        "economy": names.economy(event.subject),
        "bloc": names.bloc(event.subject),
    }
    sentences = {
        story.SIGNED: gettext("%(arrangement)s signed with %(partners)s"),
        story.IN_FORCE: gettext("%(arrangement)s entered into force with %(partners)s"),
        story.ENDED: gettext("%(arrangement)s with %(partners)s ended"),
        story.JOINED_ECONOMY: gettext("%(territory)s joined %(economy)s"),
        story.LEFT_ECONOMY: gettext("%(territory)s left %(economy)s"),
        story.JOINED_BLOC: gettext("%(territory)s joined %(bloc)s"),
        story.LEFT_BLOC: gettext("%(territory)s left %(bloc)s"),
    }
    return sentences[event.kind] % values


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("economy", ["CHN", "EUU", "GBR"])
def test_each_event_is_described_and_labelled_as_before(language: str, economy: str) -> None:
    from django.utils import translation
    from django.utils.translation import gettext

    from agreements import why

    with translation.override(language):
        moved = why.why_moved(economy=economy, day=dt.date(2026, 1, 1), basis="signed", evidence="inferred")
        kinds = {row.event.kind for row in moved.rows}
        assert len(kinds) >= 2
        labels = {story.ECONOMIES: gettext("Economies"), story.COUNTRIES: gettext("Countries and regions")}
        for row in moved.rows:
            assert row.description == _old_describe(moved.names, row.event)
            assert row.kind_name == str(why.EVENT_LABELS[row.event.kind])
            for group in row.changes:
                assert group.label == labels.get(group.measure, group.measure.removeprefix(story.BLOC_PREFIX))
