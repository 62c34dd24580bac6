"""The claims ledger reproduces every official figure but five, each explained."""

from __future__ import annotations

import datetime as dt

import pytest

from agreements import selectors

pytestmark = pytest.mark.django_db

EXPECTED_DIFFERENCES = {
    ("GACC-2021-08", "signed", "bloc:CEE"): (13, 12, "Lithuania"),
    ("GACC-2022-02", "signed", "bloc:CEE"): (13, 12, "Lithuania"),
    ("GACC-2024-05", "signed", "bloc:BRI_COOP"): (36, 35, "Italy"),
    ("GACC-2025-07", "in_force", "partner_countries"): (50, 48, "not identified"),
    ("CBIC-2025-05", "signed", "partner_economies"): (9, 8, "ninth is not identified"),
}


def test_every_claim_computes_as_documented() -> None:
    rows = selectors.claims_ledger()
    assert len(rows) == 39
    differences = {(r.claim.key, r.claim.basis, r.claim.metric): r for r in rows if not r.match}
    assert set(differences) == set(EXPECTED_DIFFERENCES)
    for key, (claimed, computed, explanation) in EXPECTED_DIFFERENCES.items():
        row = differences[key]
        assert (row.claim.value, row.computed) == (claimed, computed)
        assert explanation in row.claim.note
    assert sum(r.match for r in rows) == 34


def test_matching_claims_include_chinas_2021_headline_figures() -> None:
    figures = {
        r.claim.metric: (r.claim.value, r.computed)
        for r in selectors.claims_ledger()
        if r.claim.key == "GACC-2021-08"
    }
    assert figures["partner_economies"] == (20, 20)
    assert figures["partner_countries"] == (46, 46)
    assert figures["bloc:BRI"] == (19, 19)
    assert figures["bloc:RCEP"] == (5, 5)
    assert figures["rank_by_countries"] == (1, 1)


def test_korea_claimed_a_world_record_in_2019_and_the_registry_agrees() -> None:
    korea = [r for r in selectors.claims_ledger() if r.claim.key == "KCS-2019-09"]
    assert {(r.claim.metric, r.computed) for r in korea} == {
        ("partner_economies", 21),
        ("rank_by_economies", 1),
    }


def test_korea_and_hong_kong_totals_of_2024_and_2025_reproduce() -> None:
    rows = {
        r.claim.key: r for r in selectors.claims_ledger() if r.claim.key in ("KCS-2024-12", "HKCED-2025-12")
    }
    assert (rows["KCS-2024-12"].claim.value, rows["KCS-2024-12"].computed) == (25, 25)
    assert (rows["HKCED-2025-12"].claim.value, rows["HKCED-2025-12"].computed) == (18, 18)


def test_australias_tenth_and_eleventh_arrangements_of_2024_reproduce() -> None:
    rows = {r.claim.key: r for r in selectors.claims_ledger() if r.claim.key.startswith("ABF-2024")}
    assert {key: (row.claim.value, row.computed) for key, row in rows.items()} == {
        "ABF-2024-04": (10, 10),
        "ABF-2024-08": (11, 11),
    }


def test_japan_in_force_total_of_2025_03_25_reproduces_on_the_in_force_basis() -> None:
    row = next(r for r in selectors.claims_ledger() if r.claim.key == "JPCUS-2025-03")
    assert (row.claim.basis, row.claim.value, row.computed) == ("in_force", 13, 13)


@pytest.mark.parametrize(
    ("evidence", "economies", "countries", "bri"),
    [("confirmed", 16, 42, 16), ("reported", 18, 44, 18), ("inferred", 20, 46, 19)],
)
def test_the_three_evidence_levels_give_documented_results_for_china(
    evidence: str, economies: int, countries: int, bri: int
) -> None:
    # Documented in data/README.md ("Evidence levels on one date"): reported adds Mongolia and
    # Iran; inferred adds Kazakhstan and the United Kingdom.
    summary = selectors.summary_for(
        economy="CHN", day=dt.date(2021, 8, 31), basis="signed", evidence=evidence
    )
    assert (summary.partner_economies, summary.partner_countries, summary.by_bloc["BRI"]) == (
        economies,
        countries,
        bri,
    )


def test_china_on_2017_03_07_has_32_partner_countries() -> None:
    summary = selectors.summary_for(
        economy="CHN", day=dt.date(2017, 3, 7), basis="signed", evidence="inferred"
    )
    assert summary.partner_countries == 32


def test_uk_counts_as_an_eu_territory_on_2020_12_31_and_not_on_2021_01_01() -> None:
    before = selectors.summary_for(
        economy="CHN", day=dt.date(2020, 12, 31), basis="signed", evidence="confirmed"
    )
    after = selectors.summary_for(
        economy="CHN", day=dt.date(2021, 1, 1), basis="signed", evidence="confirmed"
    )
    assert "GBR" in before.countries and "GBR" not in before.partners
    assert "GBR" not in after.countries
    assert before.partner_countries - after.partner_countries == 1
