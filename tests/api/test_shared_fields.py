"""The query forms and the counting API's serializers share their fields between instances
(issue 16: copying them cost more than using them); sharing must never let one request's form or
answer change another's."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms

from agreements import counting
from agreements.forms import BetweenForm, CompareForm, RankingForm, SummaryForm
from agreements.widgets import LongSelect
from api.serializers import RankingSerializer, SummarySerializer


def test_two_forms_of_a_class_share_its_fields() -> None:
    first, second = SummaryForm({"economy": "CHN"}), SummaryForm({"economy": "KOR"})
    assert all(first.fields[name] is second.fields[name] for name in first.fields)


@pytest.mark.django_db
def test_a_page_form_takes_its_own_economy_select_and_leaves_the_api_form_a_text_box() -> None:
    page = SummaryForm({"economy": "CHN"}, economies=True)
    api = SummaryForm({"economy": "CHN"})
    assert isinstance(page.fields["economy"].widget, LongSelect)
    assert type(api.fields["economy"].widget) is forms.TextInput
    assert type(SummaryForm.base_fields["economy"].widget) is forms.TextInput
    assert page.fields["as_of"] is api.fields["as_of"]


@pytest.mark.django_db
def test_the_compare_form_fills_in_the_economies_on_its_own_copy() -> None:
    form = CompareForm({"economy": ["CHN", "KOR"]})
    assert form.is_valid(), form.errors
    field = CompareForm.base_fields["economy"]
    assert isinstance(field, forms.MultipleChoiceField)
    assert not field.choices
    assert field.widget.attrs.get("size") is None


@pytest.mark.django_db
def test_an_invalid_form_does_not_make_the_next_one_invalid() -> None:
    bad = RankingForm({"as_of": "2021-02-30", "by": "nothing"})
    good = RankingForm({"as_of": "2021-08-31", "by": "economies"})
    assert not bad.is_valid()
    assert set(bad.errors) == {"as_of", "by"}
    assert good.is_valid(), good.errors
    assert good.cleaned_data["as_of"] == dt.date(2021, 8, 31)


@pytest.mark.django_db
def test_every_day_field_is_the_same_date_box() -> None:
    boxes = [SummaryForm().fields["as_of"], BetweenForm().fields["from"], BetweenForm().fields["to"]]
    for field in boxes:
        assert isinstance(field, forms.DateField)
        assert field.widget.input_type == "date"
        assert "data-incomplete" in field.widget.attrs


def summary(economy: str, partners: tuple[str, ...]) -> counting.Summary:
    return counting.Summary(
        economy=economy,
        as_of=dt.date(2021, 8, 31),
        basis="signed",
        evidence="inferred",
        partners=partners,
        countries=partners,
        by_bloc={"RCEP": len(partners)},
        bloc_countries={"RCEP": partners},
        rank_by_countries=1,
        rank_by_economies=None,
    )


def test_two_answers_serialize_each_its_own_figures() -> None:
    first = SummarySerializer(summary("CHN", ("KOR", "SGP"))).data
    second = SummarySerializer(summary("KOR", ("CHN",))).data
    assert first["economy"] == "CHN" and first["partners"] == ["KOR", "SGP"]
    assert first["partner_countries"] == 2
    assert second["economy"] == "KOR" and second["partners"] == ["CHN"]
    assert second["by_bloc"] == {"RCEP": 1}
    assert SummarySerializer(summary("CHN", ())).fields is SummarySerializer(summary("KOR", ())).fields


def test_a_nested_list_serializes_every_row_of_each_answer() -> None:
    answer = {"as_of": dt.date(2021, 8, 31), "by": "countries", "basis": "signed", "evidence": "inferred"}
    one = RankingSerializer({**answer, "results": [_named("CHN", 1), _named("KOR", 2)]}).data
    two = RankingSerializer({**answer, "results": [_named("JPN", 1)]}).data
    assert [r["economy"] for r in one["results"]] == ["CHN", "KOR"]
    assert [r["economy"] for r in two["results"]] == ["JPN"]


def _named(code: str, rank: int) -> dict[str, object]:
    return {"economy": code, "name": code.title(), "value": 10 - rank, "rank": rank}
