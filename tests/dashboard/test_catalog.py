"""The catalog pages (arrangements, economies, territories, blocs) on the reference data."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements import selectors
from agreements.choices import Basis, DatePrecision, Evidence, Status
from agreements.models import Arrangement, ArrangementParty, Economy, Territory
from agreements.querysets import counting_on_q
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

EU_ARRANGEMENT = "CHN-EUU-2014"


def _keys(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:2000]
    return [arrangement.key for arrangement in response.context["page_obj"]]


def _all_keys(client: Client, url: str) -> list[str]:
    """Every key over every page of a filtered list."""
    first = client.get(url)
    assert first.status_code == 200
    pages = first.context["page_obj"].paginator.num_pages
    keys = [a.key for a in first.context["page_obj"]]
    joiner = "&" if "?" in url else "?"
    for number in range(2, pages + 1):
        keys += _keys(client, f"{url}{joiner}page={number}")
    return keys


def _row_keys(html: str) -> list[str]:
    return re.findall(r'<tr data-key="([^"]+)">', html)


# Arrangement list: filters


def test_party_lists_exactly_the_arrangements_with_that_party(client: Client) -> None:
    expected = set(Arrangement.objects.filter(parties__code="CHN").values_list("key", flat=True))
    assert expected
    assert set(_all_keys(client, "/arrangements/?party=CHN")) == expected


def test_party_codes_are_case_insensitive(client: Client) -> None:
    assert _all_keys(client, "/arrangements/?party=chn") == _all_keys(client, "/arrangements/?party=CHN")


def test_several_parties_list_only_arrangements_having_every_one(client: Client) -> None:
    keys = _all_keys(client, "/arrangements/?party=CHN&party=EUU")
    assert keys == [EU_ARRANGEMENT]


def test_a_party_is_looked_up_as_a_list_of_ids_on_postgresql(client: Client) -> None:
    """As a join, PostgreSQL read every arrangement to find one party's (see `AmongValues`)."""
    with CaptureQueriesContext(connection) as context:
        client.get("/arrangements/?party=CHN")
    filtered = [q["sql"] for q in context.captured_queries if "agreements_arrangementparty" in q["sql"]]
    assert filtered
    wanted = "= ANY(ARRAY(SELECT" if connection.vendor == "postgresql" else "IN (SELECT"
    assert all(wanted in sql for sql in filtered[:2]), filtered


def test_an_unknown_party_shows_the_error_and_no_rows_with_status_400(client: Client) -> None:
    response = client.get("/arrangements/?party=XYZ")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Unknown economy code “XYZ”." in html
    assert 'aria-invalid="true"' in html
    assert _row_keys(html) == []
    assert response.context["page_obj"] is None


def test_an_impossible_date_is_a_form_error_with_status_400(client: Client) -> None:
    response = client.get("/arrangements/?signed_after=2021-02-30")
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    assert _row_keys(response.content.decode()) == []


@pytest.mark.parametrize(
    "query",
    ["signed_before=22/05/2021", "status=ratified", "evidence=rumoured", "ordering=title", "territory=ZZZ"],
)
def test_any_invalid_value_answers_400_and_never_everything(client: Client, query: str) -> None:
    response = client.get(f"/arrangements/?{query}")
    assert response.status_code == 400
    assert _row_keys(response.content.decode()) == []


def test_signed_after_and_before_are_inclusive(client: Client) -> None:
    assert EU_ARRANGEMENT in _all_keys(client, "/arrangements/?signed_after=2014-05-16")
    assert EU_ARRANGEMENT in _all_keys(client, "/arrangements/?signed_before=2014-05-16")
    assert EU_ARRANGEMENT not in _all_keys(client, "/arrangements/?signed_after=2014-05-17")
    assert _all_keys(client, "/arrangements/?signed_after=2014-05-16&signed_before=2014-05-16") == [
        EU_ARRANGEMENT
    ]


def test_status_and_evidence_filter_on_the_exact_value(client: Client) -> None:
    expected = set(
        Arrangement.objects.filter(status=Status.NEGOTIATING, evidence=Evidence.REPORTED).values_list(
            "key", flat=True
        )
    )
    assert expected
    assert set(_all_keys(client, "/arrangements/?status=negotiating&evidence=reported")) == expected


def test_search_finds_words_in_the_notes(client: Client) -> None:
    # The notes of the EU-China arrangement mention Croatia, which is no party to anything.
    assert EU_ARRANGEMENT in _all_keys(client, "/arrangements/?q=croatia")


def test_search_finds_party_names_and_keys_and_each_row_once(client: Client) -> None:
    by_name = _all_keys(client, "/arrangements/?q=Switzerland")
    assert set(by_name) == set(Arrangement.objects.filter(parties__code="CHE").values_list("key", flat=True))
    assert len(by_name) == len(set(by_name))
    assert _all_keys(client, "/arrangements/?q=usa-nzl") == ["USA-NZL-2007"]


def test_search_for_lithuania_finds_no_arrangement_text(client: Client) -> None:
    # Lithuania is reached only through the EU party; the text search does not look at territories.
    assert _all_keys(client, "/arrangements/?q=Lithuania") == []
    assert EU_ARRANGEMENT in _all_keys(client, "/arrangements/?territory=LTU")


def test_territory_includes_the_arrangements_of_its_unions(client: Client) -> None:
    keys = set(_all_keys(client, "/arrangements/?territory=FRA"))
    expected = set(
        Arrangement.objects.filter(parties__memberships__territory="FRA").values_list("key", flat=True)
    )
    assert keys == expected
    assert {EU_ARRANGEMENT, "USA-EUU-2012", "EUU-JPN-2010"} <= keys


def test_territory_counts_past_memberships_too(client: Client) -> None:
    keys = set(_all_keys(client, "/arrangements/?territory=gbr"))
    assert EU_ARRANGEMENT in keys  # through the EU, until 2021
    assert set(Arrangement.objects.filter(parties__code="GBR").values_list("key", flat=True)) <= keys


def test_in_force_on_uses_the_counting_rule_on_the_in_force_basis(client: Client) -> None:
    day = dt.date(2020, 1, 1)
    expected = set(
        Arrangement.objects.filter(counting_on_q(day, Basis.IN_FORCE, Evidence.INFERRED)).values_list(
            "key", flat=True
        )
    )
    keys = set(_all_keys(client, "/arrangements/?in_force_on=2020-01-01"))
    assert keys == expected
    assert EU_ARRANGEMENT in keys
    assert "EUU-GBR-2020" not in keys
    assert "USA-CAN-2008" not in keys  # no in-force date given
    assert "USA-NZL-2007" in keys  # in force by 2013-07-19 (a bound, precision "by")


# Arrangement list: order, pages, count


def test_default_order_is_signed_date_then_key_with_undated_last(client: Client) -> None:
    rows = sorted(
        Arrangement.objects.values_list("signed_date", "key"),
        key=lambda row: (row[0] is None, row[0] or dt.date.min, row[1]),
    )
    assert _all_keys(client, "/arrangements/") == [key for _, key in rows]


def test_ordering_by_signed_date_descending_puts_the_latest_first(client: Client) -> None:
    response = client.get("/arrangements/?ordering=-signed_date")
    assert response.status_code == 200
    dates = [a.signed_date for a in response.context["page_obj"]]
    latest = Arrangement.objects.exclude(signed_date=None).order_by("-signed_date").first()
    assert latest is not None
    assert dates[0] == latest.signed_date
    assert dates == sorted(dates, reverse=True)
    html = response.content.decode()
    assert 'aria-sort="descending"' in html
    assert "ordering=signed_date" in html  # the heading link now sorts ascending


def test_ordering_by_status_follows_the_lifecycle(client: Client) -> None:
    statuses = [
        Arrangement.objects.get(key=key).status for key in _all_keys(client, "/arrangements/?ordering=status")
    ]
    order = Status.values
    assert [order.index(s) for s in statuses] == sorted(order.index(s) for s in statuses)


def test_the_list_counts_results_and_pages_by_fifty(client: Client) -> None:
    total = Arrangement.objects.count()
    response = client.get("/arrangements/")
    assert f"{total} arrangements" in response.content.decode()
    page = response.context["page_obj"]
    assert len(page.object_list) == 50
    assert page.paginator.num_pages == -(-total // 50)


def test_page_links_keep_the_filters(client: Client) -> None:
    response = client.get("/arrangements/?evidence=confirmed")
    assert response.context["page_obj"].paginator.num_pages > 1
    assert "?evidence=confirmed&amp;page=2" in response.content.decode()


def test_pages_do_not_overlap(client: Client) -> None:
    first = _keys(client, "/arrangements/?page=1")
    second = _keys(client, "/arrangements/?page=2")
    assert len(second) == 50
    assert not set(first) & set(second)


@pytest.mark.parametrize(("page", "expected"), [("abc", 1), ("0", 1), ("-3", 1), ("999", "last")])
def test_an_unreadable_page_shows_the_first_and_a_large_one_the_last(
    client: Client, page: str, expected: int | str
) -> None:
    response = client.get(f"/arrangements/?page={page}")
    assert response.status_code == 200
    page_obj = response.context["page_obj"]
    assert page_obj.number == (page_obj.paginator.num_pages if expected == "last" else expected)


def test_rows_show_party_names_dates_with_precision_status_and_evidence(client: Client) -> None:
    html = client.get("/arrangements/?party=USA&party=NZL").content.decode()
    assert '<abbr title="New Zealand">NZL</abbr>' in html
    assert '<time datetime="2007-06">2007-06</time> (month)' in html
    assert "In force" in html
    assert "Confirmed" in html


def test_every_form_control_has_a_label(client: Client) -> None:
    html = client.get("/arrangements/").content.decode()
    controls = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html)
    assert len(controls) == 10
    for control in controls:
        assert f'<label for="{control}">' in html


def test_tables_have_captions_and_column_headers(client: Client) -> None:
    html = client.get("/arrangements/").content.decode()
    assert "<caption>" in html
    assert html.count('<th scope="col"') == 7


# Arrangement detail


def test_arrangement_detail_shows_parties_dates_sources_and_notes(client: Client) -> None:
    response = client.get(f"/arrangements/{EU_ARRANGEMENT}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="/economies/EUU/">European Union (EUU)</a>' in html
    assert '<time datetime="2014-05-16">2014-05-16</time>' in html
    assert '<time datetime="2015-11-01">2015-11-01</time>' in html
    assert (
        '<a href="https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:22014D0772" rel="noopener">'
        in html
    )
    assert re.search(
        r'<li data-source="\d+">lexology.com summary of GACC Announcement 2015 No.52 '
        r'<span class="weak">\(citation only, no link\)</span></li>',
        html,
    )
    # The document the URL names (data/source_documents.csv): its publisher beside the link.
    assert "(EUR-Lex, Publications Office of the European Union)" in html
    assert "Croatia" in html


def test_a_source_shows_its_title_date_archived_copy_and_a_failed_check(client: Client) -> None:
    import datetime as dt

    from django.utils import timezone

    from agreements.models import LinkCheck, SourceDocument

    url = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:22014D0772"
    SourceDocument.objects.filter(url=url).update(
        title="Decision No 1/2014 of the EU-China JCCC",
        published=dt.date(2014, 5, 16),
        archive_url="https://web.archive.org/web/2020/" + url,
    )
    LinkCheck.objects.create(
        url=url, http_status=404, checked_at=timezone.make_aware(dt.datetime(2026, 12, 1, 12))
    )
    from agreements import versioning

    versioning.bump()
    html = client.get(f"/arrangements/{EU_ARRANGEMENT}/").content.decode()
    assert (
        f'<a href="{url.replace("&", "&amp;")}" rel="noopener">Decision No 1/2014 of the EU-China JCCC</a>'
        in html
    )
    assert "(EUR-Lex, Publications Office of the European Union, 2014-05-16)" in html
    assert '<a href="https://web.archive.org/web/2020/' in html and ">archived copy</a>" in html
    assert "did not answer when checked on 2026-12-01 (404)" in html


@pytest.mark.parametrize(
    ("precision", "rendered"),
    [
        (DatePrecision.DAY, '<time datetime="2019-07-22">2019-07-22</time>'),
        (DatePrecision.MONTH, '<time datetime="2019-07">2019-07</time> (month)'),
        (DatePrecision.YEAR, '<time datetime="2019">2019</time> (year)'),
        (DatePrecision.BY, 'by <time datetime="2019-07-22">2019-07-22</time>'),
    ],
)
def test_dates_show_their_precision(client: Client, precision: str, rendered: str) -> None:
    # The in-force date is cleared so the signing date may move past it (effective >= signed).
    Arrangement.objects.filter(key="USA-NZL-2007").update(
        signed_date=dt.date(2019, 7, 22),
        signed_precision=precision,
        effective_date=None,
        effective_precision="",
    )
    html = client.get("/arrangements/USA-NZL-2007/").content.decode()
    assert f'<dd data-testid="signed">{rendered}</dd>' in html


def test_an_unknown_arrangement_is_404(client: Client) -> None:
    assert client.get("/arrangements/NO-SUCH-KEY/").status_code == 404


def _covered(client: Client, key: str, day: str) -> dict[str, list[str]]:
    response = client.get(f"/arrangements/{key}/?as_of={day}")
    assert response.status_code == 200
    return {row.economy.code: [t.iso3 for t in row.territories] for row in response.context["coverage"]}


def test_an_eu_arrangement_covers_the_uk_on_2020_12_31_and_not_on_2021_01_01(client: Client) -> None:
    assert "GBR" in _covered(client, EU_ARRANGEMENT, "2020-12-31")["EUU"]
    covered = _covered(client, EU_ARRANGEMENT, "2021-01-01")
    assert "GBR" not in covered["EUU"]
    assert "FRA" in covered["EUU"]
    assert covered["CHN"] == ["CHN"]
    html = client.get(f"/arrangements/{EU_ARRANGEMENT}/?as_of=2020-12-31").content.decode()
    assert '<a href="/territories/GBR/">United Kingdom (GBR)</a>' in html


def test_covers_defaults_to_today(client: Client) -> None:
    response = client.get(f"/arrangements/{EU_ARRANGEMENT}/")
    assert response.context["as_of"] == timezone.localdate()
    assert f'value="{timezone.localdate().isoformat()}"' in response.content.decode()


def test_a_bad_covers_date_is_400_with_the_error(client: Client) -> None:
    response = client.get(f"/arrangements/{EU_ARRANGEMENT}/?as_of=tomorrow")
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    assert response.context["coverage"] is None


def test_data_is_escaped(client: Client) -> None:
    arrangement = Arrangement.objects.get(key="USA-NZL-2007")
    arrangement.notes = '<script>alert("x")</script>'
    arrangement.save()
    SourceFactory.create(arrangement=arrangement, citation="<b>bold</b>", position=9)
    html = client.get("/arrangements/USA-NZL-2007/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


# Economies


def test_economy_list_links_every_economy(client: Client) -> None:
    response = client.get("/economies/")
    assert response.status_code == 200
    html = response.content.decode()
    for code in Economy.objects.values_list("code", flat=True):
        assert f'href="/economies/{code}/"' in html


def test_economy_detail_shows_members_over_time_arrangements_and_todays_summary(client: Client) -> None:
    response = client.get("/economies/EUU/")
    assert response.status_code == 200
    html = response.content.decode()
    partner_map = response.context["map_figure"]
    assert partner_map["meta"]["partners"] == len(response.context["page"].summary.countries)
    assert 'data-figure="map-figure"' in html
    gbr = next(m for m in response.context["page"].memberships if m.territory_id == "GBR")
    assert (gbr.start_date, gbr.end_date) == (dt.date(1973, 1, 1), dt.date(2021, 1, 1))
    assert "<td>2021-01-01</td>" in html
    keys = {row.arrangement.key for row in response.context["page"].arrangements}
    assert keys == set(Arrangement.objects.filter(parties__code="EUU").values_list("key", flat=True))
    summary = selectors.summary_for(
        economy="EUU", day=timezone.localdate(), basis="signed", evidence="inferred"
    )
    assert f'<dd data-testid="partner-economies">{summary.partner_economies}</dd>' in html
    assert f'<dd data-testid="partner-countries">{summary.partner_countries}</dd>' in html


def test_an_unknown_economy_is_404(client: Client) -> None:
    assert client.get("/economies/XYZ/").status_code == 404


# Territories


def test_territory_list_shows_every_iso_territory_and_its_economies_now(client: Client) -> None:
    response = client.get("/territories/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == Territory.objects.count() >= 249
    france = next(row for row in rows if row.territory.iso3 == "FRA")
    assert {e.code for e in france.economies} == {"EUU"}
    uk = next(row for row in rows if row.territory.iso3 == "GBR")
    assert {e.code for e in uk.economies} == {"GBR"}


def test_territory_detail_shows_economies_blocs_and_arrangements_reaching_it(client: Client) -> None:
    response = client.get("/territories/LTU/")
    assert response.status_code == 200
    page = response.context["page"]
    assert [m.economy_id for m in page.economy_memberships] == ["EUU"]
    assert {m.bloc_id for m in page.bloc_memberships} >= {"CEE", "BRI"}
    keys = {reach.arrangement.key for reach in page.arrangements}
    assert keys == set(
        ArrangementParty.objects.filter(economy__memberships__territory="LTU").values_list(
            "arrangement__key", flat=True
        )
    )
    reach = next(r for r in page.arrangements if r.arrangement.key == EU_ARRANGEMENT)
    assert reach.via == ["EUU"]
    assert "<td>2021-05-22</td>" in response.content.decode()  # left CEE


def test_an_unknown_territory_is_404(client: Client) -> None:
    assert client.get("/territories/XYZ/").status_code == 404


# Blocs


def test_bloc_list_and_detail(client: Client) -> None:
    listing = client.get("/blocs/")
    assert listing.status_code == 200
    assert 'href="/blocs/CEE/"' in listing.content.decode()
    response = client.get("/blocs/CEE/")
    assert response.status_code == 200
    html = response.content.decode()
    members_today = response.context["members_today"]
    assert response.context["map_figure"]["meta"]["territories"] == members_today
    assert 'data-figure="map-figure"' in html
    assert '<a href="https://news.err.ee/1608682231" rel="nofollow">' in html
    assert '<a href="/territories/LTU/">Lithuania (LTU)</a>' in html
    assert "Exit announced 2021-05-22" in html


def test_an_unknown_bloc_is_404(client: Client) -> None:
    assert client.get("/blocs/NOPE/").status_code == 404


# Query counts


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_a_page_of_fifty_costs_the_same_queries_as_a_page_of_a_few(client: Client) -> None:
    few, many = _queries(client, "/arrangements/?q=USA-NZL"), _queries(client, "/arrangements/?q=-")
    assert few == many
    cache.clear()  # the page cache would answer the next request without rendering it
    assert len(client.get("/arrangements/?q=USA-NZL").context["page_obj"]) < 5


CATALOG_URLS = [
    "/arrangements/",
    "/arrangements/?party=CHN&territory=FRA&ordering=-status&page=2",
    "/arrangements/?q=eu&in_force_on=2020-01-01&signed_after=2010-01-01",
    f"/arrangements/{EU_ARRANGEMENT}/?as_of=2020-12-31",
    "/economies/",
    "/economies/EUU/",
    "/economies/CHN/",
    "/territories/",
    "/territories/FRA/",
    "/blocs/",
    "/blocs/BRI/",
]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in {"meta", "link", "input", "br", "img", "hr"}:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, (tag, self.open[-5:])
        self.open.pop()


@pytest.mark.parametrize("url", CATALOG_URLS)
def test_pages_are_well_formed(client: Client, url: str) -> None:
    parser = _Tags()
    parser.feed(client.get(url).content.decode())
    assert parser.open == []


def test_a_detail_page_lists_a_bounded_number_of_arrangements_and_links_to_all(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16: detail pages do not grow with the data; the arrangement list has every row."""
    from agreements import selectors

    monkeypatch.setattr(selectors, "DETAIL_ROWS", 3)
    total = Arrangement.objects.filter(parties="CHN").count()
    html = client.get("/economies/CHN/").content.decode()
    assert html.count('<tr>\n      <td><a href="/arrangements/') == 3
    assert f"{total} arrangements to which China is a party" in html
    assert f'The first 3 of {total}, by signing date: <a href="/arrangements/?party=CHN">' in html
    html = client.get("/territories/FRA/").content.decode()
    assert 'data-testid="rows-cut">The first 3 of ' in html and '<a href="/arrangements/?party=EUU">' in html
