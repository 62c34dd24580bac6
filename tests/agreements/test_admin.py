"""The staff admin: pages load, search works, and bad submissions show errors and save nothing.

The test data uses codes from ISO's user-assigned ranges (QM-QZ), which no reference row uses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from agreements import versioning
from agreements.models import (
    Arrangement,
    ArrangementParty,
    Bloc,
    BlocMembership,
    Claim,
    Economy,
    EconomyMembership,
    Source,
    Territory,
)
from tests.factories import (
    ArrangementFactory,
    BlocFactory,
    BlocMembershipFactory,
    ClaimFactory,
    EconomyFactory,
    EconomyMembershipFactory,
    SourceFactory,
    TerritoryFactory,
)

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def world() -> dict[str, Any]:
    territories = {
        code: TerritoryFactory.create(iso3=code, iso2=code[:2], name=name)
        for code, name in (("QMA", "Qmaland"), ("QNA", "Qnaland"), ("QOA", "Qoaland"))
    }
    economies = {
        code: EconomyFactory.create(code=code, name=name)
        for code, name in (("QMA", "Qmaland customs"), ("QNA", "Qnaland customs"), ("QOA", "Qoaland customs"))
    }
    for code, economy in economies.items():
        EconomyMembershipFactory.create(economy=economy, territory=territories[code])
    bloc = BlocFactory.create(code="QBLOC", name="Q bloc", definition="The Q lands")
    BlocMembershipFactory.create(bloc=bloc, territory=territories["QMA"], start_date=D(2010, 1, 1))
    arrangement = ArrangementFactory.create(
        key="QMA-QNA",
        title="Qmaland-Qnaland MRA",
        signed_date=D(2015, 6, 1),
        signed_precision="day",
        status="signed",
        evidence="confirmed",
        notes="Quietly signed",
        parties=[economies["QMA"], economies["QNA"]],
    )
    SourceFactory.create(arrangement=arrangement, url="https://example.org/qma-qna")
    claim = ClaimFactory.create(
        key="qma-2020",
        authority="Qmaland Customs",
        stated_on=D(2020, 2, 1),
        as_of=D(2020, 1, 1),
        economy=economies["QMA"],
        basis="signed",
        metric="partner_economies",
        value=1,
    )
    return {
        "territories": territories,
        "economies": economies,
        "bloc": bloc,
        "arrangement": arrangement,
        "claim": claim,
    }


def url(model: type[Model], view: str, *args: Any) -> str:
    return reverse(f"admin:agreements_{model._meta.model_name}_{view}", args=args)


def inline_prefixes(response: Any) -> dict[type[Model], str]:
    return {
        inline.formset.model: inline.formset.prefix for inline in response.context["inline_admin_formsets"]
    }


def inline_data(prefix: str, rows: list[dict[str, Any]], initial: int = 0) -> dict[str, Any]:
    """The management form and the rows of one inline formset, as the admin page posts them."""
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def arrangement_fields(**overrides: Any) -> dict[str, Any]:
    fields = {
        "key": "QMA-QOA",
        "title": "Qmaland-Qoaland MRA",
        "signed_date": "2021-03-01",
        "signed_precision": "day",
        "effective_date": "2021-06-01",
        "effective_precision": "month",
        "ended_date": "",
        "ended_precision": "",
        "status": "in_force",
        "evidence": "reported",
        "notes": "",
    }
    fields.update(overrides)
    return fields


def post_arrangement(
    client: Client, parties: list[str], sources: list[dict[str, Any]] | None = None, **overrides: Any
) -> Any:
    prefixes = inline_prefixes(client.get(url(Arrangement, "add")))
    data = arrangement_fields(**overrides)
    data.update(inline_data(prefixes[ArrangementParty], [{"economy": code} for code in parties]))
    data.update(inline_data(prefixes[Source], sources or []))
    return client.post(url(Arrangement, "add"), data)


def all_errors(response: Any) -> str:
    """Every error the admin page shows: the main form's and each inline's."""
    texts = [str(response.context["adminform"].form.errors)]
    for inline in response.context["inline_admin_formsets"]:
        texts.append(str(inline.formset.non_form_errors()))
        texts.extend(str(form.errors) for form in inline.formset.forms)
    return "\n".join(texts)


# Pages


@pytest.mark.parametrize(
    ("model", "query", "expected"),
    [
        (Territory, "Qmaland", "QMA"),
        (Economy, "QNA", "Qnaland customs"),
        (EconomyMembership, "Qoaland", "Qoaland customs"),
        (Bloc, "Q lands", "Q bloc"),
        (BlocMembership, "QBLOC", "Qmaland"),
        (Arrangement, "Quietly", "QMA-QNA"),
        (Arrangement, "Qnaland customs", "Qmaland-Qnaland MRA"),
        (Claim, "qma-2020", "Qmaland Customs"),
    ],
)
def test_changelist_and_search(
    admin_client: Client, world: dict[str, Any], model: type[Model], query: str, expected: str
) -> None:
    assert admin_client.get(url(model, "changelist")).status_code == 200
    response = admin_client.get(url(model, "changelist"), {"q": query})
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1
    assert expected in response.content.decode()
    nothing = admin_client.get(url(model, "changelist"), {"q": "no-such-thing-anywhere"})
    assert nothing.context["cl"].result_count == 0


@pytest.mark.parametrize(
    ("model", "filters"),
    [
        (Arrangement, {"status__exact": "signed", "evidence__exact": "confirmed"}),
        (Arrangement, {"parties__code__exact": "QMA"}),
        (Economy, {"kind__exact": "territory"}),
        (EconomyMembership, {"economy__code__exact": "QMA"}),
        (Claim, {"basis__exact": "signed"}),
    ],
)
def test_list_filters(
    admin_client: Client, world: dict[str, Any], model: type[Model], filters: dict[str, str]
) -> None:
    response = admin_client.get(url(model, "changelist"), filters)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize(
    "model",
    [Territory, Economy, EconomyMembership, Bloc, BlocMembership, Arrangement, Claim],
)
def test_add_and_change_pages_load(admin_client: Client, world: dict[str, Any], model: type[Model]) -> None:
    assert admin_client.get(url(model, "add")).status_code == 200
    instance = model._default_manager.filter(pk__in=_world_pks(world, model)).first()
    assert instance is not None
    assert admin_client.get(url(model, "change", instance.pk)).status_code == 200


def _world_pks(world: dict[str, Any], model: type[Model]) -> list[Any]:
    if model is EconomyMembership:
        return list(
            EconomyMembership.objects.filter(economy__in=world["economies"].values()).values_list(
                "pk", flat=True
            )
        )
    if model is BlocMembership:
        return list(BlocMembership.objects.filter(bloc=world["bloc"]).values_list("pk", flat=True))
    by_model = {
        Territory: world["territories"]["QMA"],
        Economy: world["economies"]["QMA"],
        Bloc: world["bloc"],
        Arrangement: world["arrangement"],
        Claim: world["claim"],
    }
    return [by_model[model].pk]


def test_party_autocomplete_searches_economies(admin_client: Client, world: dict[str, Any]) -> None:
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "agreements",
            "model_name": "arrangementparty",
            "field_name": "economy",
            "term": "Qnal",
        },
    )
    assert response.status_code == 200
    assert [result["id"] for result in response.json()["results"]] == ["QNA"]


def test_anonymous_is_sent_to_login(client: Client) -> None:
    for model in (Arrangement, Economy, Claim):
        response = client.get(url(model, "changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


# Arrangements


def test_add_arrangement_with_parties_and_source(admin_client: Client, world: dict[str, Any]) -> None:
    response = post_arrangement(
        admin_client,
        ["QMA", "QOA"],
        [{"position": "0", "url": "https://example.org/qma-qoa", "citation": ""}],
    )
    assert response.status_code == 302, all_errors(response)
    arrangement = Arrangement.objects.get(key="QMA-QOA")
    assert sorted(arrangement.parties.values_list("code", flat=True)) == ["QMA", "QOA"]
    assert [source.url for source in arrangement.sources.all()] == ["https://example.org/qma-qoa"]
    assert arrangement.effective_date == D(2021, 6, 1)


def test_an_admin_save_of_an_arrangement_with_its_children_is_one_change(
    admin_client: Client, world: dict[str, Any]
) -> None:
    before = int(versioning.current_version())
    response = post_arrangement(
        admin_client, ["QMA", "QOA"], [{"position": "0", "url": "", "citation": "A letter"}]
    )
    assert response.status_code == 302, all_errors(response)
    assert int(versioning.current_version()) == before + 1
    refused = post_arrangement(admin_client, ["QMA"], key="QMA-ONLY")
    assert refused.status_code == 200
    assert int(versioning.current_version()) == before + 1


@pytest.mark.parametrize("parties", [["QMA"], ["QMA", ""], ["QMA", "QMA"], []])
def test_arrangement_without_two_distinct_parties_is_rejected(
    admin_client: Client, world: dict[str, Any], parties: list[str]
) -> None:
    arrangements, links, sources = (
        Arrangement.objects.count(),
        ArrangementParty.objects.count(),
        Source.objects.count(),
    )
    response = post_arrangement(admin_client, parties, [{"position": "0", "url": "", "citation": "A letter"}])
    assert response.status_code == 200
    errors = all_errors(response)
    assert "two or more distinct parties" in errors or "duplicate data" in errors
    assert Arrangement.objects.count() == arrangements
    assert ArrangementParty.objects.count() == links
    assert Source.objects.count() == sources
    assert not Arrangement.objects.filter(key="QMA-QOA").exists()


def test_removing_a_party_below_two_is_rejected(admin_client: Client, world: dict[str, Any]) -> None:
    arrangement: Arrangement = world["arrangement"]
    change = admin_client.get(url(Arrangement, "change", arrangement.pk))
    prefixes = inline_prefixes(change)
    links = list(arrangement.party_links.order_by("economy__name"))
    data = arrangement_fields(
        key=arrangement.key,
        title="Renamed",
        signed_date="2015-06-01",
        effective_date="",
        effective_precision="",
        status="signed",
        evidence="confirmed",
    )
    party_rows = [
        {
            "id": link.pk,
            "arrangement": arrangement.pk,
            "economy": link.economy_id,
            "DELETE": "on" if i else "",
        }
        for i, link in enumerate(links)
    ]
    data.update(inline_data(prefixes[ArrangementParty], party_rows, initial=len(links)))
    source = arrangement.sources.get()
    source_rows = [{"id": source.pk, "arrangement": arrangement.pk, "position": "0", "url": source.url}]
    data.update(inline_data(prefixes[Source], source_rows, initial=1))

    response = admin_client.post(url(Arrangement, "change", arrangement.pk), data)

    assert response.status_code == 200
    assert "two or more distinct parties" in all_errors(response)
    arrangement.refresh_from_db()
    assert arrangement.title == "Qmaland-Qnaland MRA"
    assert arrangement.party_links.count() == 2


def test_effective_before_signed_is_a_form_error(admin_client: Client, world: dict[str, Any]) -> None:
    before = Arrangement.objects.count()
    response = post_arrangement(admin_client, ["QMA", "QOA"], effective_date="2020-01-01")
    assert response.status_code == 200
    assert "The in-force date cannot be before the signed date." in all_errors(response)
    assert "The in-force date cannot be before the signed date." in response.content.decode()
    assert Arrangement.objects.count() == before


def test_precision_without_date_is_a_form_error(admin_client: Client, world: dict[str, Any]) -> None:
    response = post_arrangement(admin_client, ["QMA", "QOA"], ended_precision="day")
    assert response.status_code == 200
    assert "A precision needs a date." in all_errors(response)
    assert not Arrangement.objects.filter(key="QMA-QOA").exists()


def test_source_needs_url_or_citation(admin_client: Client, world: dict[str, Any]) -> None:
    response = post_arrangement(
        admin_client,
        ["QMA", "QOA"],
        [{"position": "0", "url": "https://example.org/x", "citation": "and a citation"}],
    )
    assert response.status_code == 200
    assert "Give either a URL or a citation." in all_errors(response)
    assert not Arrangement.objects.filter(key="QMA-QOA").exists()


def test_a_failure_while_saving_children_saves_nothing(
    admin_client: Client, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The admin saves the arrangement, then its inlines; a database error in between rolls back all."""
    arrangements, links = Arrangement.objects.count(), ArrangementParty.objects.count()

    def refuse(self: Source, *args: Any, **kwargs: Any) -> None:
        raise IntegrityError("refused by the test")

    monkeypatch.setattr(Source, "save", refuse)
    with pytest.raises(IntegrityError):
        post_arrangement(
            admin_client, ["QMA", "QOA"], [{"position": "0", "url": "https://example.org/x", "citation": ""}]
        )
    assert Arrangement.objects.count() == arrangements
    assert ArrangementParty.objects.count() == links
    assert not Arrangement.objects.filter(key="QMA-QOA").exists()


# Memberships


def post_economy(client: Client, members: list[dict[str, Any]], code: str = "QPA") -> Any:
    prefixes = inline_prefixes(client.get(url(Economy, "add")))
    data: dict[str, Any] = {"code": code, "name": "Qpaland customs union", "kind": "union"}
    data.update(inline_data(prefixes[EconomyMembership], members))
    return client.post(url(Economy, "add"), data)


def test_economy_with_memberships_is_added(admin_client: Client, world: dict[str, Any]) -> None:
    response = post_economy(
        admin_client,
        [
            {"territory": "QMA", "start_date": "", "end_date": "2020-01-01", "note": ""},
            {"territory": "QMA", "start_date": "2020-01-01", "end_date": "", "note": "rejoined"},
            {"territory": "QNA", "start_date": "2015-01-01", "end_date": "", "note": ""},
        ],
    )
    assert response.status_code == 302, all_errors(response)
    economy = Economy.objects.get(code="QPA")
    assert economy.memberships.count() == 3


def test_overlapping_memberships_submitted_together_are_rejected(
    admin_client: Client, world: dict[str, Any]
) -> None:
    members = EconomyMembership.objects.count()
    response = post_economy(
        admin_client,
        [
            {"territory": "QMA", "start_date": "2010-01-01", "end_date": "2020-01-01", "note": ""},
            {"territory": "QNA", "start_date": "2010-01-01", "end_date": "", "note": ""},
            {"territory": "QMA", "start_date": "2019-06-01", "end_date": "", "note": ""},
        ],
    )
    assert response.status_code == 200
    errors = all_errors(response)
    assert "overlaps" in errors
    assert "[2019-06-01, still)" in errors
    assert not Economy.objects.filter(code="QPA").exists()
    assert EconomyMembership.objects.count() == members


def test_overlap_with_a_new_row_on_an_existing_economy_is_rejected(
    admin_client: Client, world: dict[str, Any]
) -> None:
    """The saved open membership of QMA in QMA, and a new row for the same territory."""
    economy: Economy = world["economies"]["QMA"]
    prefixes = inline_prefixes(admin_client.get(url(Economy, "change", economy.pk)))
    saved = economy.memberships.get()
    rows: list[dict[str, Any]] = [
        {
            "id": saved.pk,
            "economy": economy.pk,
            "territory": "QMA",
            "start_date": "",
            "end_date": "",
            "note": "",
        },
        {"economy": economy.pk, "territory": "QMA", "start_date": "2020-01-01", "end_date": "", "note": ""},
    ]
    data = {"code": economy.pk, "name": economy.name, "kind": economy.kind}
    data.update(inline_data(prefixes[EconomyMembership], rows, initial=1))
    response = admin_client.post(url(Economy, "change", economy.pk), data)
    assert response.status_code == 200
    assert "overlaps" in all_errors(response)
    assert economy.memberships.count() == 1


def test_overlapping_bloc_memberships_submitted_together_are_rejected(
    admin_client: Client, world: dict[str, Any]
) -> None:
    prefixes = inline_prefixes(admin_client.get(url(Bloc, "add")))
    data: dict[str, Any] = {"code": "QNEW", "name": "New Q bloc", "definition": "", "source": ""}
    rows: list[dict[str, Any]] = [
        {"territory": "QOA", "start_date": "", "end_date": "", "note": ""},
        {"territory": "QOA", "start_date": "2001-01-01", "end_date": "2002-01-01", "note": ""},
    ]
    data.update(inline_data(prefixes[BlocMembership], rows))
    response = admin_client.post(url(Bloc, "add"), data)
    assert response.status_code == 200
    assert "overlaps" in all_errors(response)
    assert not Bloc.objects.filter(code="QNEW").exists()
    assert not BlocMembership.objects.filter(bloc_id="QNEW").exists()


def test_membership_page_rejects_overlap_with_a_saved_row(
    admin_client: Client, world: dict[str, Any]
) -> None:
    response = admin_client.post(
        url(EconomyMembership, "add"),
        {"economy": "QMA", "territory": "QMA", "start_date": "2000-01-01", "end_date": "", "note": ""},
    )
    assert response.status_code == 200
    assert "overlaps another membership" in all_errors(response)
    assert EconomyMembership.objects.filter(economy_id="QMA").count() == 1


def test_membership_end_must_follow_start(admin_client: Client, world: dict[str, Any]) -> None:
    response = admin_client.post(
        url(BlocMembership, "add"),
        {
            "bloc": "QBLOC",
            "territory": "QNA",
            "start_date": "2000-01-01",
            "end_date": "2000-01-01",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert "The end date must be after the start date." in all_errors(response)
    assert not BlocMembership.objects.filter(bloc_id="QBLOC", territory_id="QNA").exists()


# Claims


def test_claim_as_of_after_statement_is_a_form_error(admin_client: Client, world: dict[str, Any]) -> None:
    before = Claim.objects.count()
    response = admin_client.post(
        url(Claim, "add"),
        {
            "key": "qma-2021",
            "authority": "Qmaland Customs",
            "stated_on": "2021-01-01",
            "as_of": "2021-02-01",
            "economy": "QMA",
            "basis": "signed",
            "metric": "partner_economies",
            "value": "2",
            "source_url": "",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert "A claim cannot be as of a date after it was stated." in all_errors(response)
    assert Claim.objects.count() == before


def test_closing_a_membership_and_adding_its_successor_in_one_save(
    admin_client: Client, world: dict[str, Any]
) -> None:
    economy: Economy = world["economies"]["QMA"]
    prefixes = inline_prefixes(admin_client.get(url(Economy, "change", economy.pk)))
    saved = economy.memberships.get()
    rows: list[dict[str, Any]] = [
        {
            "id": saved.pk,
            "economy": economy.pk,
            "territory": "QMA",
            "start_date": "",
            "end_date": "2020-01-01",
        },
        {"economy": economy.pk, "territory": "QMA", "start_date": "2020-01-01", "end_date": "", "note": ""},
    ]
    data = {"code": economy.pk, "name": economy.name, "kind": economy.kind}
    data.update(inline_data(prefixes[EconomyMembership], rows, initial=1))
    response = admin_client.post(url(Economy, "change", economy.pk), data)
    assert response.status_code == 302, all_errors(response)
    assert economy.memberships.count() == 2


# Deleting a record that others refer to (issue 11): the admin lists them and deletes nothing.


def test_deleting_a_referenced_economy_shows_the_protected_records(admin_client: Client) -> None:
    page = admin_client.get(url(Economy, "delete", "KOR"))
    assert page.status_code == 200
    assert "would require deleting the following protected related objects" in page.content.decode()
    assert "KOR in CHN-KOR-2013" in page.content.decode()
    refused = admin_client.post(url(Economy, "delete", "KOR"), {"post": "yes"})
    assert refused.status_code == 200 and refused.context["protected"]
    assert Economy.objects.filter(code="KOR").exists()


# The History pages under the site's Content-Security-Policy (issue 11): no style attribute.


def history_pages() -> list[str]:
    arrangement = Arrangement.objects.get(key="CHN-KOR-2013")
    economy = Economy.objects.get(code="KOR")
    pages = []
    for record in (arrangement, economy):
        model = type(record)
        version = record.history.order_by("history_id").first()
        assert version is not None
        pages.append(url(model, "history", record.pk))
        pages.append(url(model, "simple_history", record.pk, version.history_id))
    return pages


def test_the_history_pages_have_no_inline_style(admin_client: Client) -> None:
    for page in history_pages():
        response = admin_client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert " style=" not in html and "<style" not in html, page
        assert "/static/css/admin.css" in html, page
    listing = admin_client.get(history_pages()[0]).content.decode()
    assert 'class="paginator history-paginator"' in listing


# Entry without friction (issue 14, item 9)


def test_a_date_without_a_precision_is_saved_as_a_day(admin_client: Client, world: dict[str, Any]) -> None:
    response = post_arrangement(admin_client, ["QMA", "QOA"], signed_precision="", effective_precision="")
    assert response.status_code == 302, all_errors(response)
    arrangement = Arrangement.objects.get(key="QMA-QOA")
    assert (arrangement.signed_precision, arrangement.effective_precision) == ("day", "day")
    assert arrangement.ended_precision == ""  # no date, no precision


def test_the_in_force_date_and_its_precision_share_a_label(
    admin_client: Client, world: dict[str, Any]
) -> None:
    page = admin_client.get(url(Arrangement, "add")).content.decode()
    assert ">In force date:</label>" in page and ">In force precision:</label>" in page
    assert "ffective precision" not in page
