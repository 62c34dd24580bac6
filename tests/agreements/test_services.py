"""Writes through agreements.services: validated by the model, atomic, one data-version bump each."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from agreements import reference, services, versioning
from agreements.imports import import_table
from agreements.models import (
    Arrangement,
    ArrangementParty,
    BlocMembership,
    Claim,
    Economy,
    EconomyMembership,
    Source,
)
from agreements.models.memberships import DatedMembership
from agreements.reference import load_reference
from tests.conftest import REFERENCE_DIR

pytestmark = pytest.mark.django_db


def version() -> int:
    return int(versioning.current_version())


def new_arrangement(**fields: object) -> Arrangement:
    values: dict[str, object] = {"key": "QSV-1", "status": "signed", "evidence": "confirmed", **fields}
    return Arrangement(**values)


def test_an_arrangement_with_parties_and_sources_is_saved_in_one_bump() -> None:
    before = version()
    saved = services.arrangement_save(
        arrangement=new_arrangement(), parties=["CHN", "KOR"], sources=["https://example.org/a", "A letter"]
    )
    assert version() == before + 1
    assert sorted(saved.parties.values_list("code", flat=True)) == ["CHN", "KOR"]
    assert [source.text for source in saved.sources.order_by("position")] == [
        "https://example.org/a",
        "A letter",
    ]


def test_a_party_that_stays_keeps_its_own_in_force_facts() -> None:
    arrangement = services.arrangement_save(
        arrangement=new_arrangement(effective_date=dt.date(2020, 1, 1), effective_precision="day"),
        parties=["CHN", "KOR"],
    )
    ArrangementParty.objects.filter(arrangement=arrangement, economy_id="KOR").update(
        effective_date=dt.date(2021, 1, 1), effective_precision="day", note="later"
    )
    services.arrangement_save(arrangement=arrangement, parties=["KOR", "JPN"])
    kept = ArrangementParty.objects.get(arrangement=arrangement, economy_id="KOR")
    assert (kept.effective_date, kept.note) == (dt.date(2021, 1, 1), "later")
    assert sorted(arrangement.parties.values_list("code", flat=True)) == ["JPN", "KOR"]


@pytest.mark.parametrize(
    ("parties", "message"),
    [
        (["CHN"], "two or more distinct parties"),
        (["CHN", "CHN"], "only once"),
        ([], "two or more distinct parties"),
    ],
)
def test_an_arrangement_needs_two_distinct_parties(parties: list[str], message: str) -> None:
    before = version()
    with pytest.raises(ValidationError, match=message):
        services.arrangement_save(arrangement=new_arrangement(), parties=parties)
    assert not Arrangement.objects.filter(key="QSV-1").exists()
    assert version() == before


def test_the_models_constraints_refuse_a_save_and_nothing_is_written() -> None:
    before = version()
    bad = new_arrangement(
        signed_date=dt.date(2021, 1, 1),
        signed_precision="day",
        effective_date=dt.date(2020, 1, 1),
        effective_precision="day",
    )
    with pytest.raises(ValidationError, match="cannot be before the signed date"):
        services.arrangement_save(arrangement=bad, parties=["CHN", "KOR"], sources=["A letter"])
    assert not Arrangement.objects.filter(key="QSV-1").exists()
    assert not Source.objects.filter(citation="A letter", arrangement__key="QSV-1").exists()
    assert version() == before


def test_a_membership_is_checked_against_its_siblings_and_saved_in_one_bump() -> None:
    saved = BlocMembership.objects.filter(end_date=None).exclude(start_date=None).first()
    assert saved is not None and saved.start_date is not None
    before = version()
    overlapping = BlocMembership(
        bloc_id=saved.bloc_id,
        territory_id=saved.territory_id,
        start_date=saved.start_date + dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="overlaps"):
        services.membership_save(membership=overlapping)
    assert version() == before
    earlier = BlocMembership(
        bloc_id=saved.bloc_id,
        territory_id=saved.territory_id,
        start_date=dt.date(1950, 1, 1),
        end_date=dt.date(1950, 6, 1),
    )
    services.membership_save(membership=earlier)
    assert earlier.pk is not None and version() == before + 1


def test_a_claim_is_validated_and_saved_in_one_bump() -> None:
    before = version()
    claim = Claim(
        key="qsv",
        authority="Test",
        stated_on=dt.date(2021, 1, 1),
        as_of=dt.date(2021, 2, 1),
        economy_id="CHN",
        basis="signed",
        metric="partner_countries",
        value=3,
    )
    with pytest.raises(ValidationError, match="cannot be as of a date after it was stated"):
        services.claim_save(claim=claim)
    claim.as_of = dt.date(2020, 12, 31)
    services.claim_save(claim=claim)
    assert Claim.objects.filter(key="qsv").exists() and version() == before + 1


# Writes inside a larger change (the admin's form, a caller's transaction) are one change.


def test_services_called_inside_one_change_bump_the_version_once() -> None:
    before = version()
    with transaction.atomic(), versioning.batched():
        services.claim_save(claim=new_claim(key="qsv-a"))
        services.claim_save(claim=new_claim(key="qsv-b"))
        services.membership_save(
            membership=BlocMembership(
                bloc_id="RCEP",
                territory_id="FRA",
                start_date=dt.date(1950, 1, 1),
                end_date=dt.date(1950, 6, 1),
            )
        )
    assert version() == before + 1


def test_a_change_that_fails_after_a_service_saved_bumps_nothing_and_saves_nothing() -> None:
    before = version()
    with pytest.raises(RuntimeError), transaction.atomic(), versioning.batched():
        services.claim_save(claim=new_claim(key="qsv-a"))
        raise RuntimeError("the rest of the change failed")
    assert version() == before
    assert not Claim.objects.filter(key="qsv-a").exists()


def new_claim(**fields: object) -> Claim:
    values: dict[str, object] = {
        "key": "qsv",
        "authority": "Test",
        "stated_on": dt.date(2021, 1, 1),
        "as_of": dt.date(2020, 12, 31),
        "economy_id": "CHN",
        "basis": "signed",
        "metric": "partner_countries",
        "value": 3,
        **fields,
    }
    return Claim(**values)


# Writes in bulk: tables_load, called by the reference loader and the admin's import.

CLAIM_HEADER = ",".join(reference.COLUMNS["claims.csv"])


def claims_file(*values: int) -> bytes:
    lines = [CLAIM_HEADER] + [
        f"qsv-bulk-{i},Test,2021-01-02,2021-01-01,CHN,signed,partner_countries,{value},,"
        for i, value in enumerate(values)
    ]
    return ("\n".join(lines) + "\n").encode()


def parsed_claims(data: bytes) -> reference.Parsed:
    problems: list[str] = []
    rows = reference.rows_from_bytes("claims.csv", data, problems)
    parsed = reference.parse_valid_rows({"claims.csv": rows}, problems, reference.Known.from_database())
    assert not problems
    return parsed


def import_history() -> int:
    return Claim.history.filter(
        key__startswith="qsv-bulk-", history_change_reason=reference.IMPORT_REASON
    ).count()


def test_a_bulk_load_creates_then_updates_in_one_bump_each_and_an_unchanged_reload_in_none() -> None:
    before = version()
    report = services.tables_load(parsed=parsed_claims(claims_file(1, 2, 3)))
    assert report.created["claims"] == 3
    assert version() == before + 1
    assert import_history() == 3  # one "created" history row per row, written in bulk

    report = services.tables_load(parsed=parsed_claims(claims_file(1, 2, 30)))
    assert (report.updated["claims"], report.unchanged["claims"]) == (1, 2)
    assert version() == before + 2
    assert import_history() == 4  # the changed row only
    assert Claim.objects.get(key="qsv-bulk-2").value == 30

    report = services.tables_load(parsed=parsed_claims(claims_file(1, 2, 30)))
    assert not report.changed
    assert version() == before + 2
    assert import_history() == 4


def test_a_row_the_database_refuses_rolls_the_whole_bulk_load_back() -> None:
    parsed = parsed_claims(claims_file(1, 2))
    # The same figure twice (the parser would refuse it; the database's unique constraint does too).
    first_row, first = parsed.claims[0]
    parsed.claims.append((reference.Row("claims.csv", 4, first_row.values), new_claim(key=first.key)))
    before = version()
    with pytest.raises(reference.ReferenceDataError) as refused:
        services.tables_load(parsed=parsed)
    assert [problem.split(": ", 1)[0] for problem in refused.value.problems] == ["claims.csv:4"]
    assert not Claim.objects.filter(key__startswith="qsv-bulk-").exists()
    assert import_history() == 0
    assert version() == before


def test_a_bulk_load_replaces_an_arrangements_children_with_their_history_in_bulk() -> None:
    arrangement = services.arrangement_save(
        arrangement=new_arrangement(), parties=["CHN", "KOR"], sources=["https://example.org/a"]
    )
    header = ",".join(reference.COLUMNS["arrangements.csv"])
    row = "QSV-1,,CHN;JPN,,,,,,signed,confirmed,A letter ; https://example.org/b,"
    problems: list[str] = []
    rows = reference.rows_from_bytes("arrangements.csv", f"{header}\n{row}\n".encode(), problems)
    parsed = reference.parse_valid_rows({"arrangements.csv": rows}, problems, reference.Known.from_database())
    assert not problems
    before = version()
    report = services.tables_load(parsed=parsed)
    assert report.updated["arrangements"] == 1
    assert version() == before + 1
    assert sorted(arrangement.parties.values_list("code", flat=True)) == ["CHN", "JPN"]
    assert [source.text for source in arrangement.sources.order_by("position")] == [
        "A letter",
        "https://example.org/b",
    ]
    created = ArrangementParty.history.filter(
        arrangement_id=arrangement.pk, history_type="+", history_change_reason=reference.IMPORT_REASON
    )
    assert sorted(created.values_list("economy_id", flat=True)) == ["CHN", "JPN"]
    deleted = ArrangementParty.history.filter(arrangement_id=arrangement.pk, history_type="-")
    assert sorted(deleted.values_list("economy_id", flat=True)) == ["CHN", "KOR"]


# The writers that call the services: a spy records the call and runs the real service.


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    for name in (
        "tables_load",
        "claim_save",
        "membership_save",
        "arrangement_save",
        "arrangement_party_save",
        "source_save",
    ):
        real = getattr(services, name)

        def spy(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            seen.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(services, name, spy)
    return seen


def test_the_reference_loader_writes_through_tables_load(calls: list[str], tmp_path: Path) -> None:
    for path in REFERENCE_DIR.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    before = version()
    assert not load_reference(tmp_path).changed  # loading twice leaves everything unchanged
    assert calls == ["tables_load"] and version() == before


def test_the_admin_import_writes_through_tables_load(calls: list[str]) -> None:
    before = version()
    preview = import_table("claims.csv", claims_file(1, 2))
    assert preview.ok and not preview.applied and version() == before
    assert not Claim.objects.filter(key__startswith="qsv-bulk-").exists()
    applied = import_table("claims.csv", claims_file(1, 2), commit=True)
    assert applied.applied and version() == before + 1
    assert calls == ["tables_load", "tables_load"]
    assert import_history() == 2


def admin_url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:agreements_{model._meta.model_name}_{view}", args=args)


CLAIM_FORM = {
    "key": "qsv-admin",
    "authority": "Test",
    "stated_on": "2021-01-02",
    "as_of": "2021-01-01",
    "economy": "CHN",
    "basis": "signed",
    "metric": "partner_countries",
    "value": "4",
    "source_url": "",
    "note": "",
}


def test_the_claim_admin_saves_through_claim_save_in_one_bump(admin_client: Client, calls: list[str]) -> None:
    before = version()
    response = admin_client.post(admin_url(Claim, "add"), CLAIM_FORM)
    assert response.status_code == 302
    claim = Claim.objects.get(key="qsv-admin")
    assert calls == ["claim_save"] and version() == before + 1
    response = admin_client.post(admin_url(Claim, "change", claim.pk), {**CLAIM_FORM, "value": "5"})
    assert response.status_code == 302
    assert calls == ["claim_save", "claim_save"] and version() == before + 2
    history = claim.history.order_by("history_id")
    assert [(row.history_type, row.value, row.history_user.username) for row in history] == [
        ("+", 4, "admin"),
        ("~", 5, "admin"),
    ]


@pytest.mark.parametrize(
    ("model", "group", "code"), [(EconomyMembership, "economy", "EUU"), (BlocMembership, "bloc", "RCEP")]
)
def test_the_membership_admins_save_through_membership_save_in_one_bump(
    admin_client: Client, calls: list[str], model: type[DatedMembership], group: str, code: str
) -> None:
    before = version()
    form = {group: code, "territory": "FRA", "start_date": "1950-01-01", "end_date": "1950-06-01", "note": ""}
    response = admin_client.post(admin_url(model, "add"), form)
    assert response.status_code == 302
    assert calls == ["membership_save"] and version() == before + 1
    saved = model._default_manager.get(territory_id="FRA", start_date=dt.date(1950, 1, 1))
    assert saved.history.count() == 1  # type: ignore[attr-defined]
    refused = admin_client.post(admin_url(model, "add"), {**form, "start_date": "1950-03-01", "end_date": ""})
    assert refused.status_code == 200 and "overlaps" in refused.content.decode()
    assert version() == before + 1


def test_an_economys_memberships_saved_inline_go_through_membership_save_in_one_bump(
    admin_client: Client, calls: list[str]
) -> None:
    page = admin_client.get(admin_url(Economy, "add"))
    prefix = next(
        inline.formset.prefix
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is EconomyMembership
    )
    rows = [("FRA", "", "2020-01-01"), ("FRA", "2020-01-01", ""), ("DEU", "", "")]
    data = {
        "code": "QSV",
        "name": "Q customs union",
        "kind": "union",
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, (territory, start, end) in enumerate(rows):
        data |= {
            f"{prefix}-{index}-territory": territory,
            f"{prefix}-{index}-start_date": start,
            f"{prefix}-{index}-end_date": end,
            f"{prefix}-{index}-note": "",
        }
    before = version()
    response = admin_client.post(admin_url(Economy, "add"), data)
    assert response.status_code == 302
    assert calls == ["membership_save"] * 3
    assert version() == before + 1
    assert EconomyMembership.objects.filter(economy_id="QSV").count() == 3


def test_reverting_a_claim_in_the_admin_saves_through_claim_save_in_one_bump(
    admin_client: Client, calls: list[str]
) -> None:
    claim = services.claim_save(claim=new_claim(key=CLAIM_FORM["key"], value=4))
    first = claim.history.latest()
    claim.value = 5
    services.claim_save(claim=claim)
    calls.clear()
    before = version()
    response = admin_client.post(admin_url(Claim, "simple_history", claim.pk, first.history_id), CLAIM_FORM)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.value == 4
    assert calls == ["claim_save"] and version() == before + 1


def arrangement_form(admin_client: Client, arrangement: Arrangement) -> dict[str, Any]:
    """The arrangement's change form as the admin shows it, every inline row included, unchanged."""
    page = admin_client.get(admin_url(Arrangement, "change", arrangement.pk))
    data = {
        name: value
        for name, value in page.context["adminform"].form.initial.items()
        if name in page.context["adminform"].form.fields
    }
    data = {name: "" if value is None else value for name, value in data.items()}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= {
            f"{formset.prefix}-TOTAL_FORMS": str(len(formset.forms)),
            f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
        }
        for form in formset.forms:
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                if hasattr(value, "pk"):
                    value = value.pk
                data[form.add_prefix(name)] = "" if value is None else value
    return data


def test_the_arrangement_admin_saves_the_record_through_arrangement_save_in_one_bump(
    admin_client: Client, calls: list[str]
) -> None:
    arrangement = Arrangement.objects.get(key="CHN-KOR-2013")
    data = arrangement_form(admin_client, arrangement)
    data["title"] = "Renamed through the service"
    before = version()
    response = admin_client.post(admin_url(Arrangement, "change", arrangement.pk), data)
    assert response.status_code == 302
    assert calls == ["arrangement_save"] and version() == before + 1
    arrangement.refresh_from_db()
    assert arrangement.title == "Renamed through the service"
    assert arrangement.history.latest().history_user.username == "admin"


def test_the_arrangement_admins_party_and_source_rows_save_through_their_services_in_one_bump(
    admin_client: Client, calls: list[str]
) -> None:
    arrangement = Arrangement.objects.get(key="CHN-KOR-2013")
    data = arrangement_form(admin_client, arrangement)
    party_prefix = next(key for key in data if key.endswith("-0-economy")).removesuffix("-0-economy")
    data[f"{party_prefix}-0-note"] = "Changed through the service"
    source_prefix = next(
        key for key in data if key.endswith("-0-position") and key != f"{party_prefix}-0-position"
    )
    source_prefix = source_prefix.removesuffix("-0-position")
    added = int(data[f"{source_prefix}-TOTAL_FORMS"])
    data[f"{source_prefix}-TOTAL_FORMS"] = str(added + 1)
    data |= {
        f"{source_prefix}-{added}-position": str(added),
        f"{source_prefix}-{added}-url": "https://example.org/added-through-the-service",
        f"{source_prefix}-{added}-citation": "",
    }
    before = version()
    response = admin_client.post(admin_url(Arrangement, "change", arrangement.pk), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    # The record itself (saved with every submission), the changed party row and the new source row.
    assert calls == ["arrangement_save", "arrangement_party_save", "source_save"]
    assert version() == before + 1
    party = arrangement.party_links.get(note="Changed through the service")
    assert party.history.latest().history_user.username == "admin"
    assert arrangement.sources.filter(url="https://example.org/added-through-the-service").exists()


def test_an_arrangement_party_row_is_checked_by_the_model_and_nothing_is_written() -> None:
    party = ArrangementParty.objects.filter(arrangement__key="CHN-KOR-2013").first()
    assert party is not None
    party.effective_date = dt.date(2020, 1, 1)
    party.effective_precision = ""  # a date needs its precision
    before = version()
    with pytest.raises(ValidationError):
        services.arrangement_party_save(party=party)
    assert version() == before
    party.refresh_from_db()
    assert party.effective_date != dt.date(2020, 1, 1)
