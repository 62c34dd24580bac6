"""Per-party in-force dates (issue 14, item 3): a plurilateral arrangement comes into force for its
parties on different days. ASEAN's came into force for Brunei, Malaysia and Singapore on
2024-08-01, for Thailand on 2024-08-19, for Indonesia on 2024-10-01 and for the Philippines on
2025-02-28; for Cambodia, Laos, Myanmar and Viet Nam no date is known, so they never count on the
in-force basis. Two parties are partners from the later of their two dates."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from agreements import counting, dataset, selectors
from agreements.counting import ArrangementFact, Facts, MembershipFact
from agreements.models import Arrangement, ArrangementParty
from agreements.reference import ReferenceDataError, load_reference
from tests.conftest import REFERENCE_DIR

pytestmark = pytest.mark.django_db

ASEAN = "ASEAN-AAMRA-2023"
D = dt.date.fromisoformat


def summary(client: Client, economy: str, day: str, basis: str = "in_force") -> dict[str, Any]:
    response = client.get(f"/api/v1/summary?economy={economy}&as_of={day}&basis={basis}")
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def partner_rows(client: Client, economy: str, day: str, basis: str = "in_force") -> list[dict[str, Any]]:
    response = client.get(f"/partners/?economy={economy}&as_of={day}&basis={basis}&format=json")
    assert response.status_code == 200
    rows: list[dict[str, Any]] = json.loads(response.getvalue())["rows"]
    return rows


def asean_partners(client: Client, economy: str, day: str) -> set[str]:
    """The economy's in-force partners by ASEAN's arrangement, as the partners page lists them,
    after checking that the summary API counts the same partner economies."""
    rows = partner_rows(client, economy, day)
    assert sorted({row["economy"] for row in rows}) == summary(client, economy, day)["partners"]
    return {row["economy"] for row in rows if row["arrangement"] == ASEAN}


# The acceptance test of the issue: dates on both sides of each party's day. Seen from Brunei,
# whose only arrangement is ASEAN's, so every other party's day shows: Singapore also has a
# bilateral arrangement with Thailand (in force by 2022-08-31), which is Thailand's row there.


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2024-07-31", set()),
        ("2024-08-01", {"MYS", "SGP"}),
        ("2024-08-18", {"MYS", "SGP"}),
        ("2024-08-19", {"MYS", "SGP", "THA"}),
        ("2024-09-30", {"MYS", "SGP", "THA"}),
        ("2024-10-01", {"MYS", "SGP", "THA", "IDN"}),
        ("2025-02-27", {"MYS", "SGP", "THA", "IDN"}),
        ("2025-02-28", {"MYS", "SGP", "THA", "IDN", "PHL"}),
        ("2026-01-01", {"MYS", "SGP", "THA", "IDN", "PHL"}),
    ],
)
def test_bruneis_asean_partners_in_force_on_each_side_of_each_partys_day(
    client: Client, day: str, expected: set[str]
) -> None:
    assert asean_partners(client, "BRN", day) == expected


def test_singapore_counts_thailand_from_their_bilateral_arrangement_before_asean(client: Client) -> None:
    rows = {row["economy"]: row for row in partner_rows(client, "SGP", "2024-08-19")}
    assert rows["THA"]["arrangement"] == "SGP-THA-2022"
    assert "THA" not in asean_partners(client, "SGP", "2024-08-19")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2024-08-01", set()),
        ("2025-02-27", set()),
        ("2025-02-28", {"BRN", "IDN", "MYS", "SGP", "THA"}),
    ],
)
def test_the_philippines_counts_asean_in_force_only_from_2025_02_28(
    client: Client, day: str, expected: set[str]
) -> None:
    assert asean_partners(client, "PHL", day) == expected


@pytest.mark.parametrize("day", ["2024-08-01", "2025-02-28", "2026-06-30"])
def test_cambodia_has_no_asean_partner_in_force_its_date_being_unknown(client: Client, day: str) -> None:
    assert asean_partners(client, "KHM", day) == set()
    for other in ("SGP", "PHL", "THA"):
        assert "KHM" not in summary(client, other, day)["partners"]


def test_on_the_signed_basis_every_party_counts_from_the_signing(client: Client) -> None:
    assert summary(client, "KHM", "2023-09-18", "signed")["partners"] == []
    assert summary(client, "KHM", "2023-09-19", "signed")["partners"] == [
        "BRN", "IDN", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "VNM",
    ]  # fmt: skip


def test_the_ranking_counts_the_philippines_from_2025_02_28(client: Client) -> None:
    def philippines(day: str) -> int:
        response = client.get(f"/api/v1/ranking?as_of={day}&basis=in_force&by=economies")
        assert response.status_code == 200
        rows = {row["economy"]: row["value"] for row in response.json()["results"]}
        return rows.get("PHL", 0)

    before, after = philippines("2025-02-27"), philippines("2025-02-28")
    assert after - before == 5
    assert after == summary(client, "PHL", "2025-02-28")["partner_economies"]


def test_the_compare_page_agrees_with_the_api(client: Client) -> None:
    for day in ("2025-02-27", "2025-02-28"):
        html = client.get(f"/compare/?economy=SGP&economy=PHL&as_of={day}&basis=in_force").content.decode()
        row = re.search(r'<tr data-measure="partner_economies">(.*?)</tr>', html, re.S)
        assert row
        cells = [int(value) for value in re.findall(r"<td>(\d+)</td>", row.group(1))]
        assert cells == [summary(client, code, day)["partner_economies"] for code in ("SGP", "PHL")]
    assert cells[1] == 5  # the Philippines on 2025-02-28: ASEAN's five parties then in force


# The index keeps answers by interval between event days: a party's day must be one.


def test_the_index_answers_differ_across_a_partys_day_in_any_order() -> None:
    index = selectors.fact_index()
    later = index.summary("SGP", D("2025-02-28"), "in_force", "inferred")
    earlier = index.summary("SGP", D("2025-02-27"), "in_force", "inferred")
    assert "PHL" in later.partners and "PHL" not in earlier.partners
    assert index.interval(D("2025-02-27")) != index.interval(D("2025-02-28"))
    assert index.timeline("in_force", "inferred").figures("PHL", D("2025-02-28"))[0] == 5
    assert index.timeline("in_force", "inferred").figures("PHL", D("2025-02-27"))[0] == 0


def test_the_time_bars_change_days_include_the_parties_days(client: Client) -> None:
    response = client.get("/why/?economy=BRN&as_of=2025-12-31&basis=in_force&format=json")
    rows = json.loads(response.getvalue())["rows"]
    asean = {(row["date"], row["partners"]) for row in rows if row["arrangement"] == ASEAN}
    assert asean == {
        ("2024-08-01", "MYS;SGP"),
        ("2024-08-19", "THA"),
        ("2024-10-01", "IDN"),
        ("2025-02-28", "PHL"),
    }


def test_why_the_philippines_moved_on_2025_02_28(client: Client) -> None:
    response = client.get("/why/?economy=PHL&as_of=2025-03-31&basis=in_force&format=json")
    rows = json.loads(response.getvalue())["rows"]
    assert [(row["date"], row["event"], row["arrangement"], row["economies_gained"]) for row in rows] == [
        ("2025-02-28", "in_force", ASEAN, "BRN;IDN;MYS;SGP;THA")
    ]


# The engine, on plain facts.

TRIO = ArrangementFact(
    key="TRIO",
    parties=("AAA", "BBB", "CCC"),
    signed_date=D("2020-01-01"),
    effective_date=D("2021-01-01"),
    ended_date=D("2023-01-01"),
    status="in_force",
    evidence="confirmed",
    party_effective=(D("2021-01-01"), D("2022-01-01"), None),
)
MEMBERS = [MembershipFact(code, code, None, None) for code in ("AAA", "BBB", "CCC")]


def test_a_pair_counts_from_the_later_of_its_two_dates_until_the_end() -> None:
    assert counting.counting_parties(TRIO, D("2021-06-01"), "in_force", "inferred") == ()
    assert counting.counting_parties(TRIO, D("2022-01-01"), "in_force", "inferred") == ("AAA", "BBB")
    assert counting.counting_parties(TRIO, D("2023-01-01"), "in_force", "inferred") == ()
    assert counting.counting_parties(TRIO, D("2020-01-01"), "signed", "inferred") == ("AAA", "BBB", "CCC")
    assert counting.counting_spans(TRIO, "in_force", "inferred") == [
        (D("2022-01-01"), D("2023-01-01"), ("AAA", "BBB"))
    ]


def test_the_timeline_and_the_definition_agree_on_every_day_around_the_parties_days() -> None:
    later_joiner = ArrangementFact(
        "QUAD",
        ("AAA", "BBB", "CCC", "DDD"),
        D("2020-01-01"),
        D("2020-06-01"),
        None,
        "in_force",
        "confirmed",
        (D("2020-06-01"), D("2020-06-01"), D("2021-03-01"), None),
    )
    facts = Facts([TRIO, later_joiner], [*MEMBERS, MembershipFact("DDD", "DDD", None, None)], [], [])
    line = counting.timeline(facts, "in_force", "inferred")
    index = counting.FactIndex(facts)
    day = D("2020-05-30")
    while day < D("2023-02-01"):
        standings = counting.standings_on(facts, day, "in_force", "inferred")
        for code in ("AAA", "BBB", "CCC", "DDD"):
            own = standings.summary(code)
            assert line.figures(code, day) == (own.partner_economies, own.partner_countries), (code, day)
            assert index.summary(code, day, "in_force", "inferred").partners == own.partners, (code, day)
        day += dt.timedelta(days=1)
    assert index.summary("CCC", D("2021-03-01"), "in_force", "inferred").partners == ("AAA", "BBB")
    assert index.summary("DDD", D("2022-06-01"), "in_force", "inferred").partners == ()


# Data: loaded idempotently, shown, downloadable, validated.


def test_the_reference_data_records_each_asean_partys_date_or_that_it_is_unknown() -> None:
    links = {link.economy_id: link for link in ArrangementParty.objects.filter(arrangement__key=ASEAN)}
    dates = {code: link.in_force_date for code, link in links.items()}
    assert dates == {
        "BRN": D("2024-08-01"),
        "MYS": D("2024-08-01"),
        "SGP": D("2024-08-01"),
        "THA": D("2024-08-19"),
        "IDN": D("2024-10-01"),
        "PHL": D("2025-02-28"),
        "KHM": None,
        "LAO": None,
        "MMR": None,
        "VNM": None,
    }
    assert {code for code, link in links.items() if link.effective_unknown} == {"KHM", "LAO", "MMR", "VNM"}
    assert all(link.source.startswith("https://") and link.note for link in links.values())


def test_the_arrangement_page_shows_each_partys_in_force_date_in_both_languages(client: Client) -> None:
    english = client.get(f"/arrangements/{ASEAN}/").content.decode()
    assert '<tr data-party="PHL">' in english
    assert 'data-in-force="2025-02-28"' in english
    assert "not known: not counted on the in-force basis" in english
    assert english.count("(the arrangement\u2019s date)") == 3
    chinese = client.get(f"/zh-hans/arrangements/{ASEAN}/").content.decode()
    assert "对各缔约方的生效日期" in chinese
    assert "不计入生效口径" in chinese
    bilateral = client.get("/arrangements/CHN-KOR-2013/").content.decode()
    assert 'data-testid="party-dates"' not in bilateral


def test_cambodias_in_force_pages_say_asean_is_left_out(client: Client) -> None:
    body = client.get("/partners/?economy=KHM&as_of=2025-06-30&basis=in_force").content.decode()
    assert 'data-testid="in-force-gaps" data-count="1"' in body
    listed = client.get("/arrangements/?status=in_force&undated=true&party=KHM&format=json")
    keys = [row["key"] for row in json.loads(listed.getvalue())["rows"]]
    assert keys == [ASEAN]
    quality = client.get("/data/quality/?list=in_force_undated&format=json")
    assert quality.status_code == 200


def test_loading_twice_changes_nothing_and_the_download_round_trips(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(REFERENCE_DIR, folder)
    report = load_reference(folder)
    assert not report.changed
    assert report.unchanged["arrangement parties"] == 10
    exported = dataset.table_csv("arrangement_parties.csv")
    assert exported == (REFERENCE_DIR / "arrangement_parties.csv").read_bytes()
    assert dataset.record_counts()["arrangement_parties.csv"] == 10


def test_a_removed_row_resets_the_party_to_the_arrangements_date(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(REFERENCE_DIR, folder)
    path = folder / "arrangement_parties.csv"
    path.write_text("".join(line for line in path.read_text().splitlines(True) if ",PHL," not in line))
    report = load_reference(folder)
    assert report.updated["arrangement parties"] == 1
    philippines = ArrangementParty.objects.get(arrangement__key=ASEAN, economy_id="PHL")
    assert philippines.in_force_date == D("2024-08-01")
    assert not load_reference(folder).changed


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (f"{ASEAN},CHN,2025-01-01,day,,,", "'CHN' is not a party to ASEAN-AAMRA-2023"),
        (f"{ASEAN},PHL,2024-07-01,day,,,", "on or after the arrangement's in-force date"),
        (f"{ASEAN},PHL,2025-02-28,day,yes,,", "cannot be given and marked unknown"),
        (f"{ASEAN},PHL,2025-02-28,,,,", "Give the precision"),
        (f"{ASEAN},PHL,,,maybe,,", "effective_unknown"),
        ("NO-SUCH-KEY,PHL,2025-02-28,day,,,", "unknown arrangement"),
    ],
)
def test_a_bad_party_row_loads_nothing_and_names_its_line(tmp_path: Path, row: str, message: str) -> None:
    folder = tmp_path / "data"
    shutil.copytree(REFERENCE_DIR, folder)
    path = folder / "arrangement_parties.csv"
    lines = [line for line in path.read_text().splitlines(True) if ",PHL," not in line]
    path.write_text("".join([*lines, row + "\n"]))
    with pytest.raises(ReferenceDataError) as error:
        load_reference(folder)
    assert f"arrangement_parties.csv:{len(lines) + 1}:" in str(error.value)
    assert message in str(error.value)


def test_the_database_refuses_a_date_marked_unknown_and_a_date_without_precision() -> None:
    link = ArrangementParty.objects.get(arrangement__key=ASEAN, economy_id="KHM")
    for fields in ({"effective_date": D("2025-01-01"), "effective_precision": "day"}, {"effective_unknown": False, "effective_date": D("2025-01-01")}):  # fmt: skip
        for name, value in fields.items():
            setattr(link, name, value)
        with pytest.raises(IntegrityError), transaction.atomic():
            link.save()
        link.refresh_from_db()


def test_the_model_refuses_a_partys_date_before_the_arrangements() -> None:
    link = ArrangementParty.objects.get(arrangement__key=ASEAN, economy_id="PHL")
    link.effective_date = D("2024-07-31")
    with pytest.raises(ValidationError, match="on or after the arrangement"):
        link.full_clean()


def test_a_party_date_edited_in_the_admin_is_counted_and_bumps_the_data_version(admin_client: Client) -> None:
    from django.urls import reverse

    from agreements.versioning import current_version

    arrangement = Arrangement.objects.get(key=ASEAN)
    page = admin_client.get(reverse("admin:agreements_arrangement_change", args=[arrangement.pk]))
    assert page.status_code == 200
    assert "effective_unknown" in page.content.decode()
    version = current_version()
    link = ArrangementParty.objects.get(arrangement=arrangement, economy_id="VNM")
    link.effective_unknown = False
    link.effective_date, link.effective_precision = D("2026-01-05"), "day"
    link.full_clean()
    link.save()
    assert current_version() != version
    index = selectors.fact_index()
    assert "VNM" in index.summary("SGP", D("2026-01-05"), "in_force", "inferred").partners
    assert "VNM" not in index.summary("SGP", D("2026-01-04"), "in_force", "inferred").partners


def test_the_api_gives_each_partys_in_force_facts_and_a_write_keeps_them(client: Client) -> None:
    from tests.api.test_rest import post, staff_token

    body = client.get(f"/api/v1/arrangements/{ASEAN}/").json()
    facts = {row["economy"]: row for row in body["party_in_force"]}
    assert sorted(facts) == sorted(body["parties"])
    assert facts["PHL"]["effective_date"] == "2025-02-28" and facts["PHL"]["effective_unknown"] is False
    assert facts["KHM"]["effective_date"] is None and facts["KHM"]["effective_unknown"] is True
    assert facts["SGP"]["effective_date"] is None and facts["SGP"]["effective_unknown"] is False

    token = staff_token()
    without_myanmar = [code for code in body["parties"] if code != "MMR"]
    changed = post(client, f"/api/v1/arrangements/{ASEAN}/", {"parties": without_myanmar}, token, "patch")
    assert changed.status_code == 200, changed.json()
    philippines = ArrangementParty.objects.get(arrangement__key=ASEAN, economy_id="PHL")
    assert philippines.in_force_date == D("2025-02-28")
    assert ArrangementParty.objects.get(arrangement__key=ASEAN, economy_id="KHM").effective_unknown

    later = post(client, f"/api/v1/arrangements/{ASEAN}/", {"effective_date": "2025-03-01"}, token, "patch")
    assert later.status_code == 400
    assert "on or after the arrangement's in-force date" in str(later.json())


def test_a_partner_row_gives_the_day_that_partner_came_into_force_with_the_economy(client: Client) -> None:
    def dates(economy: str, basis: str) -> dict[str, str | None]:
        rows = partner_rows(client, economy, "2025-06-30", basis)
        return {row["economy"]: row["effective_date"] for row in rows if row["arrangement"] == ASEAN}

    assert dates("BRN", "in_force") == {
        "MYS": "2024-08-01",
        "SGP": "2024-08-01",
        "THA": "2024-08-19",
        "IDN": "2024-10-01",
        "PHL": "2025-02-28",
    }
    # On the signed basis every party is a partner; the pair's in-force day is the later one, or
    # not known when either party's is not.
    philippines = dates("PHL", "signed")
    assert philippines["SGP"] == "2025-02-28" and philippines["KHM"] is None
    html = client.get("/partners/?economy=SGP&as_of=2025-06-30&basis=in_force").content.decode()
    row = re.search(r'<tr data-territory="PHL">.*?</tr>', html, re.S)
    assert row and '<time datetime="2025-02-28">' in row.group(0)


@pytest.mark.parametrize("prefix", ["", "/zh-hans"])
def test_singapores_in_force_notice_says_asean_counts_for_some_parties_only(
    client: Client, prefix: str
) -> None:
    body = client.get(f"{prefix}/partners/?economy=SGP&as_of=2025-06-30&basis=in_force").content.decode()
    assert 'data-testid="in-force-partial" data-count="1"' in body
    assert ("counts for some of its parties only" if not prefix else "仅对部分缔约方计入") in body
    china = client.get(f"{prefix}/partners/?economy=CHN&as_of=2025-06-30&basis=in_force").content.decode()
    assert 'data-testid="in-force-partial"' not in china
